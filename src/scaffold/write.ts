import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { usageError, GenaiError, ExitCode } from '../errors.js';
import type { PlannedFile } from './plan.js';

export type WriteAction = 'create' | 'overwrite';

export interface WriteOptions {
  force?: boolean | undefined;
  /** Called once per file after the whole project is in place. */
  onFile?: ((path: string, action: WriteAction) => void) | undefined;
  /** Aborted by Ctrl-C: the write stops and puts the folder back as it was. */
  signal?: AbortSignal | undefined;
}

/** What is in the target folder now, before anything is written. */
export async function inspectTarget(dir: string): Promise<{ exists: boolean; entries: string[] }> {
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, entries: [] };
    throw err;
  }
  if (!info.isDirectory()) {
    throw usageError('E_TARGET_NOT_DIR', `${dir} is a file, not a folder`, {
      fix: 'choose another DIR, or remove that file',
    });
  }
  return { exists: true, entries: await readdir(dir) };
}

/** Which planned files would replace existing ones. */
export async function existingFiles(dir: string, files: PlannedFile[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const file of files) {
    try {
      await stat(join(dir, file.path));
      found.add(file.path);
    } catch {
      /* absent */
    }
  }
  return found;
}

/**
 * Writes a project so that a failure or an abort (Ctrl-C) leaves the target as it was: every file is first
 * written to a staging folder inside the target (same file system, so renames are atomic), then renamed into
 * place; files that --force replaces are kept aside until the end and put back on failure.
 */
export async function writeProject(
  dir: string,
  files: PlannedFile[],
  options: WriteOptions = {},
): Promise<Map<string, WriteAction>> {
  const target = await inspectTarget(dir);
  const existing = target.entries.filter((e) => e !== '.git');
  if (existing.length > 0 && !options.force) {
    throw usageError(
      'E_TARGET_NOT_EMPTY',
      `${dir} is not empty (${existing.slice(0, 3).join(', ')}${existing.length > 3 ? ', …' : ''})`,
      {
        fix: 'choose an empty or new DIR, or pass --force to overwrite the files genai writes',
      },
    );
  }

  const checkpoint = () => {
    if (options.signal?.aborted)
      throw new GenaiError('E_INTERRUPTED', 'interrupted; nothing was written', { exitCode: ExitCode.interrupted });
  };

  const createdRoot = target.exists ? undefined : await mkdir(dir, { recursive: true });
  const staging = join(dir, `.genai-init-${randomBytes(4).toString('hex')}`);
  const backups = join(staging, '.replaced');
  const moved: string[] = [];
  const replaced: string[] = [];
  const actions = new Map<string, WriteAction>();
  try {
    for (const file of files) {
      checkpoint();
      const path = join(staging, 'new', file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
    }
    const overwritten = await existingFiles(dir, files);
    for (const file of files) {
      checkpoint();
      const destination = join(dir, file.path);
      await mkdir(dirname(destination), { recursive: true });
      if (overwritten.has(file.path)) {
        const backup = join(backups, file.path);
        await mkdir(dirname(backup), { recursive: true });
        await rename(destination, backup);
        replaced.push(file.path);
      }
      await rename(join(staging, 'new', file.path), destination);
      moved.push(file.path);
      actions.set(file.path, overwritten.has(file.path) ? 'overwrite' : 'create');
    }
    checkpoint();
  } catch (err) {
    await rollback();
    throw err;
  }
  await rm(staging, { recursive: true, force: true });
  for (const [path, action] of actions) options.onFile?.(path, action);
  return actions;

  async function rollback(): Promise<void> {
    if (createdRoot) {
      await rm(createdRoot, { recursive: true, force: true });
      return;
    }
    for (const path of moved) await rm(join(dir, path), { force: true });
    for (const path of replaced) await rename(join(backups, path), join(dir, path)).catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
    await removeEmptyDirs(dir, moved);
  }
}

/** After a rollback, removes the folders this write created and left empty. */
async function removeEmptyDirs(root: string, paths: string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const path of paths) {
    let d = dirname(path);
    while (d !== '.' && d !== '') {
      dirs.add(d);
      d = dirname(d);
    }
  }
  for (const d of [...dirs].sort((a, b) => b.length - a.length)) {
    const full = join(root, d);
    if ((await readdir(full).catch(() => ['?'])).length === 0) await rm(full, { recursive: true, force: true });
  }
}
