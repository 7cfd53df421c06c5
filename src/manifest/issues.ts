import { z } from 'zod';
import type { Document, LineCounter } from 'yaml';
import { fieldName, locate, type FieldPath } from './locate.js';
import type { ProblemParams } from './schema.js';
import { closest } from './suggest.js';

/** One thing wrong with genai.yaml, located and with a fix. */
export interface ManifestProblem {
  code: string;
  /** One line: what was expected and what was found. */
  message: string;
  fix: string;
  /** `genai.yaml:12:5`. */
  location: string;
  /** `environments.prod.region`; empty for the file as a whole. */
  field: string;
  /** Character offset, for ordering problems as they appear in the file. */
  offset: number;
}

export interface IssueContext {
  file: string;
  document: Document;
  lineCounter: LineCounter;
  /** The parsed YAML, as the schema saw it. */
  data: unknown;
  schema: z.ZodType;
}

type Issue = z.core.$ZodIssue;

/** Turns zod's issues into problems a user can act on: located at the YAML node, with a fix. */
export function problemsFromIssues(issues: readonly Issue[], context: IssueContext): ManifestProblem[] {
  const problems = issues.flatMap((issue) => problemsFromIssue(issue, context));
  // A misspelt key also leaves its field missing; "did you mean" already says both, so say it once.
  const misspelt = new Set(problems.flatMap((problem) => problem.suggests ?? []));
  return problems
    .filter((problem) => !(problem.code === 'E_MANIFEST_REQUIRED' && misspelt.has(problem.field)))
    .map(({ suggests: _suggests, ...problem }) => problem);
}

/** While converting: an unknown-key problem remembers the field it suggests instead. */
type Draft = ManifestProblem & { suggests?: string };

function problemsFromIssue(issue: Issue, context: IssueContext): Draft[] {
  const path = issue.path as FieldPath;
  const at = (
    code: string,
    message: string,
    fix: string,
    where: FieldPath = path,
    mode: 'value' | 'key' | 'parent' = 'value',
  ): ManifestProblem => {
    const { location, offset } = locate(context.file, context.document, context.lineCounter, where, mode);
    return { code, message, fix, location, field: fieldName(where), offset };
  };
  const key = String(path[path.length - 1] ?? '');
  const found = valueAt(context.data, path);
  const about = describeField(context.schema, path, context.data);

  switch (issue.code) {
    case 'custom': {
      const params = (issue.params ?? {}) as Partial<ProblemParams>;
      return [at(params.code ?? 'E_MANIFEST_INVALID', issue.message, params.fix ?? fixFromDescription(key, about))];
    }
    case 'invalid_type': {
      if (found.present === false && path.length > 0) {
        const parent = fieldName(path.slice(0, -1));
        const where = parent ? ` to ${parent}` : '';
        return [
          at(
            'E_MANIFEST_REQUIRED',
            `missing required field ${key}`,
            `add ${key}${where}${about ? ` — ${about}` : ''}`,
            path,
            'parent',
          ),
        ];
      }
      if (path.length === 0 && (found.value === null || found.value === undefined)) {
        return [
          at(
            'E_MANIFEST_EMPTY',
            'the manifest is empty',
            'run genai init, or write name and environments, e.g. name: my-service and environments: { local: { target: local } }',
          ),
        ];
      }
      const expected = expectedType(issue.expected);
      return [
        at(
          'E_MANIFEST_TYPE',
          `expected ${expected}, found ${describeValue(found.value)}`,
          key ? `set ${key} to ${expected}${about ? ` — ${about}` : ''}` : `make the file ${expected}`,
        ),
      ];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      return [enumProblem(at, values, found.value, key)];
    }
    case 'invalid_union': {
      const { discriminator, options } = issue as { discriminator?: string; options?: unknown[] };
      if (discriminator && options) {
        // zod reports a bad discriminator at the discriminator's own path; a missing one may not be.
        const where = path[path.length - 1] === discriminator ? path : [...path, discriminator];
        const target = valueAt(context.data, where);
        const allowed = options.map(String);
        if (!target.present) {
          return [
            at(
              'E_MANIFEST_REQUIRED',
              `missing required field ${discriminator}`,
              `add ${discriminator}: one of ${allowed.join(', ')}`,
              where,
              'parent',
            ),
          ];
        }
        return [
          enumProblem((code, message, fix) => at(code, message, fix, where), allowed, target.value, discriminator),
        ];
      }
      return [
        at(
          'E_MANIFEST_INVALID',
          `${describeValue(found.value)} matches none of the allowed forms`,
          fixFromDescription(key, about),
        ),
      ];
    }
    case 'unrecognized_keys': {
      const allowed = allowedKeys(context.schema, path, context.data);
      return issue.keys.map((unknownKey) => {
        const [suggestion] = closest(unknownKey, allowed);
        const message = suggestion
          ? `unknown key ${unknownKey}; did you mean ${suggestion}?`
          : `unknown key ${unknownKey}`;
        const fix = suggestion
          ? `rename it to ${suggestion}`
          : allowed.length
            ? `remove it; allowed here: ${allowed.join(', ')}`
            : 'remove it';
        const problem: Draft = at('E_MANIFEST_UNKNOWN_KEY', message, fix, [...path, unknownKey], 'key');
        return suggestion ? { ...problem, suggests: fieldName([...path, suggestion]) } : problem;
      });
    }
    case 'invalid_key': {
      const inner = issue.issues[0];
      const params = (inner?.code === 'custom' ? (inner.params ?? {}) : {}) as Partial<ProblemParams>;
      const message = inner?.code === 'custom' ? inner.message : `${JSON.stringify(key)} is not an allowed key here`;
      return [at(params.code ?? 'E_MANIFEST_KEY', message, params.fix ?? 'rename the key', path, 'key')];
    }
    case 'too_small':
    case 'too_big': {
      const bound = boundPhrase(issue);
      return [
        at(
          'E_MANIFEST_RANGE',
          `expected ${bound}, found ${describeValue(found.value)}`,
          `set ${key || 'it'} to ${bound}${about ? ` — ${about}` : ''}`,
        ),
      ];
    }
    case 'invalid_format': {
      const expected =
        issue.format === 'url'
          ? 'a URL such as http://localhost:11434/v1'
          : issue.format === 'regex'
            ? `text matching ${(issue as { pattern?: string }).pattern ?? 'the pattern'}`
            : `a ${issue.format}`;
      return [
        at(
          'E_MANIFEST_FORMAT',
          `expected ${expected}, found ${describeValue(found.value)}`,
          `set ${key || 'it'} to ${expected}${about ? ` — ${about}` : ''}`,
        ),
      ];
    }
    default:
      return [
        at(
          'E_MANIFEST_INVALID',
          `${issue.message}, found ${describeValue(found.value)}`,
          fixFromDescription(key, about),
        ),
      ];
  }
}

type At = (code: string, message: string, fix: string) => ManifestProblem;

function enumProblem(at: At, values: string[], value: unknown, key: string): ManifestProblem {
  const [suggestion] = typeof value === 'string' ? closest(value, values) : [];
  const message = `expected one of ${values.join(', ')}, found ${describeValue(value)}${suggestion ? `; did you mean ${suggestion}?` : ''}`;
  return at(
    'E_MANIFEST_ENUM',
    message,
    suggestion ? `set ${key} to ${suggestion}` : `set ${key} to one of ${values.join(', ')}`,
  );
}

function fixFromDescription(key: string, about: string | undefined): string {
  if (!key) return 'correct the manifest';
  return about ? `correct ${key}: ${about}` : `correct ${key}`;
}

function boundPhrase(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array' || issue.origin === 'set') {
    if (small) return limit <= 1 ? 'a list with at least one item' : `a list of at least ${limit} items`;
    return `a list of at most ${limit} items`;
  }
  if (issue.origin === 'string')
    return small
      ? limit <= 1
        ? 'a non-empty string'
        : `a string of at least ${limit} characters`
      : `a string of at most ${limit} characters`;
  const relation = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
  return `a number ${relation} ${limit}`;
}

function expectedType(expected: string): string {
  switch (expected) {
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    case 'array':
    case 'tuple':
    case 'set':
      return 'a list';
    default:
      return `a value of type ${expected}`;
  }
}

/** How a user would name what they wrote: `the string "lots"`, `the number 5`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (Array.isArray(value))
    return value.length === 0 ? 'an empty list' : `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value instanceof Date) return `the date ${value.toISOString().slice(0, 10)}`;
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function valueAt(data: unknown, path: FieldPath): { present: boolean; value: unknown } {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment as PropertyKey)) {
      return { present: false, value: undefined };
    }
    current = (current as Record<PropertyKey, unknown>)[segment as PropertyKey];
  }
  return { present: true, value: current };
}

// The walk below reads zod's definitions to find the schema of a field: its description (for fixes)
// and its allowed keys (for did-you-mean). Only the shapes this manifest uses are handled.
interface SchemaDefinition {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

const definitionOf = (schema: z.ZodType): SchemaDefinition =>
  (schema as unknown as { _zod: { def: SchemaDefinition } })._zod.def;

function unwrap(schema: z.ZodType): { schema: z.ZodType; description?: string | undefined } {
  let description = schema.description;
  let current = schema;
  for (;;) {
    const definition = definitionOf(current);
    const next = definition.innerType ?? (definition.type === 'pipe' ? definition.in : undefined);
    if (!next) return { schema: current, description };
    current = next;
    description ??= current.description;
  }
}

function chooseOption(schema: z.ZodType, data: unknown): z.ZodType {
  const definition = definitionOf(schema);
  if (definition.type !== 'union' || !definition.options) return schema;
  const discriminator = definition.discriminator;
  if (!discriminator || data === null || typeof data !== 'object') return schema;
  const wanted = (data as Record<string, unknown>)[discriminator];
  const match = definition.options.find((option) => {
    const field = definitionOf(unwrap(option).schema).shape?.[discriminator];
    return field !== undefined && (definitionOf(field) as { values?: unknown[] }).values?.includes(wanted);
  });
  return match ?? schema;
}

function schemaAt(
  root: z.ZodType,
  path: FieldPath,
  data: unknown,
): { schema: z.ZodType; description?: string | undefined } | undefined {
  let current = unwrap(root);
  let value = data;
  for (const segment of path) {
    const chosen = unwrap(chooseOption(current.schema, value));
    const definition = definitionOf(chosen.schema);
    let next: z.ZodType | undefined;
    if (definition.type === 'object') next = definition.shape?.[String(segment)];
    else if (definition.type === 'record') next = definition.valueType;
    else if (definition.type === 'array') next = definition.element;
    if (!next) return undefined;
    current = unwrap(next);
    value =
      value !== null && typeof value === 'object'
        ? (value as Record<PropertyKey, unknown>)[segment as PropertyKey]
        : undefined;
  }
  const chosen = chooseOption(current.schema, value);
  if (chosen === current.schema) return current;
  const option = unwrap(chosen);
  return { schema: option.schema, description: current.description ?? option.description };
}

function describeField(root: z.ZodType, path: FieldPath, data: unknown): string | undefined {
  return path.length ? schemaAt(root, path, data)?.description : undefined;
}

function allowedKeys(root: z.ZodType, path: FieldPath, data: unknown): string[] {
  const found = schemaAt(root, path, data);
  if (!found) return [];
  return Object.keys(definitionOf(found.schema).shape ?? {});
}
