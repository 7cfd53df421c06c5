import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Files read or written at once: one at a time is several times slower on a tree of small files. */
const CONCURRENCY = 32;

/**
 * Runs `fn` over `items`, at most CONCURRENCY at a time. After a failure no new item starts, and the
 * first error is thrown once the running ones have settled, so a caller's cleanup never races them.
 */
export async function eachConcurrently<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  if (failure) throw failure.error;
}

/** One file of a tree, by its path relative to the tree's base with forward slashes. */
export interface TreeFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** Paths of the regular files under `root`, following symbolic links; none when it is absent. */
async function filesUnder(root: string): Promise<string[]> {
  let info;
  try {
    info = await stat(root);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  if (info.isFile()) return [root];
  if (!info.isDirectory()) return [];
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isFile()) out.push(path);
    else out.push(...(await filesUnder(path)));
  }
  return out;
}

/**
 * Every regular file under `roots` (files or folders relative to `base`), sorted by path, with its hash.
 * A symbolic link counts as the file it points to; absent roots are skipped.
 */
export async function hashTree(base: string, roots: readonly string[]): Promise<TreeFile[]> {
  const paths = (await Promise.all(roots.map((root) => filesUnder(join(base, root))))).flat();
  const files: TreeFile[] = [];
  await eachConcurrently(paths, async (path) => {
    const content = await readFile(path);
    files.push({ path: relative(base, path).split(sep).join('/'), sha256: sha256(content), bytes: content.length });
  });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One hash over a list of files: their paths and contents, in order. */
export function treeHash(files: readonly TreeFile[], extra: readonly string[] = []): string {
  const lines = files.map((f) => `${f.path}\0${f.sha256}`);
  return sha256([...lines, ...extra].join('\n'));
}
