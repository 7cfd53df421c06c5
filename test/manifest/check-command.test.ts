import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const designExample = join(root, 'test', 'fixtures', 'design-example.yaml');

const genai = (...args: string[]) =>
  execa('node', [join(root, 'bin', 'run.js'), ...args], { reject: false, env: { NO_COLOR: '1' } });

let dir: string;
beforeAll(() => {
  expect(existsSync(join(root, 'dist', 'commands', 'check.js')), 'build first: npx tsc -p tsconfig.build.json').toBe(
    true,
  );
});
const evalCases = join(root, 'test', 'fixtures', 'evals', 'dataset.jsonl');
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genai-check-'));
  // The eval dataset evals.dataset names (evals/dataset.jsonl, also its default): genai check reads it.
  await mkdir(join(dir, 'evals'));
  await copyFile(evalCases, join(dir, 'evals', 'dataset.jsonl'));
});

async function badManifest(): Promise<void> {
  const text = await readFile(designExample, 'utf8');
  await writeFile(
    join(dir, 'genai.yaml'),
    text.replace('prod:    { target: aws, region: eu-west-1', 'prod:    { target: aws, region: us-east-1'),
  );
}

describe('genai check', () => {
  it('passes the reference manifest: warnings only, exit 0', async () => {
    await copyFile(designExample, join(dir, 'genai.yaml'));
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(
      /^warning genai\.yaml:9:38 model\.id: meta\.llama3-1-70b-instruct-v1:0 is not offered on Bedrock in eu-west-1 .* — fix: /m,
    );
    // The catalog's prices were checked long ago: the budget check says so rather than trusting them.
    expect(stdout).toMatch(
      /^warning genai\.yaml:1:1 cost\.prices: \d+ price\(s\) behind the estimate were checked more than \d+ days ago/m,
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('genai.yaml is valid: 0 errors, 2 warnings');
  });

  it('fails a prod environment outside the allowed regions: one line per finding, exit 2', async () => {
    await badManifest();
    const { exitCode, stdout, stderr } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(2);
    expect(stdout).toMatch(
      /^error genai\.yaml:23:35 environments\.prod\.region: environment prod is in us-east-1, outside constraints\.regions \(eu-west-1, eu-central-1\) — fix: use one of eu-west-1, eu-central-1, or add us-east-1 to constraints\.regions if the data may live there$/m,
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('genai.yaml has problems: 1 error, 3 warnings');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('fails a budget the expected monthly cost exceeds, located at the budget', async () => {
    const text = await readFile(designExample, 'utf8');
    await writeFile(join(dir, 'genai.yaml'), text.replace('budgetUsdPerMonth: 15000', 'budgetUsdPerMonth: 500'));
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(2);
    expect(stdout).toMatch(
      /^error genai\.yaml:3:22 constraints\.budgetUsdPerMonth: environment prod: expected \$[\d,.]+\/month exceeds its budget of \$500\.00/m,
    );
  });

  it('prints every schema problem, not just the first', async () => {
    const text = await readFile(designExample, 'utf8');
    await writeFile(
      join(dir, 'genai.yaml'),
      text
        .replace('budgetUsdPerMonth: 15000', 'budgetUSDPerMonth: 15000')
        .replace('dataClass: phi', 'dataClass: secret'),
    );
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(2);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^error genai\.yaml:3:3 constraints\.budgetUSDPerMonth: unknown key budgetUSDPerMonth; did you mean budgetUsdPerMonth\? — fix: rename it to budgetUsdPerMonth$/,
    );
    expect(lines[1]).toMatch(
      /^error genai\.yaml:8:14 constraints\.dataClass: expected one of public, internal, pii, phi, found the string "secret"/,
    );
    expect(lines.at(-1)).toBe('genai.yaml has problems: 2 errors, 0 warnings');
  });

  it('a manifest of only a name and one environment is valid: each defaulted constraint is a warning, exit 0', async () => {
    await writeFile(join(dir, 'genai.yaml'), 'name: xy\nenvironments:\n  local: { target: local }\n');
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(0);
    expect(stdout).toContain(
      'warning genai.yaml:1:1 constraints.budgetUsdPerMonth: not set; genai assumes the default 1000 — fix: set budgetUsdPerMonth under constraints in genai.yaml, e.g. budgetUsdPerMonth: 1000',
    );
    expect(stdout).toMatch(
      /^warning genai\.yaml:1:1 constraints\.regions: not set; genai assumes the default \[us-east-1\]/m,
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('genai.yaml is valid: 0 errors, 6 warnings');
  });

  it('a score threshold of 1.7 is a located error naming the range, exit 2', async () => {
    const text = await readFile(designExample, 'utf8');
    expect(text).toContain('groundedness: 0.85');
    await writeFile(join(dir, 'genai.yaml'), text.replace('groundedness: 0.85', 'groundedness: 1.7'));
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(2);
    expect(stdout).toMatch(
      /^error genai\.yaml:\d+:\d+ evals\.thresholds\.groundedness: groundedness is a score in the range 0\.\.1, found 1\.7 — fix: set groundedness to a number from 0 to 1/m,
    );
  });

  it('a one-letter name is refused with the 2 to 63 characters rule, exit 2', async () => {
    await writeFile(join(dir, 'genai.yaml'), '{ "name": "x", "environments": { "local": { "target": "local" } } }\n');
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(2);
    expect(stdout).toContain(
      'error genai.yaml:1:11 name: the name "x" is 1 character long; a name has 2 to 63 characters',
    );
  });

  it('a dataset evals.dataset names that does not exist is an error located at evals.dataset, exit 2', async () => {
    const text = await readFile(designExample, 'utf8');
    await writeFile(
      join(dir, 'genai.yaml'),
      text.replace('dataset: evals/dataset.jsonl', 'dataset: evals/cases.jsonl'),
    );
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(2);
    expect(stdout).toMatch(
      /^error genai\.yaml:14:12 evals\.dataset: evals\.dataset names evals\/cases\.jsonl, which does not exist — fix: create evals\/cases\.jsonl/m,
    );
  });

  it('a dataset case that does not parse is an error located at its line and field, exit 2', async () => {
    await copyFile(designExample, join(dir, 'genai.yaml'));
    await writeFile(
      join(dir, 'evals', 'dataset.jsonl'),
      '{"id":"ok","input":{"question":"How do I export?"}}\n{"id":"bad","input":{"question":"Hi"},"expected":{"refusal":"yes"}}\n',
    );
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(2);
    expect(stdout).toMatch(/^error evals\/dataset\.jsonl:2 expected\.refusal: .*expected boolean.* — fix: /m);
  });

  it('a default dataset that does not exist yet is a warning, not an error', async () => {
    await rm(join(dir, 'evals'), { recursive: true });
    await writeFile(join(dir, 'genai.yaml'), 'name: xy\nenvironments:\n  local: { target: local }\n');
    const { exitCode, stdout } = await genai('check', '--cwd', dir);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(
      /^warning genai\.yaml:1:1 evals\.dataset: no eval dataset: evals\.dataset defaults to evals\/dataset\.jsonl, which does not exist/m,
    );
    expect(stdout.trim().split('\n').at(-1)).toBe('genai.yaml is valid: 0 errors, 7 warnings');
  });

  it('--json returns { ok, findings } and keeps exit code 2', async () => {
    await badManifest();
    const { exitCode, stdout } = await genai('check', '--cwd', dir, '--json');
    expect(exitCode).toBe(2);
    const report = JSON.parse(stdout) as { ok: boolean; findings: Array<Record<string, string>> };
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => `${f.level} ${f.code}`)).toEqual([
      'warning E_CHECK_ID_REGION',
      'warning E_CHECK_ID_REGION',
      'error E_CHECK_REGION',
      'warning W_COST_STALE_PRICES',
    ]);
    expect(report.findings[2]).toEqual({
      level: 'error',
      code: 'E_CHECK_REGION',
      message: 'environment prod is in us-east-1, outside constraints.regions (eu-west-1, eu-central-1)',
      fix: 'use one of eu-west-1, eu-central-1, or add us-east-1 to constraints.regions if the data may live there',
      location: 'genai.yaml:23:35',
      field: 'environments.prod.region',
    });
  });

  it('--json on a good manifest: ok true, exit 0', async () => {
    await copyFile(designExample, join(dir, 'genai.yaml'));
    const { exitCode, stdout } = await genai('check', '--cwd', dir, '--json');
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      findings: [
        { level: 'warning', field: 'model.id' },
        { level: 'warning', code: 'W_COST_STALE_PRICES' },
      ],
    });
  });

  it('without genai.yaml: exit 2 with the fix, as text and as JSON', async () => {
    const text = await genai('check', '--cwd', dir);
    expect(text.exitCode).toBe(2);
    expect(text.stderr.trim()).toBe(`error: no genai.yaml in ${dir} — fix: run genai init, or pass --cwd`);
    const json = await genai('check', '--cwd', dir, '--json');
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'E_MANIFEST_NOT_FOUND',
        message: `no genai.yaml in ${dir}`,
        fix: 'run genai init, or pass --cwd',
        exitCode: 2,
      },
    });
  });
});
