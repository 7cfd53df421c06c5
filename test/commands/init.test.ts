import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@oclif/test';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadManifest } from '../../dist/manifest/index.js';

const root = join(import.meta.dirname, '..', '..');
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'genai-init-'));
});
afterEach(() => {
  process.exitCode = undefined;
});

/** Through oclif's test helper, in this process. It splits arguments on spaces, so see `initProcess`. */
async function init(...args: string[]) {
  if (args.some((a) => /\s/.test(a))) throw new Error('runCommand splits on spaces; use initProcess');
  const output = await runCommand(['init', ...args], { root });
  const exitCode = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { ...output, exitCode };
}

/** The built CLI in a child process, for arguments with spaces and for exit codes as a shell sees them. */
async function initProcess(...args: string[]) {
  const result = await execa(process.execPath, [join(root, 'bin', 'run.js'), 'init', ...args], {
    reject: false,
    cwd: work,
  });
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
}

describe('genai init', () => {
  it('--yes --no-install writes a project whose genai.yaml loads, with the local defaults', async () => {
    const dir = join(work, 'demo');
    const { exitCode, stdout } = await init(dir, '--yes', '--no-install');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^Creating genai\.yaml$/m);
    expect(stdout).toMatch(/^Creating \.gitignore$/m);
    const { manifest } = await loadManifest(dir);
    expect(manifest.name).toBe('demo');
    expect(manifest.model.provider).toBe('offline');
    expect(Object.entries(manifest.environments).map(([n, e]) => `${n}:${e.target}`)).toEqual([
      'dev:local',
      'staging:local',
      'prod:local',
    ]);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('demo');
    expect(pkg.scripts['format:check']).toBe('prettier --check .');
    expect(existsSync(join(dir, '.github', 'workflows', 'ci.yml'))).toBe(true);
    expect(existsSync(join(dir, '.github', 'workflows', 'deploy.yml'))).toBe(true);
    expect(existsSync(join(dir, '.github', 'workflows', 'nightly-evals.yml'))).toBe(true);
    expect(existsSync(join(dir, 'evals', 'dataset.jsonl'))).toBe(true);
    expect((await readdir(join(dir, 'data'))).filter((f) => f.endsWith('.md')).length).toBeGreaterThanOrEqual(25);
  });

  it('from a source checkout, vendors the packed kit and depends on it by a relative path', async () => {
    const dir = join(work, 'vendored');
    const { exitCode, stdout } = await init(dir, '--yes', '--no-install');
    expect(exitCode).toBe(0);
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    const tarball = `vendor/genai-kit-${version}.tgz`;
    expect(stdout).toMatch(new RegExp(`^Creating ${tarball.replaceAll('.', '\\.')}$`, 'm'));
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['genai-kit']).toBe(`file:${tarball}`);
    // What npm pack put in: the built kit and what it reads at run time, not its sources or tests.
    const { stdout: listing } = await execa('tar', ['-tzf', join(dir, tarball)]);
    const entries = listing.split('\n');
    for (const path of [
      'package/package.json',
      'package/bin/run.js',
      'package/dist/index.js',
      'package/dist/commands/init.js',
      'package/oclif.manifest.json',
      'package/schema/genai.schema.json',
      'package/templates/manifest/genai.yaml.hbs',
      'package/templates/service/base/.prettierrc.json',
    ])
      expect(entries).toContain(path);
    expect(entries.filter((e) => /^package\/(src|test|node_modules)\//.test(e))).toEqual([]);
    // No path of this machine in what the project commits.
    for (const file of ['package.json', 'genai.yaml', '.github/workflows/ci.yml', 'README.md'])
      expect(await readFile(join(dir, file), 'utf8'), file).not.toContain(root);
  });

  it('--kit-spec replaces the vendored kit', async () => {
    const dir = join(work, 'spec');
    const { exitCode } = await init(dir, '--yes', '--no-install', '--kit-spec', '0.1.0');
    expect(exitCode).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')).devDependencies['genai-kit']).toBe('0.1.0');
    expect(existsSync(join(dir, 'vendor'))).toBe(false);
  });

  it('--force over an unchanged project skips the files that are the same', async () => {
    const dir = join(work, 'again');
    expect((await init(dir, '--yes', '--no-install')).exitCode).toBe(0);
    await writeFile(join(dir, 'genai.yaml'), 'name: changed\n');
    const { exitCode, stdout } = await init(dir, '--yes', '--no-install', '--force');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^Overwriting genai\.yaml$/m);
    expect(stdout).toMatch(/^Skipping package\.json$/m);
    expect(stdout).toMatch(/^Skipping \.github\/workflows\/deploy\.yml$/m);
  });

  it('--target aws --provider bedrock adds a local environment and puts cloud ones in the region', async () => {
    const dir = join(work, 'cloudy');
    const { exitCode } = await init(
      dir,
      '--yes',
      '--no-install',
      '--target',
      'aws',
      '--provider',
      'bedrock',
      '--region',
      'eu-central-1',
      '--ci',
      'gitlab',
    );
    expect(exitCode).toBe(0);
    const { manifest } = await loadManifest(dir);
    expect(manifest.environments.local).toEqual(expect.objectContaining({ target: 'local' }));
    expect(manifest.environments.prod).toEqual(expect.objectContaining({ target: 'aws', region: 'eu-central-1' }));
    expect(manifest.constraints.regions).toEqual(['eu-central-1']);
    expect(manifest.model.id).toBe('meta.llama3-1-70b-instruct-v1:0');
    expect(existsSync(join(dir, '.gitlab-ci.yml'))).toBe(true);
    expect(existsSync(join(dir, '.github'))).toBe(false);
  });

  it('an OpenAI-compatible URL with YAML-special characters lands in genai.yaml unchanged', async () => {
    const dir = join(work, 'compat');
    const url = 'http://localhost:11434/v1?a=1&b="x" #y';
    const { exitCode } = await initProcess(
      dir,
      '--yes',
      '--no-install',
      '--provider',
      'openai-compatible',
      '--base-url',
      url,
    );
    expect(exitCode).toBe(0);
    const raw = parse(await readFile(join(dir, 'genai.yaml'), 'utf8'));
    expect(raw.model.baseUrl).toBe(url);
  });

  it('--dry-run lists the files and writes nothing', async () => {
    const dir = join(work, 'dry');
    const { exitCode, stdout } = await init(dir, '--yes', '--dry-run');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^would create genai\.yaml$/m);
    expect(stdout).toMatch(/nothing written/);
    expect(existsSync(dir)).toBe(false);
  });

  it.each([['../x'], ['a/b'], ['a b'], ['{{x}}'], ['x;rm -rf ~'], ['x'.repeat(300)], ['café'], ['Demo']])(
    'refuses the name %j with exit 2, one line, and writes nothing',
    async (name) => {
      const dir = join(work, 'named');
      const { exitCode, stderr } = await initProcess(dir, '--name', name, '--yes', '--no-install');
      expect(exitCode).toBe(2);
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: --name: project name .+ — fix: /);
      expect(await readdir(work)).toEqual([]);
    },
  );

  it('takes the name from the last segment of DIR, so a folder "a b" needs --name', async () => {
    const refused = await initProcess(join(work, 'a b'), '--yes', '--no-install');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/^error: DIR: project name "a b" contains a space/);
    const accepted = await initProcess(join(work, 'a b'), '--name', 'a-b', '--yes', '--no-install');
    expect(accepted.exitCode).toBe(0);
    expect((await loadManifest(join(work, 'a b'))).manifest.name).toBe('a-b');
  });

  it('refuses a DIR that is a file, and a non-empty folder without --force', async () => {
    await writeFile(join(work, 'file'), 'x');
    const file = await init(join(work, 'file'), '--yes', '--no-install');
    expect(file.exitCode).toBe(2);
    expect(file.stderr).toMatch(/is a file, not a folder/);

    await mkdir(join(work, 'full'));
    await writeFile(join(work, 'full', 'notes.txt'), 'mine');
    const full = await init(join(work, 'full'), '--yes', '--no-install');
    expect(full.exitCode).toBe(2);
    expect(full.stderr).toMatch(/is not empty .* — fix: .*--force/);
    expect(await readdir(join(work, 'full'))).toEqual(['notes.txt']);
  });

  it('refuses combinations that cannot work', async () => {
    const { exitCode, stderr } = await init(join(work, 'pp'), '--yes', '--no-install', '--provider', 'bedrock');
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/bedrock provider needs the aws target/);
    expect(existsSync(join(work, 'pp'))).toBe(false);
  });

  it('without a terminal and without --yes, names the missing flag instead of waiting for an answer', async () => {
    const { exitCode, stderr } = await init(join(work, 'pp'), '--no-install');
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/--target is needed when no terminal can answer — fix: pass --target, or --yes/);
  });

  it('--json reports an error as data with the exit code kept', async () => {
    const { exitCode, stdout } = await initProcess(join(work, 'x y'), '--yes', '--no-install', '--json');
    expect(exitCode).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      error: expect.objectContaining({ code: 'E_NAME', exitCode: 2, field: 'DIR' }),
    });
  });
});
