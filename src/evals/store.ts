import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { usageError } from '../errors.js';
import { ResultTable } from './facts.js';
import { readLines } from './lines.js';
import type { CaseResult, RunMeta } from './types.js';

/**
 * Run storage under .genai/evals: runs/<RUN_ID>/run.json (metadata, rewritten atomically) and
 * runs/<RUN_ID>/results.jsonl (append-only, one line per finished case), baselines/<ENV>.json.
 */
export const evalsDir = (cwd: string) => join(cwd, '.genai', 'evals');
export const runsDir = (cwd: string) => join(evalsDir(cwd), 'runs');
export const runDir = (cwd: string, id: string) => join(runsDir(cwd), id);
export const cacheDir = (cwd: string) => join(evalsDir(cwd), 'cache');
const baselinePath = (cwd: string, env: string) => join(evalsDir(cwd), 'baselines', `${env}.json`);

/** A run id that sorts by time: 20250131T142501123Z-3fa9. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(2).toString('hex')}`;
}

const RUN_ID = /^\d{8}T\d{9}Z-[0-9a-f]{4}$/;

const writeJsonAtomic = (file: string, value: unknown) => writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);

export async function writeRunMeta(cwd: string, meta: RunMeta): Promise<void> {
  await mkdir(runDir(cwd, meta.id), { recursive: true });
  await writeJsonAtomic(join(runDir(cwd, meta.id), 'run.json'), meta);
}

/**
 * Appends one line per finished case. Writes are serialised through one file handle opened for append,
 * each line in a single write, so a kill can at worst leave one incomplete last line — which
 * `repairResults` cuts before a resume appends again.
 */
export class ResultsWriter {
  private chain: Promise<void> = Promise.resolve();
  private constructor(
    private readonly handle: FileHandle,
    /** Where the next line starts. */
    private position: number,
  ) {}

  static async open(cwd: string, id: string): Promise<ResultsWriter> {
    await mkdir(runDir(cwd, id), { recursive: true });
    const handle = await open(resultsPath(cwd, id), 'a');
    return new ResultsWriter(handle, (await handle.stat()).size);
  }

  /** Appends a result; resolves with where its line sits, to read it again without reading the file. */
  append(result: CaseResult): Promise<{ offset: number; length: number }> {
    const line = Buffer.from(`${JSON.stringify(result)}\n`);
    const where = { offset: this.position, length: line.length - 1 };
    this.position += line.length;
    this.chain = this.chain.then(async () => {
      await this.handle.write(line);
    });
    return this.chain.then(() => where);
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.sync().catch(() => {});
    await this.handle.close();
  }
}

/** Reads single results back by where their lines sit (ResultsWriter.append, readResults). */
export class ResultsReader {
  private constructor(private readonly handle: FileHandle | undefined) {}

  static async open(cwd: string, id: string): Promise<ResultsReader> {
    return new ResultsReader(await open(resultsPath(cwd, id), 'r').catch(() => undefined));
  }

  async read(where: { offset: number; length: number }): Promise<CaseResult> {
    const buffer = Buffer.alloc(where.length);
    await this.handle!.read(buffer, 0, where.length, where.offset);
    return JSON.parse(buffer.toString('utf8')) as CaseResult;
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }
}

export const resultsPath = (cwd: string, id: string) => join(runDir(cwd, id), 'results.jsonl');

/**
 * Cuts an incomplete last line (a write cut short by a kill) so that the next append starts clean. Reads
 * the file backwards from its end in small blocks: never the whole file.
 */
export async function repairResults(cwd: string, id: string): Promise<void> {
  const file = resultsPath(cwd, id);
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    return;
  }
  try {
    const { size } = await handle.stat();
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const { bytesRead } = await handle.read(block, 0, end - start, start);
      const newline = block.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (newline >= 0) {
        if (start + newline + 1 < size) await truncate(file, start + newline + 1);
        return;
      }
      end = start;
    }
    if (size > 0) await truncate(file, 0);
  } finally {
    await handle.close();
  }
}

/** A result as read from the results file, with where its line sits (to read it again by offset). */
export interface StoredResult {
  result: CaseResult;
  offset: number;
  length: number;
}

/**
 * Every complete result of a run's results file, streamed, the first one per case id (a case is never
 * counted twice). An unreadable line (a write cut short) is skipped. A missing file has no results.
 */
export async function* readResults(cwd: string, id: string): AsyncGenerator<StoredResult> {
  const seen = new Set<string>();
  try {
    for await (const line of readLines(resultsPath(cwd, id))) {
      const result = parseResultLine(line.text);
      if (!result || seen.has(result.caseId)) continue;
      seen.add(result.caseId);
      yield { result, offset: line.offset, length: line.length };
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
  }
}

function parseResultLine(line: string): CaseResult | undefined {
  if (!line.trim()) return undefined;
  try {
    const result = JSON.parse(line) as CaseResult;
    return typeof result?.caseId === 'string' ? result : undefined;
  } catch {
    return undefined;
  }
}

/** Every complete result line of a text, the first one per case id. For small texts (tests); files stream. */
export function parseResults(text: string): CaseResult[] {
  const seen = new Set<string>();
  const out: CaseResult[] = [];
  for (const line of text.split('\n')) {
    const result = parseResultLine(line);
    if (!result || seen.has(result.caseId)) continue;
    seen.add(result.caseId);
    out.push(result);
  }
  return out;
}

/**
 * A run's results as facts, streamed from its file, with where each full result sits (`ResultTable.where`).
 * `expected`: how many results the run may have (its case count), to size the table once.
 */
export async function readResultFacts(cwd: string, id: string, expected?: number): Promise<{ facts: ResultTable }> {
  const facts = new ResultTable(expected);
  // As readResults, with the table itself (not a set of ids beside it) keeping the first result per case.
  try {
    for await (const line of readLines(resultsPath(cwd, id))) {
      const result = parseResultLine(line.text);
      if (result && !facts.has(result.caseId)) facts.add(result, { offset: line.offset, length: line.length });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code !== 'ENOENT') throw err;
  }
  return { facts };
}

export async function listRuns(cwd: string): Promise<string[]> {
  try {
    return (await readdir(runsDir(cwd))).filter((name) => RUN_ID.test(name)).sort();
  } catch {
    return [];
  }
}

export interface StoredRun {
  meta: RunMeta;
  results: CaseResult[];
}

/** Reads a run by id, or the newest with 'latest', with every result (streamed from disk, held in memory). */
export async function readRun(cwd: string, id: string): Promise<StoredRun> {
  const { meta } = await readRunMeta(cwd, id);
  const results: CaseResult[] = [];
  for await (const { result } of readResults(cwd, meta.id)) results.push(result);
  return { meta, results };
}

/** Reads a run's metadata by id, or the newest with 'latest'; its results stay on disk. */
export async function readRunMeta(cwd: string, id: string): Promise<{ meta: RunMeta }> {
  const runs = await listRuns(cwd);
  const chosen = id === 'latest' ? runs.at(-1) : runs.find((run) => run === id);
  if (!chosen) {
    throw usageError(
      'E_EVAL_RUN_NOT_FOUND',
      id === 'latest' ? 'no eval run yet' : `no eval run "${id}" in .genai/evals/runs`,
      { fix: id === 'latest' ? 'run genai eval first' : `use one of: ${runs.slice(-5).join(', ') || '(none)'}` },
    );
  }
  const dir = runDir(cwd, chosen);
  let meta: RunMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunMeta;
  } catch {
    throw usageError('E_EVAL_RUN_CORRUPT', `run ${chosen} has no readable run.json`, {
      location: join(dir, 'run.json'),
    });
  }
  return { meta };
}

export async function runExists(cwd: string, id: string): Promise<boolean> {
  return stat(join(runDir(cwd, id), 'run.json')).then(
    () => true,
    () => false,
  );
}

export async function readBaseline(cwd: string, env: string): Promise<string | undefined> {
  try {
    const value = JSON.parse(await readFile(baselinePath(cwd, env), 'utf8')) as { runId?: unknown };
    return typeof value.runId === 'string' ? value.runId : undefined;
  } catch {
    return undefined;
  }
}

export async function writeBaseline(cwd: string, env: string, runId: string): Promise<void> {
  if (!/^[a-z][a-z0-9-]*$/.test(env)) {
    throw usageError('E_EVAL_BASELINE_NAME', `"${env}" is not an environment name`, {
      fix: 'use a name like staging or prod',
    });
  }
  await mkdir(join(evalsDir(cwd), 'baselines'), { recursive: true });
  await writeJsonAtomic(baselinePath(cwd, env), { runId, savedAt: new Date().toISOString() });
}

/** `--baseline RUN|ENV`: an environment's baseline when one is saved under that name, else a run id (or 'latest'). */
export async function resolveBaseline(cwd: string, ref: string): Promise<{ runId: string; label: string }> {
  const fromEnv = await readBaseline(cwd, ref);
  if (fromEnv) return { runId: fromEnv, label: `${ref} baseline (run ${fromEnv})` };
  if (ref === 'latest' || (await runExists(cwd, ref))) {
    const run = await readRun(cwd, ref);
    return { runId: run.meta.id, label: `run ${run.meta.id}` };
  }
  throw usageError(
    'E_EVAL_BASELINE',
    `no baseline "${ref}": neither an environment with a saved baseline nor a run id`,
    {
      fix: 'pass a run id from .genai/evals/runs, or save one with genai eval --save-baseline ENV',
    },
  );
}
