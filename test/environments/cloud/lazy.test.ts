import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const cloudModules = ['@pulumi/', '@aws-sdk/', '/jiti/'];

const MANIFEST = `name: notes-helper
constraints: { regions: [eu-west-1] }
environments:
  local: { target: local }
  prod: { target: aws, region: eu-west-1 }
`;

/** The module URLs one genai command resolves (test/fixtures/trace-imports.mjs), in a project folder. */
async function importsOf(args: string[], env: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'genai-lazy-'));
  await writeFile(join(dir, 'genai.yaml'), MANIFEST);
  const trace = join(dir, 'imports.txt');
  const hook = pathToFileURL(join(root, 'test', 'fixtures', 'trace-imports.mjs')).href;
  const result = await execa(process.execPath, ['--import', hook, join(root, 'bin', 'run.js'), ...args], {
    cwd: dir,
    reject: false,
    env: { GENAI_TRACE_IMPORTS: trace, ...env },
  });
  const modules = (await readFile(trace, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { result, modules };
}

describe('commands that do not touch the cloud load neither Pulumi nor the AWS SDK', () => {
  it.each([[['--version']], [['check']], [['cost']], [['outputs', 'local']], [['destroy', 'local']]])(
    'genai %j',
    async (args) => {
      const { result, modules } = await importsOf(args);
      expect(result.exitCode, result.stderr).not.toBe(70);
      expect(modules.some((m) => m.includes('@oclif/core'))).toBe(true);
      for (const name of cloudModules)
        expect(
          modules.filter((m) => m.includes(name)),
          name,
        ).toEqual([]);
    },
  );

  it('a cloud command without the Pulumi CLI stops at the PATH check, before loading either', async () => {
    const { result, modules } = await importsOf(['preview', 'prod'], { PATH: dirname(process.execPath) });
    expect(result.exitCode).toBe(3);
    expect(modules.some((m) => m.includes('/dist/environments/cloud/preflight.js'))).toBe(true);
    for (const name of cloudModules)
      expect(
        modules.filter((m) => m.includes(name)),
        name,
      ).toEqual([]);
  });
});
