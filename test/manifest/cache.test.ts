import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { beforeEach, describe, expect, it } from 'vitest';
import { readCachedManifest } from '../../dist/manifest/cache.js';
import { loadManifest } from '../../dist/manifest/index.js';

const root = join(import.meta.dirname, '..', '..');
const designExample = join(root, 'test', 'fixtures', 'design-example.yaml');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genai-cache-'));
  await copyFile(designExample, join(dir, 'genai.yaml'));
});

describe('the validated-manifest cache', () => {
  it('holds what loadManifest validated, for exactly that text', async () => {
    expect(await readCachedManifest(dir)).toBeUndefined();
    const { manifest } = await loadManifest(dir);
    expect((await readCachedManifest(dir))?.manifest).toEqual(manifest);

    const text = await readFile(join(dir, 'genai.yaml'), 'utf8');
    await writeFile(join(dir, 'genai.yaml'), text.replace('budgetUsdPerMonth: 15000', 'budgetUsdPerMonth: 16000'));
    expect(await readCachedManifest(dir)).toBeUndefined();
  });

  it('ignores a damaged cache file', async () => {
    await loadManifest(dir);
    await writeFile(join(dir, '.genai', 'cache', 'manifest.json'), '{"key": "x", "manif');
    expect(await readCachedManifest(dir)).toBeUndefined();
    expect((await loadManifest(dir)).manifest.name).toBe('cycle-assistant');
  });

  it('lets genai cost skip zod for an unchanged genai.yaml, and never price a stale one', async () => {
    const hook = pathToFileURL(join(root, 'test', 'fixtures', 'trace-imports.mjs')).href;
    const cost = async (trace?: string) => {
      const args = [...(trace ? ['--import', hook] : []), join(root, 'bin', 'run.js'), 'cost', '--json', '--cwd', dir];
      const result = await execa(process.execPath, args, {
        reject: false,
        env: trace ? { GENAI_TRACE_IMPORTS: trace } : {},
      });
      return JSON.parse(result.stdout) as { environments: { name: string; total: { expected: number } }[] };
    };
    const prod = (report: Awaited<ReturnType<typeof cost>>) =>
      report.environments.find((e) => e.name === 'prod')!.total.expected;

    const first = await cost();
    const trace = join(dir, 'imports.txt');
    expect(prod(await cost(trace))).toBe(prod(first));
    const modules = (await readFile(trace, 'utf8')).split('\n');
    expect(modules.some((m) => m.includes('/dist/cost/'))).toBe(true);
    expect(modules.filter((m) => m.includes('/node_modules/zod/'))).toEqual([]);

    const text = await readFile(join(dir, 'genai.yaml'), 'utf8');
    await writeFile(join(dir, 'genai.yaml'), text.replace('dailyActiveUsers: 20000', 'dailyActiveUsers: 40000'));
    expect(prod(await cost())).toBeGreaterThan(prod(first) * 1.5);
  });
});
