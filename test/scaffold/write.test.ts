import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeFiles, writeProject } from '../../src/scaffold/write.js';
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
