import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * A generated project on a machine that has never seen the kit's checkout, as a CI runner is: init here,
 * copy the committed files (no node_modules) to a fresh folder outside the kit's tree, then run the
 * `run:` steps of the generated pull-request workflow there, in order, as the runner would. Slow: npm
 * installs the service's dependencies and the vendored kit's. Runs the built CLI (npm test builds first).
 */
const kit = join(import.meta.dirname, '..', '..');
const bin = join(kit, 'bin', 'run.js');

let work: string;
let made: string;
let runner: string;

interface Step {
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  steps: Step[];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'genai-ci-install-'));
  made = join(work, 'made', 'assistant');
  // As a user runs it: installs, so that package-lock.json exists for npm ci.
  const init = await execa(process.execPath, [bin, 'init', made, '--yes'], { reject: false, all: true });
  expect(init.exitCode, init.all).toBe(0);
  runner = join(work, 'runner', 'assistant');
  await cp(made, runner, {
    recursive: true,
    filter: (source) => !/(^|\/)(node_modules|\.genai)(\/|$)/.test(relative(made, source)),
  });
  // The cost diff compares with the base branch: a repository whose origin/main is this commit.
  const git = (...args: string[]) => execa('git', args, { cwd: runner });
  await git('init', '-q', '-b', 'feature');
  await git('add', '-A');
  await git('-c', 'user.name=ci', '-c', 'user.email=ci@example.invalid', 'commit', '-q', '-m', 'generated');
  await git('update-ref', 'refs/remotes/origin/main', 'HEAD');
}, 300_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** The expressions the steps' env may use, as GitHub would fill them in for a pull request into main. */
const contexts: Record<string, string> = { 'github.base_ref': 'main' };
const expand = (value: string) =>
  value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in contexts)) throw new Error(`the test runner cannot fill in \${{ ${name} }}`);
    return contexts[name]!;
  });

/** Runs a job's `run:` steps with bash -e, as GitHub's runner does, with the step's env and the runner's files. */
async function runJob(job: Job, env: Record<string, string>) {
  const ran: string[] = [];
  for (const step of job.steps) {
    if (!step.run) continue;
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
    const result = await execa('bash', ['-e', '-c', step.run], {
      cwd: runner,
      env: { ...env, ...stepEnv, CI: 'true' },
      reject: false,
      all: true,
    });
    expect(result.exitCode, `${step.run}\n${result.all}`).toBe(0);
    ran.push(step.run);
  }
  return ran;
}

describe('a generated project installs, builds and passes its CI where the kit is not', () => {
  it('the committed files name no path of the machine that made them', async () => {
    expect(relative(kit, runner).startsWith('..')).toBe(true);
    for (const file of ['package.json', 'package-lock.json']) {
      const text = await readFile(join(runner, file), 'utf8');
      expect(text, file).not.toContain(kit);
      expect(text, file).not.toContain(made);
    }
    const lock = JSON.parse(await readFile(join(runner, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/genai-kit'].resolved).toMatch(/^file:vendor\/genai-kit-\d+\.\d+\.\d+\.tgz$/);
  });

  it('runs the check job of the pull-request workflow: npm ci, format, types, build, tests, genai check, cost', async () => {
    const workflow = parse(await readFile(join(runner, '.github', 'workflows', 'ci.yml'), 'utf8'));
    const summary = join(work, 'summary.md');
    await writeFile(summary, '');
    const ran = await runJob(workflow.jobs.check, {
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_BASE_REF: 'main',
      BASE: 'main',
    });
    expect(ran).toEqual(
      expect.arrayContaining(['npm ci', 'npm run format:check', 'npm run build', 'npm test', 'npx genai check']),
    );
    // The cost diff went to the job summary.
    expect(await readFile(summary, 'utf8')).toMatch(/\S/);
  }, 600_000);

  it('runs the evals job: the offline evals pass their gates and land in the summary', async () => {
    const workflow = parse(await readFile(join(runner, '.github', 'workflows', 'ci.yml'), 'utf8'));
    const summary = join(work, 'evals-summary.md');
    const output = join(work, 'evals-output.txt');
    await writeFile(summary, '');
    await writeFile(output, '');
    // npm ci already ran in this folder; run the rest of the job as written.
    const job: Job = { steps: workflow.jobs.evals.steps.filter((s: Step) => s.run !== 'npm ci') };
    await runJob(job, { GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output });
    expect(await readFile(summary, 'utf8')).toMatch(/^## genai eval — ✅ passed/m);
    expect(await readFile(output, 'utf8')).toBe('written=true\n');
  }, 300_000);
});
