import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@oclif/test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..');
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'genai-ci-'));
});
afterEach(() => {
  process.exitCode = undefined;
});

/** The built CLI in this process, as the user types it. */
async function genai(...args: string[]) {
  const output = await runCommand(args, { root });
  const exitCode = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { ...output, exitCode };
}

/** A project as init writes it, without installing (the kit spec keeps init from packing the kit). */
async function project(name: string, ...flags: string[]) {
  const dir = join(work, name);
  const init = await genai(
    'init',
    dir,
    '--name',
    'assistant',
    '--yes',
    '--no-install',
    '--kit-spec',
    '0.1.0',
    ...flags,
  );
  expect(init.exitCode, init.stderr).toBe(0);
  return dir;
}

const workflows = ['.github/workflows/ci.yml', '.github/workflows/deploy.yml', '.github/workflows/nightly-evals.yml'];

describe('genai ci', () => {
  it('writes the same pipelines init writes: one generator for both', async () => {
    const bare = await project('bare', '--ci', 'none');
    expect(existsSync(join(bare, '.github'))).toBe(false);
    const { stdout, exitCode } = await genai('ci', 'github', '--cwd', bare);
    expect(exitCode).toBe(0);
    for (const path of workflows) expect(stdout).toMatch(new RegExp(`^Creating ${path.replaceAll('.', '\\.')}$`, 'm'));
    expect(stdout).toMatch(/^github pipelines delivering dev → staging → prod \(approval\)$/m);

    const initialised = await project('initialised', '--ci', 'github');
    for (const path of workflows)
      expect(await readFile(join(bare, path), 'utf8'), path).toBe(await readFile(join(initialised, path), 'utf8'));

    const gitlab = await project('gl', '--ci', 'gitlab');
    const again = await genai('ci', 'gitlab', '--cwd', gitlab);
    expect(again.stdout).toMatch(/^Skipping \.gitlab-ci\.yml$/m);
  });

  it('skips files that hold the same content, and refuses to overwrite an edited one without --force', async () => {
    const dir = await project('edited');
    const same = await genai('ci', 'github', '--cwd', dir);
    expect(same.exitCode).toBe(0);
    for (const path of workflows)
      expect(same.stdout).toMatch(new RegExp(`^Skipping ${path.replaceAll('.', '\\.')}$`, 'm'));

    const deploy = join(dir, '.github', 'workflows', 'deploy.yml');
    await writeFile(deploy, '# my own deploy\n');
    const refused = await genai('ci', 'github', '--cwd', dir);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: \.github\/workflows\/deploy\.yml already exists with other content — fix: pass --force/m,
    );
    expect(await readFile(deploy, 'utf8')).toBe('# my own deploy\n');
    expect((await readdir(dir)).filter((e) => e.startsWith('.genai-write-'))).toEqual([]);

    const forced = await genai('ci', 'github', '--cwd', dir, '--force');
    expect(forced.exitCode).toBe(0);
    expect(forced.stdout).toMatch(/^Overwriting \.github\/workflows\/deploy\.yml$/m);
    expect(forced.stdout).toMatch(/^Skipping \.github\/workflows\/ci\.yml$/m);
    expect(await readFile(deploy, 'utf8')).toMatch(/^name: deploy$/m);
  });

  it('--dry-run says what it would do and writes nothing', async () => {
    const dir = await project('dry', '--ci', 'none');
    const { stdout, exitCode } = await genai('ci', 'gitlab', '--cwd', dir, '--dry-run');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^would create \.gitlab-ci\.yml$/m);
    expect(stdout).toMatch(/nothing written/);
    expect(existsSync(join(dir, '.gitlab-ci.yml'))).toBe(false);
  });

  it('follows genai.yaml: fewer environments, fewer jobs; --json reports the chain', async () => {
    const dir = await project('follows', '--environments', 'dev,prod');
    const manifest = join(dir, 'genai.yaml');
    const text = await readFile(manifest, 'utf8');
    await writeFile(manifest, text.replace(/^ {2}prod: .*\n/m, '').replace(/^ {2}approval: .*\n/m, ''));
    const { stdout, exitCode } = await genai('ci', 'github', '--cwd', dir, '--force', '--json');
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.spec.stages.map((s: { env: string }) => s.env)).toEqual(['dev']);
    expect(result.files).toContainEqual({ path: '.github/workflows/deploy.yml', action: 'overwrite' });
    const deploy = parse(await readFile(join(dir, '.github', 'workflows', 'deploy.yml'), 'utf8'));
    expect(Object.keys(deploy.jobs)).toEqual(['release', 'deploy-dev']);
  });

  it('without genai.yaml: exit 2 and a fix, nothing written', async () => {
    const { stderr, exitCode } = await genai('ci', 'github', '--cwd', work);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/^error: .*genai\.yaml.* — fix: /m);
    expect(await readdir(work)).toEqual([]);
  });

  it('refuses a provider it does not know', async () => {
    const { stderr, exitCode } = await genai('ci', 'jenkins', '--cwd', work);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/jenkins/);
  });
});
