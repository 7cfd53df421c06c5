import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** An initialised, empty Postgres data folder that tests copy instead of running initdb each time. */
    pgliteSeed: string;
  }
}

let root: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  root = await mkdtemp(path.join(os.tmpdir(), 'genai-pglite-seed-'));
  const seed = path.join(root, 'seed');
  const db = await PGlite.create(seed);
  await db.close();
  project.provide('pgliteSeed', seed);
}

export async function teardown(): Promise<void> {
  if (root) await rm(root, { recursive: true, force: true });
}
