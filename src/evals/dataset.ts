import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, relative } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { usageError } from '../errors.js';
import { DEFAULT_SEED } from './defaults.js';
import { sample } from './random.js';
import type { EvalCase } from './types.js';

const message = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

const named = {
  name: z
    .string()
    .regex(/^[a-zA-Z][\w@.-]*$/)
    .optional(),
};
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const assertion = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('equals'), value: z.string(), ignoreCase: z.boolean().optional(), ...named }),
  z.strictObject({
    type: z.literal('contains'),
    value: oneOrMany,
    mode: z.enum(['all', 'any']).optional(),
    ignoreCase: z.boolean().optional(),
    ...named,
  }),
  z.strictObject({ type: z.literal('not-contains'), value: oneOrMany, ignoreCase: z.boolean().optional(), ...named }),
  z.strictObject({
    type: z.literal('regex'),
    pattern: z.string().min(1).refine(isValidRegex, 'not a valid regular expression'),
    flags: z
      .string()
      .regex(/^[gimsuy]*$/)
      .optional(),
    ...named,
  }),
  z.strictObject({ type: z.literal('json-schema'), schema: z.record(z.string(), z.unknown()), ...named }),
  z.strictObject({ type: z.literal('cites'), documentIds: z.array(z.string().min(1)).min(1), ...named }),
  z.strictObject({ type: z.literal('refusal'), expected: z.boolean().optional(), ...named }),
  z.strictObject({ type: z.literal('latency'), maxMs: z.number().positive(), ...named }),
  z.strictObject({ type: z.literal('tokens'), max: z.number().int().positive(), ...named }),
  z.strictObject({ type: z.literal('cost'), maxUsd: z.number().positive(), ...named }),
]);

/** One case as written in the dataset. Strict: a misspelt field is an error, not a silently ignored key. */
export const caseSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .regex(/^[^\s]+$/, 'ids have no spaces'),
  input: z
    .strictObject({
      question: z.string().min(1).optional(),
      messages: z.array(message).min(1).optional(),
    })
    .refine((input) => input.question !== undefined || input.messages !== undefined, {
      message: 'needs `question` or `messages`',
    })
    .refine((input) => !input.messages || input.messages.some((m) => m.role === 'user'), {
      message: '`messages` needs at least one user message',
      path: ['messages'],
    }),
  expected: z
    .strictObject({
      answer: z.string().optional(),
      facts: z.array(z.string().min(1)).optional(),
      documentIds: z.array(z.string().min(1)).optional(),
      refusal: z.boolean().optional(),
    })
    .optional(),
  tags: z.array(z.string().min(1)).optional(),
  assert: z.array(assertion).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export interface Dataset {
  path: string;
  hash: string;
  cases: EvalCase[];
}

interface RawCase {
  value: unknown;
  line: number;
  /** Turns a path inside the case into "line:column", where the format knows it. */
  locate?: (path: PropertyKey[]) => string | undefined;
  /** CSV: column names for the fields, so that errors name the column the user wrote. */
  columnOf?: (path: PropertyKey[]) => string | undefined;
}

/** Reads a dataset (JSONL, YAML or CSV), validates every case and reports the first problem with file:line and field. */
export async function loadDataset(file: string, cwd: string): Promise<Dataset> {
  const shown = relative(cwd, file) || file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw usageError('E_EVAL_DATASET_MISSING', `dataset ${shown} not found`, {
      fix: 'create it, or point evals.dataset in genai.yaml (or --dataset) at an existing JSONL, YAML or CSV file',
      location: shown,
    });
  }
  const hash = createHash('sha256').update(text).digest('hex');
  const extension = extname(file).toLowerCase();
  const raw =
    extension === '.jsonl' || extension === '.ndjson'
      ? readJsonl(text, shown)
      : extension === '.yaml' || extension === '.yml'
        ? readYaml(text, shown)
        : extension === '.csv'
          ? readCsv(text, shown)
          : unsupported(shown);
  return { path: shown, hash, cases: validateCases(raw, shown) };
}

function unsupported(shown: string): never {
  throw usageError('E_EVAL_DATASET_FORMAT', `cannot read ${shown}: unknown dataset format`, {
    fix: 'use a .jsonl, .yaml/.yml or .csv file',
    location: shown,
  });
}

export function validateCases(raw: RawCase[], shown: string): EvalCase[] {
  const cases: EvalCase[] = [];
  const seen = new Map<string, number>();
  for (const entry of raw) {
    const parsed = caseSchema.safeParse(entry.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = entry.locate?.(issue.path) ?? String(entry.line);
      const field = entry.columnOf?.(issue.path) ?? formatPath(issue.path);
      throw usageError('E_EVAL_DATASET_INVALID', describeIssue(issue), {
        location: `${shown}:${where}`,
        field: field || undefined,
        fix: 'each case needs { id, input: { question | messages }, expected?, tags?, assert? } — see docs/evals.md',
      });
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      throw usageError(
        'E_EVAL_DATASET_DUPLICATE',
        `case id "${parsed.data.id}" is used twice (first on line ${first})`,
        {
          location: `${shown}:${entry.line}`,
          field: 'id',
          fix: 'give every case a unique id',
        },
      );
    }
    seen.set(parsed.data.id, entry.line);
    const { metadata: _metadata, ...data } = parsed.data;
    cases.push({ ...data, location: `${shown}:${entry.line}` } as EvalCase);
  }
  if (cases.length === 0) {
    throw usageError('E_EVAL_DATASET_EMPTY', `dataset ${shown} has no cases`, {
      location: shown,
      fix: 'add at least one case',
    });
  }
  return cases;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'value') return 'expected a string or a list of strings';
  return issue.message;
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}

function readJsonl(text: string, shown: string): RawCase[] {
  const out: RawCase[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const trimmed = line.trim();
    if (!trimmed) return;
    try {
      out.push({ value: JSON.parse(trimmed), line: index + 1 });
    } catch (err) {
      throw usageError('E_EVAL_DATASET_JSON', `not valid JSON: ${(err as Error).message}`, {
        location: `${shown}:${index + 1}`,
        fix: 'write one JSON object per line',
      });
    }
  });
  return out;
}

function readYaml(text: string, shown: string): RawCase[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw usageError('E_EVAL_DATASET_YAML', `not valid YAML: ${error.message.split('\n')[0]}`, {
      location: `${shown}:${position(error.pos[0])}`,
      fix: 'fix the YAML syntax',
    });
  }
  let list: YamlNode | null | undefined = doc.contents as YamlNode | null;
  if (isMap(list)) list = list.get('cases', true) as YamlNode | undefined;
  if (!isSeq(list)) {
    throw usageError('E_EVAL_DATASET_YAML', 'expected a list of cases (or a `cases:` list)', {
      location: `${shown}:1`,
      fix: 'write the cases as a YAML list: "- id: …"',
    });
  }
  return list.items.map((item) => {
    const node = item as YamlNode;
    const start = node.range?.[0] ?? 0;
    return {
      value: (node as { toJSON?: () => unknown }).toJSON?.() ?? node,
      line: lineCounter.linePos(start).line,
      locate: (path: PropertyKey[]) => {
        let current: unknown = node;
        for (const key of path) {
          const next = isMap(current) || isSeq(current) ? (current.get(key as never, true) as unknown) : undefined;
          if (!next) break;
          current = next;
        }
        const range = (current as YamlNode).range;
        return range ? position(range[0]) : undefined;
      },
    };
  });
}

const csvColumns: Record<string, string> = {
  id: 'id',
  question: 'question',
  input: 'question',
  answer: 'answer',
  expected_answer: 'answer',
  expectedanswer: 'answer',
  facts: 'facts',
  expected_facts: 'facts',
  document_ids: 'documentIds',
  documentids: 'documentIds',
  expected_document_ids: 'documentIds',
  refusal: 'refusal',
  tags: 'tags',
  assert: 'assert',
  assertions: 'assert',
};

/**
 * CSV columns: id, question, answer, facts, document_ids, tags (lists separated by "|"), refusal
 * (true/false) and assert (a JSON array). Unknown columns are an error so that a typo is not ignored.
 */
function readCsv(text: string, shown: string): RawCase[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw usageError('E_EVAL_DATASET_CSV', `not valid CSV: ${(err as Error).message}`, {
      location: shown,
      fix: 'fix the CSV syntax',
    });
  }
  const header = Object.keys(records[0]?.record ?? {});
  for (const column of header) {
    if (!csvColumns[column.toLowerCase()]) {
      throw usageError('E_EVAL_DATASET_CSV', `unknown column "${column}"`, {
        location: `${shown}:1`,
        fix: `use the columns ${[...new Set(Object.keys(csvColumns))].join(', ')}`,
      });
    }
  }
  const list = (value: string | undefined) =>
    value
      ? value
          .split('|')
          .map((part) => part.trim())
          .filter(Boolean)
      : undefined;
  return records.map(({ record, info }) => {
    const get = (field: string) => {
      const column = header.find((name) => csvColumns[name.toLowerCase()] === field);
      const value = column ? record[column] : undefined;
      return value === '' ? undefined : value;
    };
    const columnFor = (field: string) => header.find((name) => csvColumns[name.toLowerCase()] === field);
    let assertions: unknown;
    const assertText = get('assert');
    if (assertText) {
      try {
        assertions = JSON.parse(assertText);
      } catch {
        assertions = assertText;
      }
    }
    const refusal = get('refusal');
    // Absent keys, not undefined ones: `expected` counts its keys, and a row validates like a JSONL line.
    const expected = {
      ...(get('answer') ? { answer: get('answer') } : {}),
      ...(get('facts') ? { facts: list(get('facts')) } : {}),
      ...(get('documentIds') ? { documentIds: list(get('documentIds')) } : {}),
      ...(refusal
        ? { refusal: /^(true|yes|1)$/i.test(refusal) ? true : /^(false|no|0)$/i.test(refusal) ? false : refusal }
        : {}),
    };
    const value = {
      id: get('id'),
      input: { question: get('question') },
      ...(Object.keys(expected).length ? { expected } : {}),
      ...(get('tags') ? { tags: list(get('tags')) } : {}),
      ...(assertions !== undefined ? { assert: assertions } : {}),
    };
    return {
      value,
      line: info.lines,
      columnOf: (path: PropertyKey[]) => {
        const [first, second] = path;
        if (first === 'input') return columnFor('question');
        if (first === 'expected' && typeof second === 'string') return columnFor(second);
        if (typeof first === 'string') return columnFor(first) ?? formatPath(path);
        return formatPath(path);
      },
    };
  });
}

/**
 * `--filter key=value`: tag=… matches a tag, id=… an id ("*" is a wildcard). Filters on different keys
 * must all match; several values for one key match any of them.
 */
export function filterCases(cases: EvalCase[], filters: string[]): EvalCase[] {
  if (filters.length === 0) return cases;
  const byKey = new Map<string, RegExp[]>();
  for (const filter of filters) {
    const match = /^(tag|id)=(.+)$/.exec(filter.trim());
    if (!match) {
      throw usageError('E_EVAL_FILTER', `cannot read --filter "${filter}"`, {
        fix: 'write --filter tag=NAME or --filter id=PATTERN',
      });
    }
    const pattern = new RegExp(`^${match[2]!.split('*').map(escapeRegex).join('.*')}$`);
    byKey.set(match[1]!, [...(byKey.get(match[1]!) ?? []), pattern]);
  }
  return cases.filter((c) =>
    [...byKey].every(([key, patterns]) =>
      key === 'id'
        ? patterns.some((p) => p.test(c.id))
        : patterns.some((p) => (c.tags ?? []).some((tag) => p.test(tag))),
    ),
  );
}

const escapeRegex = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Applies --filter, then --sample N --seed S. */
export function selectCases(
  cases: EvalCase[],
  options: { filter: string[]; sample?: number | undefined; seed?: number | undefined },
): EvalCase[] {
  const filtered = filterCases(cases, options.filter);
  if (filtered.length === 0) {
    throw usageError('E_EVAL_FILTER_EMPTY', `no case matches ${options.filter.map((f) => `--filter ${f}`).join(' ')}`, {
      fix: 'check the tag or id names in the dataset',
    });
  }
  return options.sample === undefined ? filtered : sample(filtered, options.sample, options.seed ?? DEFAULT_SEED);
}

/** The question a single-turn target receives: the question, or the last user message of a chat. */
export function questionOf(evalCase: EvalCase): string {
  if (evalCase.input.question !== undefined) return evalCase.input.question;
  const users = (evalCase.input.messages ?? []).filter((m) => m.role === 'user');
  return users.at(-1)?.content ?? '';
}
