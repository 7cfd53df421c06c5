import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeFiles, writeProject, type StagingRecovery } from '../../src/scaffold/write.js';
import { GenaiError } from '../../src/errors.js';

const file = (path: string, text = path) => ({ path, content: Buffer.from(text) });

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'genai-write-'));
});

async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('writing a project', () => {
  it('creates a new folder (and its parents) with every file', async () => {
    const dir = join(root, 'a', 'b', 'demo');
    const actions = await writeProject(dir, [file('genai.yaml'), file('src/app.ts'), file('.gitignore')]);
    expect(await tree(dir)).toEqual(['.gitignore', 'genai.yaml', 'src/app.ts']);
    expect([...actions.values()]).toEqual(['create', 'create', 'create']);
  });

  it('refuses a non-empty folder without --force, and leaves it as it was', async () => {
    await writeFile(join(root, 'notes.txt'), 'mine');
    const error = await writeProject(root, [file('genai.yaml')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenaiError);
    expect((error as GenaiError).code).toBe('E_TARGET_NOT_EMPTY');
    expect((error as GenaiError).exitCode).toBe(2);
    expect(await tree(root)).toEqual(['notes.txt']);
  });

  it('refuses a DIR that is a file', async () => {
    await writeFile(join(root, 'x'), '');
    const error = (await writeProject(join(root, 'x'), [file('a')]).catch((e: unknown) => e)) as GenaiError;
    expect(error.code).toBe('E_TARGET_NOT_DIR');
  });

  it('with --force overwrites only the files it writes and keeps the rest', async () => {
    await writeFile(join(root, 'genai.yaml'), 'old');
    await writeFile(join(root, 'notes.txt'), 'mine');
    const actions = await writeProject(root, [file('genai.yaml', 'new'), file('README.md')], { force: true });
    expect(actions.get('genai.yaml')).toBe('overwrite');
    expect(actions.get('README.md')).toBe('create');
    expect(await readFile(join(root, 'genai.yaml'), 'utf8')).toBe('new');
    expect(await readFile(join(root, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await tree(root)).toEqual(['README.md', 'genai.yaml', 'notes.txt']);
  });

  it('a failure half-way leaves no new folder behind', async () => {
    const dir = join(root, 'fresh');
    // "x" as a file and "x/y" as a file cannot both exist: the write fails after the first file.
    await expect(writeProject(dir, [file('a.txt'), file('x'), file('x/y')])).rejects.toThrow();
    expect(await readdir(root)).toEqual([]);
  });

  it('a failure while moving files in with --force restores what it replaced and removes what it added', async () => {
    await writeFile(join(root, 'a.txt'), 'original');
    await writeFile(join(root, 'conf'), 'a file where the plan needs a folder');
    // Staging succeeds; moving conf/x.txt into place fails after a.txt and new/b.txt were moved in.
    await expect(
      writeProject(root, [file('a.txt', 'replaced'), file('new/b.txt'), file('conf/x.txt')], { force: true }),
    ).rejects.toThrow();
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe('original');
    expect((await readdir(root)).sort()).toEqual(['a.txt', 'conf']);
  });

  it('Ctrl-C while writing leaves no project behind and says nothing was written', async () => {
    const dir = join(root, 'interrupted');
    const files = Array.from({ length: 2000 }, (_, i) => file(`src/part-${i}.ts`));
    const ctrlC = new AbortController();
    // Abort as soon as the writer has created the folder, i.e. while it is writing.
    const poll = setInterval(() => {
      if (existsSync(dir)) {
        clearInterval(poll);
        ctrlC.abort();
      }
    }, 0);
    const error = (await writeProject(dir, files, { signal: ctrlC.signal }).catch((e: unknown) => e)) as GenaiError;
    clearInterval(poll);
    expect(ctrlC.signal.aborted).toBe(true);
    expect(error.code).toBe('E_INTERRUPTED');
    expect(error.exitCode).toBe(130);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('writing files into an existing project', () => {
  it('creates new files, skips identical ones and leaves every other file alone', async () => {
    await writeFile(join(root, 'genai.yaml'), 'mine');
    await writeFile(join(root, 'same.yml'), 'same');
    const logged: string[] = [];
    const actions = await writeFiles(root, [file('ci/new.yml', 'new'), file('same.yml', 'same')], {
      onFile: (path, action) => logged.push(`${action} ${path}`),
    });
    expect(Object.fromEntries(actions)).toEqual({ 'ci/new.yml': 'create', 'same.yml': 'skip' });
    expect(logged).toEqual(['create ci/new.yml', 'skip same.yml']);
    expect(await tree(root)).toEqual(['ci/new.yml', 'genai.yaml', 'same.yml']);
    expect(await readFile(join(root, 'genai.yaml'), 'utf8')).toBe('mine');
  });

  it('refuses a file that exists with other content, names it, and writes nothing', async () => {
    await writeFile(join(root, 'deploy.yml'), 'edited by hand');
    const error = (await writeFiles(root, [file('a.yml'), file('deploy.yml', 'generated')]).catch(
      (e: unknown) => e,
    )) as GenaiError;
    expect(error.code).toBe('E_FILES_EXIST');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/deploy\.yml/);
    expect(error.fix).toMatch(/--force/);
    expect(await tree(root)).toEqual(['deploy.yml']);
    expect(await readFile(join(root, 'deploy.yml'), 'utf8')).toBe('edited by hand');
  });

  it('with --force overwrites it', async () => {
    await writeFile(join(root, 'deploy.yml'), 'edited by hand');
    const actions = await writeFiles(root, [file('deploy.yml', 'generated')], { force: true });
    expect(actions.get('deploy.yml')).toBe('overwrite');
    expect(await readFile(join(root, 'deploy.yml'), 'utf8')).toBe('generated');
  });
});

describe('a write killed half-way (SIGKILL) is undone by the next one', () => {
  /** The pid of a process that has exited, as a killed genai's journal would name it. */
  async function deadPid(): Promise<number> {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => child.once('exit', r));
    return child.pid!;
  }

  /**
   * The folder as writeProject leaves it when killed while moving files in with --force: genai.yaml moved
   * aside and replaced, README.md moved in, src/app.ts still staged.
   */
  async function killedMidMove(dir: string, createdRoot: boolean, pid: number): Promise<string> {
    const staging = join(dir, '.genai-write-0badc0de');
    await mkdir(join(staging, '.replaced'), { recursive: true });
    await mkdir(join(staging, 'new', 'src'), { recursive: true });
    await writeFile(
      join(staging, 'journal.json'),
      JSON.stringify({
        pid,
        host: hostname(),
        createdRoot,
        files: [
          { path: 'genai.yaml', replaces: !createdRoot },
          { path: 'README.md', replaces: false },
          { path: 'src/app.ts', replaces: false },
        ],
      }),
    );
    if (!createdRoot) await writeFile(join(staging, '.replaced', 'genai.yaml'), 'original');
    await writeFile(join(dir, 'genai.yaml'), 'new');
    await writeFile(join(dir, 'README.md'), 'new');
    await writeFile(join(staging, 'new', 'src', 'app.ts'), 'new');
    return staging;
  }

  it('restores the originals --force had moved aside, removes what it had added, and refuses no longer', async () => {
    await writeFile(join(root, 'notes.txt'), 'mine');
    await killedMidMove(root, false, await deadPid());
    const recovered: StagingRecovery[] = [];
    const actions = await writeProject(root, [file('genai.yaml', 'fresh'), file('src/app.ts')], {
      force: true,
      onRecovered: (r) => recovered.push(r),
    });
    expect(recovered).toEqual([{ staging: '.genai-write-0badc0de', restored: ['genai.yaml'], removed: ['README.md'] }]);
    // The original was back before this write replaced it again.
    expect(actions.get('genai.yaml')).toBe('overwrite');
    expect(await tree(root)).toEqual(['genai.yaml', 'notes.txt', 'src/app.ts']);
  });

  it('without --force, a folder the killed write had made counts as empty again', async () => {
    const dir = join(root, 'demo');
    await mkdir(dir);
    await killedMidMove(dir, true, await deadPid());
    const recovered: StagingRecovery[] = [];
    await writeProject(dir, [file('genai.yaml', 'fresh')], { onRecovered: (r) => recovered.push(r) });
    expect(recovered[0]?.removed.sort()).toEqual(['README.md', 'genai.yaml']);
    expect(await tree(dir)).toEqual(['genai.yaml']);
    expect(await readFile(join(dir, 'genai.yaml'), 'utf8')).toBe('fresh');
  });

  it('a folder with only the original files after recovery is still refused without --force', async () => {
    await killedMidMove(root, false, await deadPid());
    const error = (await writeProject(root, [file('genai.yaml')]).catch((e: unknown) => e)) as GenaiError;
    expect(error.code).toBe('E_TARGET_NOT_EMPTY');
    expect(await readFile(join(root, 'genai.yaml'), 'utf8')).toBe('original');
    expect(await tree(root)).toEqual(['genai.yaml']);
  });

  it('leaves the staging folder of a write that is still running alone and says who writes (exit 3)', async () => {
    const staging = await killedMidMove(root, false, process.ppid);
    const error = (await writeProject(root, [file('genai.yaml')], { force: true }).catch(
      (e: unknown) => e,
    )) as GenaiError;
    expect(error.code).toBe('E_WRITE_IN_PROGRESS');
    expect(error.exitCode).toBe(3);
    expect(existsSync(staging)).toBe(true);
  });
});
