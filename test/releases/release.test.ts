import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, readlink, realpath, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { createRelease, listReleases, readLedger, readRelease, verifyRelease } from '../../src/releases/index.js';
import { builtReleases, fakeProject, refused, spawnNode } from './helpers.js';

const releasesDir = (dir: string) => join(dir, '.genai', 'releases');
const bundle = (dir: string, id: string) => join(releasesDir(dir), id);

describe('genai release create on the local target', () => {
  it('copies the built service, its corpus and its run-time dependencies into an immutable bundle', async () => {
    const dir = await fakeProject();
    const { release, created, built, dependencies } = await createRelease(dir);
    expect(created).toBe(true);
    expect(built).toBe(false);
    expect(release.id).toMatch(/^r-[0-9a-f]{12}$/);
    expect(release).toMatchObject({
      schema: 'genai-release',
      git: null,
      model: { provider: 'offline', id: 'offline-extractive' },
      embeddings: { provider: 'offline', id: 'offline-hash-384', dimensions: 384 },
      artifact: {
        kind: 'local-bundle',
        path: `.genai/releases/${release.id}`,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
      dependencies: { lockHash: dependencies.lockHash, packages: 1 },
    });
    const here = bundle(dir, release.id);
    for (const file of [
      'dist/server.js',
      'dist/ingest.js',
      'data/export.md',
      'package.json',
      'package-lock.json',
      'genai.yaml',
    ]) {
      expect(existsSync(join(here, file)), file).toBe(true);
    }
    expect(existsSync(join(here, 'src'))).toBe(false);
    // release.json is read-only and says what createRelease returned.
    expect((await stat(join(here, 'release.json'))).mode & 0o222).toBe(0);
    expect(JSON.parse(await readFile(join(here, 'release.json'), 'utf8'))).toEqual(release);
    // Run-time packages only, through a relative link to the shared dependency set.
    expect(await readlink(join(here, 'node_modules'))).toBe(
      join('..', '..', 'deps', dependencies.lockHash, 'node_modules'),
    );
    expect(await readFile(join(here, 'node_modules', 'tiny-dep', 'index.js'), 'utf8')).toBe('export const tiny = 1;\n');
    expect(existsSync(join(here, 'node_modules', 'dev-tool'))).toBe(false);
    // The ledger records it.
    const { entries } = await readLedger(dir);
    expect(entries).toEqual([expect.objectContaining({ seq: 1, kind: 'release.created', releaseId: release.id })]);
  });

  it('is content-addressed: unchanged content gives the same release, not a second one', async () => {
    const dir = await fakeProject();
    const first = await createRelease(dir);
    const again = await createRelease(dir);
    expect(again.created).toBe(false);
    expect(again.release).toEqual(first.release);
    expect((await readdir(releasesDir(dir))).filter((n) => n.startsWith('r-'))).toEqual([first.release.id]);
    expect((await readLedger(dir)).entries.filter((e) => e.kind === 'release.created')).toHaveLength(1);
  });

  it('a changed build gives a new release that shares the dependency set', async () => {
    const dir = await fakeProject();
    const first = await createRelease(dir);
    await writeFile(join(dir, 'dist', 'server.js'), 'console.log("serving v2");\n');
    const second = await createRelease(dir);
    expect(second.created).toBe(true);
    expect(second.release.id).not.toBe(first.release.id);
    expect(second.dependencies).toMatchObject({ lockHash: first.dependencies.lockHash, reused: true });
    expect(await realpath(join(bundle(dir, second.release.id), 'node_modules'))).toBe(
      await realpath(join(bundle(dir, first.release.id), 'node_modules')),
    );
    expect((await listReleases(dir)).map((r) => r.id)).toEqual([first.release.id, second.release.id]);
  });

  it('a changed configuration or corpus gives a new release', async () => {
    const dir = await fakeProject();
    const first = (await createRelease(dir)).release;
    const yaml = await readFile(join(dir, 'genai.yaml'), 'utf8');
    await writeFile(join(dir, 'genai.yaml'), yaml.replace('id: offline-extractive', 'id: offline-extractive-2'));
    const second = (await createRelease(dir)).release;
    expect(second.id).not.toBe(first.id);
    expect(second.configHash).not.toBe(first.configHash);
    expect(second.model.id).toBe('offline-extractive-2');
    await writeFile(join(dir, 'data', 'new.md'), '# New\n');
    const third = (await createRelease(dir)).release;
    expect(third.corpusHash).not.toBe(second.corpusHash);
    expect(third.id).not.toBe(second.id);
  });

  it('keeps its own copy: later edits to the project do not reach it, and tampering is detected', async () => {
    const dir = await fakeProject();
    const { release } = await createRelease(dir);
    await writeFile(join(dir, 'dist', 'server.js'), 'console.log("edited after the release");\n');
    await writeFile(join(dir, 'data', 'export.md'), '# Export, rewritten\n');
    await writeFile(join(dir, 'node_modules', 'tiny-dep', 'index.js'), 'export const tiny = 2;\n');
    const here = bundle(dir, release.id);
    expect(await readFile(join(here, 'dist', 'server.js'), 'utf8')).toBe('console.log("serving");\n');
    expect(await readFile(join(here, 'data', 'export.md'), 'utf8')).toContain('Reports → Export CSV.');
    expect(await readFile(join(here, 'node_modules', 'tiny-dep', 'index.js'), 'utf8')).toBe('export const tiny = 1;\n');
    expect(await verifyRelease(dir, release.id)).toEqual({ intact: true, problems: [] });

    await chmod(join(here, 'dist', 'server.js'), 0o644);
    await writeFile(join(here, 'dist', 'server.js'), 'console.log("patched in place");\n');
    expect(await verifyRelease(dir, release.id)).toEqual({
      intact: false,
      problems: [expect.stringContaining('changed')],
    });
  });

  it('records the git commit and whether the work tree had changes', async () => {
    const dir = await fakeProject();
    const git = (...args: string[]) =>
      execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir });
    await writeFile(join(dir, '.gitignore'), 'node_modules/\ndist/\n.genai/\n');
    await git('init', '-q');
    await git('add', '.');
    await git('commit', '-qm', 'first');
    const head = (await git('rev-parse', 'HEAD')).stdout.trim();
    expect((await createRelease(dir)).release.git).toEqual({ commit: head, dirty: false });
    await writeFile(join(dir, 'data', 'draft.md'), '# Draft\n');
    expect((await createRelease(dir)).release.git).toEqual({ commit: head, dirty: true });
  });

  it('refuses dependencies that do not match the lockfile', async () => {
    const dir = await fakeProject();
    await writeFile(
      join(dir, 'node_modules', 'tiny-dep', 'package.json'),
      JSON.stringify({ name: 'tiny-dep', version: '1.0.1' }),
    );
    const error = await refused(createRelease(dir));
    expect(error).toMatchObject({ code: 'E_DEPS_MISMATCH', exitCode: 3, fix: 'run npm ci in the project' });
    expect(error.message).toBe('node_modules/tiny-dep is 1.0.1 but package-lock.json pins 1.0.0');
    expect(existsSync(releasesDir(dir))).toBe(false);
  });

  it('leaves no release behind when killed mid-copy, and the next run cleans up and succeeds', async () => {
    const dir = await fakeProject({ distFiles: 3000 });
    const child = spawnNode(`
      const { createRelease } = await import(${JSON.stringify(builtReleases)});
      await createRelease(${JSON.stringify(dir)});`);
    const exited = new Promise((resolve) => child.on('close', resolve));
    const copying = async () => {
      for (;;) {
        const names = await readdir(releasesDir(dir)).catch(() => []);
        if (names.some((n) => n.startsWith('.tmp-'))) return true;
        if (names.some((n) => n.startsWith('r-')) || child.exitCode !== null) return false;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };
    expect(await copying()).toBe(true);
    child.kill('SIGKILL');
    await exited;
    const left = await readdir(releasesDir(dir));
    expect(left.filter((n) => n.startsWith('r-'))).toEqual([]);
    expect(left.filter((n) => n.startsWith('.tmp-'))).toHaveLength(1);
    expect(await listReleases(dir)).toEqual([]);
    expect((await readLedger(dir)).entries).toEqual([]);

    const { release, created } = await createRelease(dir);
    expect(created).toBe(true);
    expect(await readdir(releasesDir(dir))).toEqual([release.id]);
    expect(await verifyRelease(dir, release.id)).toMatchObject({ intact: true });
  });
});

describe('reading releases', () => {
  it('finds one by id or a unique prefix', async () => {
    const dir = await fakeProject();
    const { release } = await createRelease(dir);
    expect(await readRelease(dir, release.id)).toEqual(release);
    expect(await readRelease(dir, release.id.slice(0, 6))).toEqual(release);
  });

  it('names what exists and the nearest id when asked for one that does not (exit 2)', async () => {
    const dir = await fakeProject();
    const { release } = await createRelease(dir);
    const typo = `${release.id.slice(0, -1)}${release.id.endsWith('0') ? '1' : '0'}`;
    const error = await refused(readRelease(dir, typo));
    expect(error).toMatchObject({ code: 'E_NO_RELEASE', exitCode: 2, location: '.genai/releases' });
    expect(error.message).toBe(`no release ${typo} (it has ${release.id})`);
    expect(error.fix).toBe(`did you mean ${release.id}? genai release list shows them all`);
    expect((await refused(readRelease(dir, 'r-zzzzzzzzzzzz'))).fix).toBe('genai release list');
  });

  it('says so when there are none yet', async () => {
    const dir = await fakeProject();
    const error = await refused(readRelease(dir, 'r-123456789abc'));
    expect(error.message).toBe('no release r-123456789abc (there are none yet)');
    expect(error.fix).toBe('make one with genai release create');
    expect(await listReleases(dir)).toEqual([]);
  });
});
