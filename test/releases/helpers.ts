import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { GenaiError } from '../../src/errors.js';

export const root = join(import.meta.dirname, '..', '..');
/** The built module, for child processes (npm test builds first). */
export const builtReleases = join(root, 'dist', 'releases', 'index.js');

export const tempDir = (prefix: string) => mkdtemp(join(tmpdir(), `genai-${prefix}-`));

async function write(dir: string, path: string, content: string) {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), content);
}

export const MANIFEST = `name: notes-helper
constraints:
  budgetUsdPerMonth: 50
  dailyActiveUsers: 10
  requestsPerUserPerDay: 3
  regions: [eu-west-1]
  latencyP95Ms: 2000
  dataClass: internal
model: { provider: offline, id: offline-extractive }
embeddings: { provider: offline, id: offline-hash-384, dimensions: 384 }
evals: { dataset: evals/dataset.jsonl }
environments:
  dev: { target: local }
  prod: { target: local }
`;

/**
 * A built project as `genai init` and `npm run build` leave it, in miniature: genai.yaml, src/ older than
 * dist/, the corpus, a lockfile pinning one run-time and one dev package, and both installed.
 */
export async function fakeProject(options: { distFiles?: number } = {}): Promise<string> {
  const dir = await tempDir('release');
  await write(dir, 'genai.yaml', MANIFEST);
  await write(dir, 'src/config.ts', 'export const serviceName = "notes-helper";\n');
  await write(dir, 'src/pipeline/generate.ts', 'export const systemPrompt = "Answer from the context only.";\n');
  await write(dir, 'src/server.ts', 'console.log("serving");\n');
  await write(dir, 'data/reset-password.md', '# Reset your password\n\nOpen Settings, then Security.\n');
  await write(dir, 'data/export.md', '# Export\n\nReports → Export CSV.\n');
  await write(
    dir,
    'package.json',
    JSON.stringify({
      name: 'notes-helper',
      version: '0.1.0',
      type: 'module',
      dependencies: { 'tiny-dep': '1.0.0' },
      devDependencies: { 'dev-tool': '2.0.0' },
    }),
  );
  await write(
    dir,
    'package-lock.json',
    JSON.stringify({
      name: 'notes-helper',
      lockfileVersion: 3,
      packages: {
        '': { name: 'notes-helper', dependencies: { 'tiny-dep': '1.0.0' }, devDependencies: { 'dev-tool': '2.0.0' } },
        'node_modules/tiny-dep': { version: '1.0.0' },
        'node_modules/dev-tool': { version: '2.0.0', dev: true },
      },
    }),
  );
  await write(dir, 'node_modules/tiny-dep/package.json', JSON.stringify({ name: 'tiny-dep', version: '1.0.0' }));
  await write(dir, 'node_modules/tiny-dep/index.js', 'export const tiny = 1;\n');
  await write(dir, 'node_modules/dev-tool/package.json', JSON.stringify({ name: 'dev-tool', version: '2.0.0' }));
  // Built after its sources, as ensureBuilt wants: no npm run build needed.
  const past = new Date(Date.now() - 60_000);
  for (const file of ['src/config.ts', 'src/pipeline/generate.ts', 'src/server.ts']) {
    await utimes(join(dir, file), past, past);
  }
  await write(dir, 'dist/server.js', 'console.log("serving");\n');
  await write(dir, 'dist/ingest.js', 'console.log("snapshot s: 2 documents, 2 chunks");\n');
  for (let i = 0; i < (options.distFiles ?? 0); i++) {
    await write(dir, `dist/chunks/chunk-${i}.js`, `export const chunk${i} = ${JSON.stringify('x'.repeat(4000))};\n`);
  }
  return dir;
}

/** Runs an ES module snippet in a new Node process; `releases` is the built module's path. */
export function runNode(code: string, cwd = root) {
  return execa(process.execPath, ['--input-type=module', '-e', code], { cwd, reject: false });
}

/** Starts a snippet in the background, for tests that kill it or race it against another. */
export function spawnNode(code: string) {
  return spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A pid that is certainly not running: a process that has exited (and been reaped). */
export async function deadPid(): Promise<number> {
  const child = await execa(process.execPath, ['-e', 'console.log(process.pid)']);
  return Number(child.stdout);
}

/** The GenaiError a promise rejects with (and that it does reject with one). */
export async function refused(promise: Promise<unknown>): Promise<GenaiError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(GenaiError);
  return error as GenaiError;
}
