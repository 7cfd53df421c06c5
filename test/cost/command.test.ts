import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'cost');
const genai = (...args: string[]) =>
  execa('node', [join(root, 'bin', 'run.js'), ...args], { reject: false, env: { NO_COLOR: '1' } });

let dir: string;
let design: string;
beforeAll(async () => {
  expect(existsSync(join(root, 'dist', 'commands', 'cost.js')), 'build first: npx tsc -p tsconfig.build.json').toBe(
    true,
  );
  design = await readFile(join(fixtures, 'design-example', 'genai.yaml'), 'utf8');
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genai-cost-'));
  await writeFile(join(dir, 'genai.yaml'), design);
});

describe('genai cost', () => {
  it('prints the table for every environment and returns the report under --json, exit 0', async () => {
    const text = await genai('cost', '--cwd', dir);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(
      /^prod\s+aws eu-west-1\s+3,041,667\s+\$4,576\.71\s+\$6,009\.00\s+\$8,873\.60\s+\$1\.98\s+\$15,000\.00\s+within budget$/m,
    );
    const json = await genai('cost', 'prod', 'dev', '--cwd', dir, '--json');
    expect(json.exitCode).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.kind).toBe('genai-cost-report');
    expect(report.environments.map((env: { name: string }) => env.name)).toEqual(['prod', 'dev']);
    expect(report.serviceBudget.complete).toBe(false);
  });

  it('states the defaulted constraints it assumed, in one line and under --json', async () => {
    await writeFile(
      join(dir, 'genai.yaml'),
      'name: xy\nconstraints: { regions: [eu-west-1] }\nenvironments:\n  local: { target: local }\n',
    );
    const text = await genai('cost', '--cwd', dir);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain(
      'assumed (not set in genai.yaml; set them under constraints): constraints.budgetUsdPerMonth: 1000, constraints.dailyActiveUsers: 1000, constraints.requestsPerUserPerDay: 5, constraints.latencyP95Ms: 3000, constraints.dataClass: internal',
    );
    // The second run reads the cached manifest: the assumptions survive the cache.
    const json = await genai('cost', '--cwd', dir, '--json');
    expect(JSON.parse(json.stdout).assumptions).toEqual([
      { field: 'constraints.budgetUsdPerMonth', value: '1000' },
      { field: 'constraints.dailyActiveUsers', value: '1000' },
      { field: 'constraints.requestsPerUserPerDay', value: '5' },
      { field: 'constraints.latencyP95Ms', value: '3000' },
      { field: 'constraints.dataClass', value: 'internal' },
    ]);
    const markdown = await genai('cost', '--cwd', dir, '--format', 'markdown');
    expect(markdown.stdout).toContain(
      'assumed (not set in genai.yaml; set them under constraints): constraints.budgetUsdPerMonth: 1000',
    );
  });

  it('prints no assumptions line when genai.yaml sets every constraint', async () => {
    const text = await genai('cost', '--cwd', dir);
    expect(text.stdout).not.toContain('assumed (not set in genai.yaml');
  });

  it('fails the budget gate with exit 1 and still returns the report under --json', async () => {
    await writeFile(join(dir, 'genai.yaml'), design.replace('budgetUsdPerMonth: 15000', 'budgetUsdPerMonth: 5000'));
    const text = await genai('cost', '--cwd', dir);
    expect(text.exitCode).toBe(1);
    expect(text.stderr).toContain(
      'error: environment prod: expected $6,009.00/month exceeds its budget of $5,000.00 (constraints.budgetUsdPerMonth)',
    );
    const json = await genai('cost', '--cwd', dir, '--json');
    expect(json.exitCode).toBe(1);
    expect(JSON.parse(json.stdout).gate).toMatchObject({
      ok: false,
      failures: [{ code: 'E_COST_OVER_BUDGET', environment: 'prod' }, { code: 'E_COST_SERVICE_OVER_BUDGET' }],
    });
  });

  it('uses the usage measured in the latest eval run and says so', async () => {
    const run = join(dir, '.genai', 'evals', 'runs', '20251101T120000000Z-ab12');
    await mkdir(run, { recursive: true });
    await copyFile(join(fixtures, 'eval-run', 'run.json'), join(run, 'run.json'));
    await copyFile(join(fixtures, 'eval-run', 'results.jsonl'), join(run, 'results.jsonl'));
    const { exitCode, stdout } = await genai('cost', 'prod', '--cwd', dir, '--from-eval', 'latest', '--json');
    expect(exitCode).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.usage.provenance.inputTokens).toEqual({
      source: 'eval-run',
      detail: 'mean of 5 cases of eval run 20251101T120000000Z-ab12 (range: 10th–90th percentile)',
    });
    expect(report.usage.expected).toEqual({ inputTokens: 1400, outputTokens: 300, embeddingTokens: 30 });
    expect(report.environments[0].components[0].expected).toBeCloseTo(3723.0, 2);
    const missing = await genai('cost', '--cwd', dir, '--from-eval', '20990101T000000000Z-0000');
    expect(missing.exitCode).toBe(2);
  });

  it('compares with a saved report and fails past the allowed increase', async () => {
    const base = await genai('cost', '--cwd', dir, '--json');
    await writeFile(join(dir, 'base.json'), base.stdout);
    const same = await genai('cost', '--cwd', dir, '--diff', 'base.json');
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('prod: $6,009.00 → $6,009.00 (+$0.00, +0%)');
    const grown = await genai(
      'cost',
      '--cwd',
      dir,
      '--diff',
      'base.json',
      '--what-if',
      'users=30000',
      '--format',
      'markdown',
    );
    expect(grown.exitCode).toBe(1);
    expect(grown.stdout).toContain('### Change against base.json');
    expect(grown.stderr).toMatch(
      /environment prod: \+\$2,866\.60\/month \(\+47\.7%\) against base\.json is past the allowed increase \(10%\)/,
    );
    const allowed = await genai(
      'cost',
      '--cwd',
      dir,
      '--diff',
      'base.json',
      '--what-if',
      'users=30000',
      '--max-increase',
      '60%',
    );
    expect(allowed.exitCode).toBe(0);
  });

  it('compares with genai.yaml at a git ref', async () => {
    const git = (...args: string[]) =>
      execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    await git('init', '-q');
    await git('add', 'genai.yaml');
    await git('commit', '-q', '-m', 'base');
    await writeFile(join(dir, 'genai.yaml'), design.replace('topK: 5', 'topK: 10'));
    const { exitCode, stdout, stderr } = await genai('cost', '--cwd', dir, '--diff', 'HEAD', '--json');
    expect(exitCode).toBe(1);
    const report = JSON.parse(stdout);
    // topK 5 → 10 adds 2,000 input tokens: 3,041,666.67 × 2,000 × 0.72 / 1e6 = $4,380 more model cost in prod
    const prod = report.diff.environments.find((env: { name: string }) => env.name === 'prod');
    expect(prod.deltaUsd).toBeGreaterThan(4380);
    expect(report.diff.base).toBe('HEAD');
    expect(stderr).toBe('');
    const bad = await genai('cost', '--cwd', dir, '--diff', 'no-such-ref');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^error: no-such-ref is neither a saved report nor a git ref with genai\.yaml/);
  });

  it('reads --what-if and --max-increase as typed flags: a later --what-if wins, a bad value is our own error, exit 2', async () => {
    const json = await genai(
      'cost',
      'prod',
      '--cwd',
      dir,
      '--json',
      '--what-if',
      'users=40000',
      '--what-if',
      'users=1_000',
    );
    expect(json.exitCode).toBe(0);
    expect(JSON.parse(json.stdout).whatIf).toEqual({ dailyActiveUsers: 1000 });

    const badWhatIf = await genai('cost', '--cwd', dir, '--what-if', 'teams=4');
    expect(badWhatIf.exitCode).toBe(2);
    // oclif's own "did not parse its arguments" warning may follow outside production (NODE_ENV=test).
    const [line] = badWhatIf.stderr.split('\n');
    expect(line).toBe(
      'error: cannot read --what-if "teams=4" — fix: write KEY=NUMBER with KEY one of users, requestsPerUser, peakFactor, input, output, embedding (e.g. --what-if users=40000)',
    );
    expect(badWhatIf.stderr).not.toMatch(/Parsing --|See more help/);
    const badLimit = await genai('cost', '--cwd', dir, '--diff', 'base.json', '--max-increase', 'ten', '--json');
    expect(badLimit.exitCode).toBe(2);
    expect(JSON.parse(badLimit.stdout).error).toEqual({
      code: 'E_COST_MAX_INCREASE',
      message: 'cannot read --max-increase "ten"',
      fix: 'write a percent like 10% or US dollars like 500',
      exitCode: 2,
    });
  });

  it('names an unknown model and the nearest catalog ids, exit 2', async () => {
    await writeFile(
      join(dir, 'genai.yaml'),
      design.replace('meta.llama3-1-70b-instruct-v1:0', 'meta.llama3-1-70b-instruct'),
    );
    const { exitCode, stderr } = await genai('cost', '--cwd', dir);
    expect(exitCode).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^error: model\.id: the price catalog has no bedrock model "meta\.llama3-1-70b-instruct"; nearest: meta\.llama3-1-70b-instruct-v1:0, /,
    );
    const env = await genai('cost', 'production', '--cwd', dir);
    expect(env.exitCode).toBe(2);
  });
});
