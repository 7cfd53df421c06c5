import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isScalar, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { environmentError, GenaiError, usageError } from '../errors.js';
import { assumedConstraints } from './assumptions.js';
import { writeCachedManifest } from './cache.js';
import type { AssumedConstraint } from './defaults.js';
import { problemsFromIssues, type ManifestProblem } from './issues.js';
import { positionAt } from './locate.js';
import { manifestSchema, type Manifest } from './schema.js';

export type { ManifestProblem } from './issues.js';

export const MANIFEST_FILE = 'genai.yaml';

/** A manifest that passed the schema, with the YAML document it came from so later checks can locate. */
export interface LoadedManifest {
  manifest: Manifest;
  /** Absolute path of the file. */
  path: string;
  /** The file as shown in locations (`genai.yaml`). */
  file: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
  /** The constraints the file leaves out, which took their defaults. */
  assumed: AssumedConstraint[];
}

export interface ManifestValidation {
  /** Present when there are no problems. */
  manifest?: Manifest;
  /** With a manifest: the constraints the file leaves out, which took their defaults. */
  assumed: AssumedConstraint[];
  /** Every problem, in file order. */
  problems: ManifestProblem[];
  document: Document.Parsed;
  lineCounter: LineCounter;
}

/**
 * Validates the text of a manifest and returns every problem, each located at its YAML node.
 * `file` is how locations name the file. Pure: no I/O.
 */
export function validateManifest(text: string, file = MANIFEST_FILE): ManifestValidation {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => yamlProblem(error, document, lineCounter, file));
    return { problems: ordered(problems), assumed: [], document, lineCounter };
  }
  let data: unknown;
  try {
    data = document.toJS();
  } catch (error) {
    const { location, offset } = positionAt(file, lineCounter, 0);
    const message = `the YAML cannot be read: ${(error as Error).message.split('\n')[0]}`;
    return {
      problems: [
        {
          code: 'E_MANIFEST_YAML',
          message,
          fix: 'remove the aliases that expand the document',
          location,
          field: '',
          offset,
        },
      ],
      assumed: [],
      document,
      lineCounter,
    };
  }
  const result = manifestSchema.safeParse(data, { reportInput: true });
  if (result.success) {
    return { manifest: result.data, problems: [], assumed: assumedConstraints(data), document, lineCounter };
  }
  const problems = problemsFromIssues(result.error.issues, {
    file,
    document,
    lineCounter,
    data,
    schema: manifestSchema,
  });
  return { problems: ordered(problems), assumed: [], document, lineCounter };
}

/**
 * Reads and validates `file` in `cwd`. Throws the first problem (in file order) as a GenaiError with
 * exit code 2; use validateManifest to see them all.
 */
export async function loadManifest(cwd: string, file = MANIFEST_FILE): Promise<LoadedManifest> {
  const { path, text } = await readManifest(cwd, file);
  const { manifest, problems, assumed, document, lineCounter } = validateManifest(text, file);
  if (!manifest) throw problemToError(problems[0] ?? invalidWithoutProblem(file));
  await writeCachedManifest(cwd, file, text, manifest, assumed);
  return { manifest, path, file, document, lineCounter, assumed };
}

/** The manifest's text; a missing file is a usage error (exit 2), an unreadable one an environment error. */
export async function readManifest(cwd: string, file = MANIFEST_FILE): Promise<{ path: string; text: string }> {
  const directory = resolve(cwd);
  const path = resolve(directory, file);
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw usageError('E_MANIFEST_NOT_FOUND', `no ${file} in ${directory}`, { fix: 'run genai init, or pass --cwd' });
    }
    if (code === 'EISDIR')
      throw usageError('E_MANIFEST_NOT_FOUND', `${file} in ${directory} is a directory`, {
        fix: 'remove that directory, or pass --cwd',
      });
    throw environmentError('E_MANIFEST_UNREADABLE', `cannot read ${path}: ${(error as Error).message}`, {
      fix: 'check the file permissions',
      location: file,
      cause: error,
    });
  }
}

export function problemToError(problem: ManifestProblem): GenaiError {
  return usageError(problem.code, problem.message, {
    fix: problem.fix,
    location: problem.location,
    field: problem.field || undefined,
  });
}

/** Only reachable if the schema rejected a manifest without an issue. */
function invalidWithoutProblem(file: string): ManifestProblem {
  return {
    code: 'E_MANIFEST_INVALID',
    message: 'the manifest is invalid',
    fix: 'run genai check',
    location: file,
    field: '',
    offset: 0,
  };
}

function ordered(problems: ManifestProblem[]): ManifestProblem[] {
  const seen = new Set<string>();
  return problems
    .filter((problem) => {
      const key = `${problem.location} ${problem.field} ${problem.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.offset - b.offset);
}

const YAML_FIXES: Record<string, string> = {
  MISSING_CHAR: 'add the missing closing quote or bracket',
  BAD_INDENT: 'check the indentation: a nested key goes two spaces under its parent',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation: a nested key goes on its own line, two spaces under its parent',
  MULTILINE_IMPLICIT_KEY: 'check the indentation and colons: a key and its colon go on one line',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MULTIPLE_DOCS: 'keep one YAML document: remove the --- separator',
  UNEXPECTED_TOKEN: 'check the syntax at this position: a stray character, or a value that needs quotes',
};

function yamlProblem(error: YAMLError, document: Document, lineCounter: LineCounter, file: string): ManifestProblem {
  // An unclosed quote is reported where the file ends; the user needs to see where the quote opens.
  const offset =
    error.code === 'MISSING_CHAR' ? (unclosedQuoteStart(document, error.pos[0]) ?? error.pos[0]) : error.pos[0];
  const { location } = positionAt(file, lineCounter, offset);
  if (error.code === 'DUPLICATE_KEY') {
    const duplicate = duplicateKey(document, offset);
    const name = duplicate?.key ?? 'a key';
    const first =
      duplicate?.firstOffset === undefined ? '' : ` (first at line ${lineCounter.linePos(duplicate.firstOffset).line})`;
    return {
      code: 'E_MANIFEST_DUPLICATE_KEY',
      message: `duplicate key ${name}${first}`,
      fix: `keep one ${name} in this mapping`,
      location,
      field: duplicate?.field ?? '',
      offset,
    };
  }
  const message = `YAML syntax error: ${error.message.split('\n')[0]?.replace(/\.$/, '')}`;
  return {
    code: 'E_MANIFEST_YAML',
    message,
    fix: YAML_FIXES[error.code] ?? 'fix the YAML syntax at this position',
    location,
    field: '',
    offset,
  };
}

/** The key that is repeated at `offset`, where it first appears, and the field path of its mapping. */
function duplicateKey(
  document: Document,
  offset: number,
): { key: string; firstOffset?: number | undefined; field: string } | undefined {
  let found: { key: string; firstOffset?: number | undefined; field: string } | undefined;
  visit(document, {
    Map(_, map, ancestors) {
      const repeated = map.items.find((pair) => isScalar(pair.key) && pair.key.range?.[0] === offset);
      if (!repeated || !isScalar(repeated.key)) return undefined;
      const key = String(repeated.key.value);
      const first = map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
      const parents = ancestors.flatMap((node) =>
        isScalar((node as { key?: unknown }).key) ? [String((node as { key: { value: unknown } }).key.value)] : [],
      );
      found = {
        key,
        firstOffset: isScalar(first?.key) ? first.key.range?.[0] : undefined,
        field: [...parents, key].join('.'),
      };
      return visit.BREAK;
    },
  });
  return found;
}

function unclosedQuoteStart(document: Document, offset: number): number | undefined {
  let start: number | undefined;
  visit(document, {
    Scalar(_, scalar) {
      const [from, to] = scalar.range ?? [];
      if (
        (scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE') &&
        from !== undefined &&
        to !== undefined &&
        from < offset &&
        to >= offset
      ) {
        start = from;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return start;
}
