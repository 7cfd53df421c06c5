import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
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
 * The cases of a dataset in file order, without holding them parsed: each case's id and tags are at hand
 * (for --filter and the run's case list), the case itself is read when asked for. A JSONL dataset keeps only
 * where each line sits and reads it back from the file; YAML and CSV datasets (read whole anyway) keep the
 * parsed cases.
 */
export interface CaseSource {
  readonly size: number;
  id(index: number): string;
  tags(index: number): readonly string[] | undefined;
  read(index: number): Promise<EvalCase>;
  close(): Promise<void>;
}

export interface OpenedDataset {
  path: string;
  hash: string;
  cases: CaseSource;
}

/**
 * Reads a dataset (JSONL, YAML or CSV), validates every case and reports the first problem with file:line and
 * field, and returns every case parsed. For small datasets (tests, tools); a run uses `openDataset`.
 */
export async function loadDataset(file: string, cwd: string): Promise<Dataset> {
  const opened = await openDataset(file, cwd);
  try {
    const cases: EvalCase[] = [];
    for (let i = 0; i < opened.cases.size; i++) cases.push(await opened.cases.read(i));
    return { path: opened.path, hash: opened.hash, cases };
  } finally {
    await opened.cases.close();
  }
}

/**
 * Validates a dataset (JSONL, YAML or CSV) like `loadDataset` — every case, the first problem reported with
 * file:line and field, before anything else happens — and keeps only what a run needs to read the cases again
 * (`CaseSource`). A JSONL dataset is read line by line (never one string); one that passed validation before,
 * unchanged (same bytes, same schema), is read without loading the validator (zod): `cwd`'s
 * .genai/evals/cache keeps a mark per validated dataset.
 */
export async function openDataset(file: string, cwd: string): Promise<OpenedDataset> {
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
    return { path: shown, hash, cases: await indexJsonl(file, shown, cwd, hash) };
  const text = await readFile(file, 'utf8');
  const formats = await import('./dataset-formats.js');
  const raw = extension === '.csv' ? formats.readCsv(text, shown) : formats.readYaml(text, shown);
  const { validateCases } = await import('./dataset-schema.js');
  return { path: shown, hash, cases: arraySource(validateCases(raw, shown)) };
}

function arraySource(cases: EvalCase[]): CaseSource {
  return {
    size: cases.length,
    id: (i) => cases[i]!.id,
    tags: (i) => cases[i]!.tags,
    read: async (i) => cases[i]!,
    close: async () => {},
  };
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

/** A case as a line of JSONL holds it: without its metadata, with where it was read from. */
function caseOf(value: unknown, location: string): EvalCase {
  const { metadata: _metadata, ...data } = value as EvalCase & { metadata?: unknown };
  return { ...data, location };
}

/**
 * One streaming pass over a JSONL dataset: every line parsed (and validated, unless the dataset carries the
 * mark), of which only the id, the tags (one shared array per distinct list) and where the line sits are kept.
 */
async function indexJsonl(file: string, shown: string, cwd: string, hash: string): Promise<CaseSource> {
  const mark = await validatedMark(cwd, hash);
  const validated = await stat(mark).then(
    () => true,
    () => false,
  );
  const schema = validated ? undefined : await import('./dataset-schema.js');
  const seen = new Map<string, number>();
  const ids: string[] = [];
  const tagLists: (readonly string[] | undefined)[] = [];
  const interned = new Map<string, readonly string[]>();
  const offsets: number[] = [];
  const lengths: number[] = [];
  const lineNumbers: number[] = [];
  let line = 0;
  for await (const { text, offset, length } of readLines(file)) {
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
    const evalCase = schema ? schema.validateCase(entry, shown, seen) : (value as EvalCase);
    ids.push(evalCase.id);
    const tags = evalCase.tags;
    const key = tags?.join('\n');
    tagLists.push(key === undefined ? undefined : (interned.get(key) ?? (interned.set(key, tags!), tags)));
    offsets.push(offset);
    lengths.push(length);
    lineNumbers.push(line);
  }
  if (ids.length === 0) {
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
  let handle: Promise<FileHandle> | undefined;
  const changed = (index: number) =>
    usageError('E_EVAL_DATASET_CHANGED', `the dataset changed while the run read it (case ${ids[index]})`, {
      location: `${shown}:${lineNumbers[index]}`,
      fix: 'leave the dataset as it is during a run; resume it with genai eval --resume once it is restored',
    });
  return {
    size: ids.length,
    id: (i) => ids[i]!,
    tags: (i) => tagLists[i],
    read: async (i) => {
      handle ??= open(file, 'r');
      const bytes = Buffer.alloc(lengths[i]!);
      const { bytesRead } = await (await handle).read(bytes, 0, bytes.length, offsets[i]!);
      let value: { id?: unknown };
      try {
        value = JSON.parse(bytes.toString('utf8', 0, bytesRead).trim()) as { id?: unknown };
      } catch {
        throw changed(i);
      }
      if (value?.id !== ids[i]) throw changed(i);
      // The id string the index holds, not the copy just parsed: results and facts share one string per case.
      return { ...caseOf(value, `${shown}:${lineNumbers[i]}`), id: ids[i]! };
    },
    close: async () => {
      const opened = handle;
      handle = undefined;
      await (await opened?.catch(() => undefined))?.close();
    },
  };
}

function unsupported(shown: string): never {
  throw usageError('E_EVAL_DATASET_FORMAT', `cannot read ${shown}: unknown dataset format`, {
    fix: 'use a .jsonl, .yaml/.yml or .csv file',
    location: shown,
  });
}

/** What --filter reads of a case. */
export interface CaseTags {
  id: string;
  tags?: readonly string[] | undefined;
}

/**
 * `--filter key=value`: tag=… matches a tag, id=… an id ("*" is a wildcard). Filters on different keys
 * must all match; several values for one key match any of them.
 */
export function filterCases<T extends CaseTags>(cases: T[], filters: string[]): T[] {
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

export interface Selection {
  filter: string[];
  sample?: number | undefined;
  seed?: number | undefined;
}

/** Applies --filter, then --sample N --seed S. */
export function selectCases<T extends CaseTags>(cases: T[], options: Selection): T[] {
  const filtered = filterCases(cases, options.filter);
  if (filtered.length === 0) {
    throw usageError('E_EVAL_FILTER_EMPTY', `no case matches ${options.filter.map((f) => `--filter ${f}`).join(' ')}`, {
      fix: 'check the tag or id names in the dataset',
    });
  }
  return options.sample === undefined ? filtered : sample(filtered, options.sample, options.seed ?? DEFAULT_SEED);
}

/** `selectCases` over a dataset's cases without reading them: the positions of the cases selected. */
export function selectIndexes(source: CaseSource, options: Selection): number[] {
  if (options.filter.length === 0 && options.sample === undefined)
    return Array.from({ length: source.size }, (_, i) => i);
  const refs = Array.from({ length: source.size }, (_, index) => ({
    id: source.id(index),
    tags: source.tags(index),
    index,
  }));
  return selectCases(refs, options).map((ref) => ref.index);
}

/** The question a single-turn target receives: the question, or the last user message of a chat. */
export function questionOf(evalCase: EvalCase): string {
  if (evalCase.input.question !== undefined) return evalCase.input.question;
  const users = (evalCase.input.messages ?? []).filter((m) => m.role === 'user');
  return users.at(-1)?.content ?? '';
}
