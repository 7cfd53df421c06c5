import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';

export const root = join(import.meta.dirname, '..', '..', '..');
const bin = join(root, 'bin', 'run.js');

/** Runs the built CLI (compile first with npx tsc -p tsconfig.build.json). */
export const genai = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa(process.execPath, [bin, ...args], { cwd, reject: false, env: { ...env, GENAI_DEBUG: '1' } });

/** A project folder with a genai.yaml whose evals section is `evals`, and the fixture dataset. */
export async function project(evals: Record<string, unknown>, dataset?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'genai-eval-cmd-'));
  const manifest = {
    name: 'support-assistant',
    constraints: {
      budgetUsdPerMonth: 500,
      dailyActiveUsers: 100,
      requestsPerUserPerDay: 5,
      regions: ['eu-west-1'],
      latencyP95Ms: 3000,
      dataClass: 'internal',
    },
    model: { provider: 'offline', id: 'offline-extractive' },
    embeddings: { provider: 'offline', id: 'offline-hash', dimensions: 256 },
    evals: { dataset: 'evals/dataset.jsonl', ...evals },
    promotion: { maxRegression: 0.02 },
    environments: { local: { target: 'local' } },
  };
  await writeFile(join(dir, 'genai.yaml'), stringify(manifest));
  await mkdir(join(dir, 'evals'));
  await writeFile(
    join(dir, 'evals', 'dataset.jsonl'),
    dataset ?? (await readFile(join(import.meta.dirname, '..', '..', 'fixtures', 'evals', 'dataset.jsonl'), 'utf8')),
  );
  return dir;
}
