import { randomBytes } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';

const aside = (path: string, what: string) => `${path}.${process.pid}-${randomBytes(4).toString('hex')}.${what}`;

/**
 * Creates `path` holding `content` only if it does not exist. The content is written beside it first and
 * hard-linked into place: link(2) fails when the name exists, like open with `wx`, and a reader never sees
 * an empty or half-written file. Returns false when another process holds the name.
 */
export async function createExclusive(path: string, content: string): Promise<boolean> {
  const temporary = aside(path, 'tmp');
  await writeFile(temporary, content);
  try {
    await link(temporary, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Removes `path` only if it still holds `expected`, the content its caller judged stale. The file is first
 * renamed aside (atomic, so two removers cannot both take it); when what was taken is not what was judged
 * (a new holder took the name in between), it is linked back. Returns true when the stale file is gone.
 */
export async function removeIfUnchanged(path: string, expected: string): Promise<boolean> {
  const taken = aside(path, 'breaking');
  try {
    await rename(path, taken);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  try {
    if ((await readFile(taken, 'utf8')) === expected) return true;
    await link(taken, path).catch(() => {});
    return false;
  } finally {
    await rm(taken, { force: true });
  }
}

/** Replaces `path` with `content` only while it still holds `expected` (a holder refreshing its own file). */
export async function replaceIfUnchanged(path: string, expected: string, content: string): Promise<boolean> {
  if ((await readIfExists(path)) !== expected) return false;
  const temporary = aside(path, 'tmp');
  await writeFile(temporary, content);
  await rename(temporary, path);
  return true;
}
