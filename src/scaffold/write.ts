import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { environmentError, usageError, GenaiError, ExitCode } from '../errors.js';
import type { PlannedFile } from './plan.js';

/** What writing does to one file: a new file, a replaced one, or none when the file already holds that content. */
export type WriteAction = 'create' | 'overwrite' | 'skip';

export interface WriteOptions {
  force?: boolean | undefined;
  /** Called once per file after every file is in place. */
  onFile?: ((path: string, action: WriteAction) => void) | undefined;
  /** Aborted by Ctrl-C: the write stops and puts the folder back as it was. */
  signal?: AbortSignal | undefined;
  /** Called for each staging folder an earlier, killed write left behind and this one cleaned up. */
  onRecovered?: ((recovery: StagingRecovery) => void) | undefined;
}

/** Where a write stages its files inside the target: `.genai-write-` and 8 hex digits. */
const STAGING_PREFIX = '.genai-write-';
const STAGING_NAME = /^\.genai-write-[0-9a-f]{8}$/;
/** What a write records in its staging folder first, so a later one can undo it after a SIGKILL. */
const JOURNAL = 'journal.json';

interface StagingJournal {
  pid: number;
  host: string;
  /** The write made the target folder: once emptied, it is removed too. */
  createdRoot: boolean;
  /** Every file it may move into place; `replaces`: an original sits in `.replaced/` once moved aside. */
  files: { path: string; replaces: boolean }[];
}

/** What cleaning up a stale staging folder did. */
export interface StagingRecovery {
  /** The staging folder, relative to the target. */
  staging: string;
  /** Originals put back from `.replaced/`. */
  restored: string[];
  /** Files the killed write had already moved in, removed. */
  removed: string[];
}

/** The words a command logs for each action, as oclif's generators do. */
export const actionLabels: Record<WriteAction, string> = {
  create: 'Creating',
  overwrite: 'Overwriting',
  skip: 'Skipping',
};

/**
 * What is in the target folder now, before anything is written. With `recover`, stale staging folders of
 * killed writes are cleaned up first; without, they are left out of `entries` (and listed in `stale`).
 */
export async function inspectTarget(
  dir: string,
  options: Pick<WriteOptions, 'onRecovered'> & { recover?: boolean } = {},
): Promise<{ exists: boolean; entries: string[]; stale: string[] }> {
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, entries: [], stale: [] };
    throw err;
  }
  if (!info.isDirectory()) {
    throw usageError('E_TARGET_NOT_DIR', `${dir} is a file, not a folder`, {
      fix: 'choose another DIR, or remove that file',
    });
  }
  if (options.recover) {
    for (const recovery of await recoverStaleWrites(dir)) options.onRecovered?.(recovery);
    if (!(await exists(dir))) return { exists: false, entries: [], stale: [] };
  }
  const entries = await readdir(dir);
  return {
    exists: true,
    entries: entries.filter((e) => !STAGING_NAME.test(e)),
    stale: entries.filter((e) => STAGING_NAME.test(e)),
  };
}

/**
 * Undoes the writes a killed genai (SIGKILL, a power cut) left half done in `dir`: for every staging folder
 * whose process is gone, puts back the originals it had moved aside, removes the files it had moved in,
 * then removes the staging folder, and the target folder itself when the write had made it and it is empty.
 * A staging folder of a write still running is refused (exit 3).
 */
export async function recoverStaleWrites(dir: string): Promise<StagingRecovery[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const recoveries: StagingRecovery[] = [];
  for (const name of entries.filter((e) => STAGING_NAME.test(e))) {
    const staging = join(dir, name);
    const journal = await readFile(join(staging, JOURNAL), 'utf8')
      .then((text) => JSON.parse(text) as StagingJournal)
      .catch(() => undefined);
    if (journal && journal.host === hostname() && journal.pid !== process.pid && processExists(journal.pid)) {
      throw environmentError('E_WRITE_IN_PROGRESS', `another genai (pid ${journal.pid}) is writing into ${dir}`, {
        location: staging,
        fix: 'wait for it to finish, or stop it first',
      });
    }
    const recovery: StagingRecovery = { staging: name, restored: [], removed: [] };
    // Without a journal the write was killed before it staged anything: nothing was moved in.
    for (const file of journal?.files ?? []) {
      const destination = join(dir, file.path);
      const backup = join(staging, '.replaced', file.path);
      if (file.replaces && (await exists(backup))) {
        await rename(backup, destination);
        recovery.restored.push(file.path);
      } else if (!file.replaces && !(await exists(join(staging, 'new', file.path))) && (await exists(destination))) {
        await rm(destination, { force: true });
        recovery.removed.push(file.path);
      }
    }
    await rm(staging, { recursive: true, force: true });
    await removeEmptyDirs(dir, recovery.removed);
    if (journal?.createdRoot && (await readdir(dir)).length === 0) await rm(dir, { recursive: true, force: true });
    recoveries.push(recovery);
  }
  return recoveries;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** Which planned files would replace existing ones. */
export async function existingFiles(dir: string, files: PlannedFile[]): Promise<Set<string>> {
  const actions = await plannedActions(dir, files);
  return new Set([...actions].filter(([, action]) => action !== 'create').map(([path]) => path));
}

/** What writing would do to each file: create it, overwrite it, or skip it because it holds that content. */
export async function plannedActions(dir: string, files: PlannedFile[]): Promise<Map<string, WriteAction>> {
  const actions = new Map<string, WriteAction>();
  for (const file of files) {
    const path = join(dir, file.path);
    const info = await stat(path).catch(() => undefined);
    const same = info?.isFile() && info.size === file.content.length && (await readFile(path)).equals(file.content);
    actions.set(file.path, !info ? 'create' : same ? 'skip' : 'overwrite');
  }
  return actions;
}

/**
 * Writes some files into an existing project (a pipeline, say) as writeProject does, but refuses only when
 * a file it writes exists with other content; --force overwrites those. Files that already hold the
 * planned content are skipped.
 */
export async function writeFiles(
  dir: string,
  files: PlannedFile[],
  options: WriteOptions = {},
): Promise<Map<string, WriteAction>> {
  const target = await inspectTarget(dir, { ...options, recover: true });
  const actions = await plannedActions(dir, files);
  const conflicts = [...actions].filter(([, action]) => action === 'overwrite').map(([path]) => path);
  if (conflicts.length > 0 && !options.force) {
    throw usageError(
      'E_FILES_EXIST',
      `${conflicts.join(', ')} already ${conflicts.length === 1 ? 'exists' : 'exist'} with other content`,
      { fix: 'pass --force to overwrite (commit first to keep the old version), or move the files aside' },
    );
  }
  return commitFiles(dir, files, actions, target.exists, options);
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
  const target = await inspectTarget(dir, { ...options, recover: true });
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

  return commitFiles(dir, files, await plannedActions(dir, files), target.exists, options);
}

/**
 * The transaction under writeProject and writeFiles: every file is staged inside the target (same file
 * system, so renames are atomic), then renamed into place; replaced files are kept aside until the end
 * and put back on failure or Ctrl-C (options.signal). Files whose action is 'skip' are left alone.
 */
async function commitFiles(
  dir: string,
  planned: PlannedFile[],
  planActions: Map<string, WriteAction>,
  targetExists: boolean,
  options: WriteOptions,
): Promise<Map<string, WriteAction>> {
  const files = planned.filter((f) => planActions.get(f.path) !== 'skip');
  const checkpoint = () => {
    if (options.signal?.aborted)
      throw new GenaiError('E_INTERRUPTED', 'interrupted; nothing was written', { exitCode: ExitCode.interrupted });
  };

  const createdRoot = targetExists ? undefined : await mkdir(dir, { recursive: true });
  const staging = join(dir, `${STAGING_PREFIX}${randomBytes(4).toString('hex')}`);
  const backups = join(staging, '.replaced');
  const moved: string[] = [];
  const replaced: string[] = [];
  const actions = new Map<string, WriteAction>();
  try {
    // The journal comes first: a write killed from here on is undone by the next one (recoverStaleWrites).
    const journal: StagingJournal = {
      pid: process.pid,
      host: hostname(),
      createdRoot: createdRoot !== undefined,
      files: files.map((f) => ({ path: f.path, replaces: planActions.get(f.path) === 'overwrite' })),
    };
    await mkdir(staging, { recursive: true });
    await writeFile(join(staging, JOURNAL), JSON.stringify(journal));
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
  const result = new Map(planned.map((f): [string, WriteAction] => [f.path, actions.get(f.path) ?? 'skip']));
  for (const [path, action] of result) options.onFile?.(path, action);
  return result;

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
