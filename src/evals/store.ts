import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { usageError } from '../errors.js';
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
  private constructor(private readonly handle: FileHandle) {}

  static async open(cwd: string, id: string): Promise<ResultsWriter> {
    await mkdir(runDir(cwd, id), { recursive: true });
    return new ResultsWriter(await open(join(runDir(cwd, id), 'results.jsonl'), 'a'));
  }

  append(result: CaseResult): Promise<void> {
    const line = `${JSON.stringify(result)}\n`;
    this.chain = this.chain.then(async () => {
      await this.handle.write(line);
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.handle.sync().catch(() => {});
    await this.handle.close();
  }
}

/** Cuts an incomplete last line (a write cut short by a kill) so that the next append starts clean. */
export async function repairResults(cwd: string, id: string): Promise<void> {
  const file = join(runDir(cwd, id), 'results.jsonl');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return;
  }
  if (text.length === 0 || text.endsWith('\n')) return;
  await truncate(file, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
}

/** Every complete result line, the first one per case id (a case is never counted twice). */
export function parseResults(text: string): CaseResult[] {
  const seen = new Set<string>();
  const out: CaseResult[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let result: CaseResult;
    try {
      result = JSON.parse(line) as CaseResult;
    } catch {
      continue;
    }
    if (typeof result?.caseId !== 'string' || seen.has(result.caseId)) continue;
    seen.add(result.caseId);
    out.push(result);
  }
  return out;
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

/** Reads a run by id, or the newest with 'latest'. */
export async function readRun(cwd: string, id: string): Promise<StoredRun> {
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
  const results = parseResults(await readFile(join(dir, 'results.jsonl'), 'utf8').catch(() => ''));
  return { meta, results };
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
