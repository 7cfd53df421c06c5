import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** One file of a tree, by its path relative to the tree's base with forward slashes. */
export interface TreeFile {
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * Every regular file under `roots` (files or folders relative to `base`), sorted by path, with its hash.
 * A symbolic link counts as the file it points to; absent roots are skipped.
 */
export async function hashTree(base: string, roots: readonly string[]): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  const visit = async (path: string): Promise<void> => {
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (info.isDirectory()) {
      for (const name of (await readdir(path)).sort()) await visit(join(path, name));
    } else if (info.isFile()) {
      const content = await readFile(path);
      files.push({ path: relative(base, path).split(sep).join('/'), sha256: sha256(content), bytes: content.length });
    }
  };
  for (const root of roots) await visit(join(base, root));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** One hash over a list of files: their paths and contents, in order. */
export function treeHash(files: readonly TreeFile[], extra: readonly string[] = []): string {
  const lines = files.map((f) => `${f.path}\0${f.sha256}`);
  return sha256([...lines, ...extra].join('\n'));
}
