import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { ChunkingConfig } from '../src/config.js';
import { createProvider } from '../src/providers/index.js';
import type { Sql } from '../src/db.js';
import { Store } from '../src/store.js';

export const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const corpusDir = path.join(projectRoot, 'data');
export const chunking: ChunkingConfig = { chunkSize: 400, chunkOverlap: 50 };
export const offline = () => createProvider({ kind: 'offline', dimensions: 384 });

/** A question about the corpus, with what the pipeline should do with it. */
export interface TestCase {
  id: string;
  input: { question: string };
  expected: { documentIds?: string[]; facts?: string[]; refusal?: boolean };
  tags: string[];
}

/**
 * The unit tests' own questions (test/fixtures/cases.jsonl), about the articles in data/. They began as a
 * copy of the eval dataset but never read it: evals/dataset.jsonl is yours to replace, and `genai check`
 * validates it.
 */
export const cases: TestCase[] = readFileSync(path.join(projectRoot, 'test', 'fixtures', 'cases.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as TestCase);

export const inScope = cases.filter((c) => !c.expected.refusal);
export const outOfScope = cases.filter((c) => c.expected.refusal);

/** A fresh temp folder; `cleanup` removes it. */
export async function tempDir(prefix = 'genai-service-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A new data folder in a temp dir: a copy of an empty, initialised Postgres folder, because initdb in
 * WebAssembly takes seconds and a copy a fraction of that.
 */
export async function tempDataDir(): Promise<{ dataDir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir();
  const dataDir = path.join(temp.dir, 'data', 'test');
  await cp(inject('pgliteSeed'), dataDir, { recursive: true });
  return { dataDir, cleanup: temp.cleanup };
}

/** A store in a temp data folder; `cleanup` closes it and removes the folder. */
export async function tempStore(): Promise<{ store: Store; dataDir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDataDir();
  const { dataDir } = temp;
  const store = await Store.open(dataDir);
  return {
    store,
    dataDir,
    cleanup: async () => {
      await store.close();
      await temp.cleanup();
    },
  };
}

/** A copy of the project's corpus that a test may change. */
export async function corpusCopy(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const temp = await tempDir('genai-corpus-');
  await cp(corpusDir, temp.dir, { recursive: true });
  return temp;
}

/**
 * How many times a 5 ms timer fires on this thread while `SELECT pg_sleep(0.3)` runs on `db`: none where
 * PGlite runs on this thread (WebAssembly does not yield), dozens where it runs on its own.
 */
export async function ticksDuringSlowQuery(db: Sql): Promise<number> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    await db.query('SELECT pg_sleep(0.3)');
  } finally {
    clearInterval(timer);
  }
  return ticks;
}
