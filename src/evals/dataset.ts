import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { usageError } from '../errors.js';
import type { RawCase } from './dataset-schema.js';
import { readLines } from './lines.js';
import { DEFAULT_SEED } from './defaults.js';
import { sample } from './random.js';
import type { EvalCase } from './types.js';

export interface Dataset {
  path: string;
  hash: string;
  cases: EvalCase[];
}

/**
 * Reads a dataset (JSONL, YAML or CSV), validates every case and reports the first problem with file:line and
 * field. A JSONL dataset is read line by line (never one string); one that passed validation before, unchanged
 * (same bytes, same schema), is read without loading the validator (zod): `cwd`'s .genai/evals/cache keeps a
 * mark per validated dataset.
 */
export async function loadDataset(file: string, cwd: string): Promise<Dataset> {
  const shown = relative(cwd, file) || file;
  const extension = extname(file).toLowerCase();
  if (!['.jsonl', '.ndjson', '.yaml', '.yml', '.csv'].includes(extension)) unsupported(shown);
  let hash: string;
  try {
    hash = await hashFile(file);
  } catch {
    throw usageError('E_EVAL_DATASET_MISSING', `dataset ${shown} not found`, {
      fix: 'create it, or point evals.dataset in genai.yaml (or --dataset) at an existing JSONL, YAML or CSV file',
      location: shown,
    });
  }
  if (extension === '.jsonl' || extension === '.ndjson')
    return { path: shown, hash, cases: await readJsonl(file, shown, cwd, hash) };
  const text = await readFile(file, 'utf8');
  const formats = await import('./dataset-formats.js');
  const raw = extension === '.csv' ? formats.readCsv(text, shown) : formats.readYaml(text, shown);
  const { validateCases } = await import('./dataset-schema.js');
  return { path: shown, hash, cases: validateCases(raw, shown) };
}

async function hashFile(file: string): Promise<string> {
  if (!(await stat(file)).isFile()) throw new Error('not a file');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The mark of a dataset validated by this schema: the dataset's hash and the compiled schema's. */
async function validatedMark(cwd: string, hash: string): Promise<string> {
  const schema = await readFile(new URL('./dataset-schema.js', import.meta.url)).catch(() =>
    Buffer.from(String(Date.now())),
  );
  const key = createHash('sha256').update(schema).update('\0').update(hash).digest('hex');
  return join(cwd, '.genai', 'evals', 'cache', 'datasets', key);
}

async function readJsonl(file: string, shown: string, cwd: string, hash: string): Promise<EvalCase[]> {
  const mark = await validatedMark(cwd, hash);
  const validated = await stat(mark).then(
    () => true,
    () => false,
  );
  const schema = validated ? undefined : await import('./dataset-schema.js');
  const seen = new Map<string, number>();
  const cases: EvalCase[] = [];
  let line = 0;
  for await (const { text } of readLines(file)) {
    line++;
    const trimmed = text.trim();
    if (!trimmed) continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw usageError('E_EVAL_DATASET_JSON', `not valid JSON: ${(err as Error).message}`, {
        location: `${shown}:${line}`,
        fix: 'write one JSON object per line',
      });
    }
    const entry: RawCase = { value, line };
    if (schema) cases.push(schema.validateCase(entry, shown, seen));
    else {
      const { metadata: _metadata, ...data } = value as EvalCase & { metadata?: unknown };
      cases.push({ ...data, location: `${shown}:${line}` });
    }
  }
  if (cases.length === 0) {
    throw usageError('E_EVAL_DATASET_EMPTY', `dataset ${shown} has no cases`, {
      location: shown,
      fix: 'add at least one case',
    });
  }
  if (!validated) {
    // Best effort: a read-only project validates again next time.
    await mkdir(join(mark, '..'), { recursive: true })
      .then(() => writeFile(mark, `${shown}\n`))
      .catch(() => {});
  }
  return cases;
}

function unsupported(shown: string): never {
  throw usageError('E_EVAL_DATASET_FORMAT', `cannot read ${shown}: unknown dataset format`, {
    fix: 'use a .jsonl, .yaml/.yml or .csv file',
    location: shown,
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
