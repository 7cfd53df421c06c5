import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { project, root } from './helpers/project.js';
import { answerHandler, startServer, type TestServer } from './helpers/servers.js';

/** What `genai eval` loads: only what the run needs (timings are in bench/eval.js, not here). */
let server: TestServer;
beforeAll(async () => {
  server = await startServer(answerHandler());
});
afterAll(async () => {
  await server.close();
});

async function evalImports(dir: string): Promise<string[]> {
  const trace = join(await mkdtemp(join(tmpdir(), 'genai-trace-')), 'imports.txt');
  const hook = pathToFileURL(join(root, 'test', 'fixtures', 'trace-imports.mjs')).href;
  const result = await execa(
    process.execPath,
    ['--import', hook, join(root, 'bin', 'run.js'), 'eval', '--url', server.url, '--no-progress'],
    { cwd: dir, reject: false, env: { GENAI_TRACE_IMPORTS: trace } },
  );
  expect(result.exitCode, result.stderr).toBe(0);
  return (await readFile(trace, 'utf8')).split('\n').filter(Boolean);
}

const loads = (modules: string[], name: string) => modules.some((url) => url.includes(`/node_modules/${name}/`));

describe('genai eval loads what a run needs, when it needs it', () => {
  it('a second run of an unchanged project loads neither zod nor yaml (manifest and dataset caches), nor ajv, csv-parse or the AWS SDK', async () => {
    const dir = await project({ judges: ['safety'] });
    const first = await evalImports(dir);
    expect(loads(first, 'zod')).toBe(true);
    const second = await evalImports(dir);
    for (const name of ['zod', 'yaml', 'ajv', 'csv-parse', '@aws-sdk/client-bedrock-runtime', 'undici']) {
      expect(loads(second, name), name).toBe(false);
    }
    expect(second.some((url) => url.endsWith('/dist/evals/index.js'))).toBe(true);
  });
});
