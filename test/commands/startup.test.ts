import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const heavy = [
  'handlebars',
  '@pulumi',
  'pglite',
  '@opentelemetry',
  '/dist/scaffold/',
  '/dist/manifest/',
  '/dist/environments/',
];

async function importsOf(...args: string[]): Promise<{ stdout: string; modules: string[] }> {
  const trace = join(await mkdtemp(join(tmpdir(), 'genai-trace-')), 'imports.txt');
  const hook = pathToFileURL(join(root, 'test', 'fixtures', 'trace-imports.mjs')).href;
  const result = await execa(process.execPath, ['--import', hook, join(root, 'bin', 'run.js'), ...args], {
    env: { GENAI_TRACE_IMPORTS: trace },
  });
  const modules = (await readFile(trace, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { stdout: result.stdout, modules };
}

describe('cold start', () => {
  it.each([['--version'], ['--help']])('genai %s loads none of the heavy modules', async (flag) => {
    const { stdout, modules } = await importsOf(flag);
    expect(stdout).toMatch(flag === '--version' ? /^genai-kit\/\d+\.\d+\.\d+ / : /USAGE/);
    // The trace works: it saw oclif being loaded.
    expect(modules.some((m) => m.includes('@oclif/core'))).toBe(true);
    for (const name of heavy)
      expect(
        modules.filter((m) => m.includes(name)),
        name,
      ).toEqual([]);
  });
});
