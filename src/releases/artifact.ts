import { randomBytes } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { environmentError, usageError } from '../errors.js';
import { isAlive } from '../environments/index.js';
import { eachConcurrently, hashTree, sha256, treeHash, type TreeFile } from './hash.js';
import { releasePaths } from './paths.js';

/**
 * The artifact of a release on the local target: a folder under .genai/releases/<id> holding the built
 * service (what `npm start` and `npm run ingest` need) and a link to its pinned dependency set, which
 * .genai/deps/<lockHash> holds once for every release built from the same package-lock.json.
 */

/** What a bundle copies from the project, relative to its folder. */
export const BUNDLE_SOURCES = ['dist', 'data', 'package.json', 'package-lock.json', 'genai.yaml'] as const;

/** The sources of the service's prompts and configuration: what `configHash` covers. */
export const CONFIG_SOURCES = ['genai.yaml', 'src/config.ts', 'src/pipeline'] as const;

/** Bundle files are read-only: a release never changes after it is made. */
const READ_ONLY = 0o444;
/** Copy-on-write where the file system can (btrfs, xfs, APFS), else a plain copy. */
const CLONE = constants.COPYFILE_FICLONE;

/**
 * Copies a folder: files (cloned where the file system can), folders, and links as they are (relative
 * links inside a package, such as its own .bin, still resolve in the copy). Many files at once: fs.cp
 * copies one at a time, about five times slower on a package tree.
 */
async function copyTree(from: string, to: string): Promise<void> {
  const entries = await readdir(from, { withFileTypes: true, recursive: true });
  const target = (entry: (typeof entries)[number]) => join(to, relative(from, join(entry.parentPath, entry.name)));
  await mkdir(to, { recursive: true });
  for (const entry of entries) if (entry.isDirectory()) await mkdir(target(entry), { recursive: true });
  await eachConcurrently(
    entries.filter((entry) => !entry.isDirectory()),
    async (entry) => {
      const source = join(entry.parentPath, entry.name);
      if (entry.isSymbolicLink()) await symlink(await readlink(source), target(entry));
      else if (entry.isFile()) await copyFile(source, target(entry), CLONE);
    },
  );
}

/** A folder being written: `.tmp-<pid>-<random>`, renamed into place when complete. */
const temporaryName = () => `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
const TEMPORARY = /^\.tmp-(\d+)-[0-9a-f]+$/;

/** Removes folders that a crashed genai left half-written (their process has exited). */
export async function removeAbandoned(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const abandoned = names.filter((name) => {
    const pid = TEMPORARY.exec(name)?.[1];
    return pid !== undefined && !isAlive(Number(pid));
  });
  for (const name of abandoned) await rm(join(dir, name), { recursive: true, force: true });
  return abandoned;
}

/** Moves a complete temporary folder into place; false when another process put the same one there first. */
async function moveIntoPlace(temporary: string, final: string): Promise<boolean> {
  try {
    await rename(temporary, final);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
    await rm(temporary, { recursive: true, force: true });
    return false;
  }
}

interface LockPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
  resolved?: string;
}

interface Lockfile {
  lockfileVersion?: number;
  packages?: Record<string, LockPackage>;
}

/** One installed package that the service needs at run time, by its folder under the project. */
interface RuntimePackage {
  path: string;
  version?: string | undefined;
  optional: boolean;
}

/**
 * The packages a release needs at run time: every lockfile entry not marked dev. Dev tools (TypeScript,
 * vitest, genai-kit itself) stay out, as they stay out of a production image.
 */
export function runtimePackages(lock: Lockfile): RuntimePackage[] {
  if (!lock.packages) {
    throw usageError('E_OLD_LOCKFILE', `package-lock.json has lockfileVersion ${lock.lockfileVersion ?? 1}`, {
      location: 'package-lock.json',
      fix: 'run npm install with npm 7 or later to upgrade it',
    });
  }
  const out: RuntimePackage[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/')) continue;
    const target = entry.link && entry.resolved !== undefined ? lock.packages[entry.resolved] : entry;
    if (target?.dev) continue;
    if (entry.link) {
      throw usageError('E_LINKED_DEPENDENCY', `${path.slice('node_modules/'.length)} is a linked folder (file:)`, {
        location: 'package-lock.json',
        fix: 'a release pins exact packages: depend on a published version or an npm pack tarball instead',
      });
    }
    out.push({ path, version: entry.version, optional: Boolean(entry.optional) });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** The packages to copy: those not already inside another copied package's folder. */
function outermost(packages: readonly RuntimePackage[]): RuntimePackage[] {
  const kept: RuntimePackage[] = [];
  for (const pkg of packages) {
    if (!kept.some((outer) => pkg.path.startsWith(`${outer.path}/`))) kept.push(pkg);
  }
  return kept;
}

/** Names a dependency set: the first 16 hex characters of SHA-256 over package-lock.json. */
export const lockfileHash = (lockText: string) => sha256(lockText).slice(0, 16);

export interface DependencySet {
  /** See lockfileHash. */
  lockHash: string;
  /** Relative to the project: .genai/deps/<lockHash>. */
  path: string;
  packages: number;
  files: number;
  bytes: number;
  /** False when this call copied it, true when an earlier release had. */
  reused: boolean;
  copyMs: number;
}

/** .genai/deps/<lockHash>/deps.json: what the set holds, so a later release need not walk it. */
interface RecordedDependencies {
  lockHash: string;
  files: number;
  bytes: number;
  packages: { path: string; version?: string | undefined }[];
}

async function folderSize(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += (await lstat(join(entry.parentPath, entry.name))).size;
  }
  return { files, bytes };
}

/** Checks that node_modules holds what the lockfile pins, before any of it is copied. */
async function checkInstalled(projectDir: string, packages: readonly RuntimePackage[]): Promise<RuntimePackage[]> {
  const present: RuntimePackage[] = [];
  for (const pkg of packages) {
    const manifest = join(projectDir, pkg.path, 'package.json');
    if (!existsSync(manifest)) {
      if (pkg.optional) continue;
      throw environmentError('E_DEPS_MISSING', `${pkg.path} is pinned by package-lock.json but not installed`, {
        fix: 'run npm ci in the project',
      });
    }
    const installed = (JSON.parse(await readFile(manifest, 'utf8')) as { version?: string }).version;
    if (pkg.version !== undefined && installed !== pkg.version) {
      throw environmentError(
        'E_DEPS_MISMATCH',
        `${pkg.path} is ${installed ?? 'unversioned'} but package-lock.json pins ${pkg.version}`,
        { fix: 'run npm ci in the project' },
      );
    }
    present.push(pkg);
  }
  return present;
}

/**
 * The release's dependency set: the project's run-time packages copied once per lockfile into
 * .genai/deps/<lockHash>/node_modules, through a temporary folder renamed into place.
 */
export async function pinDependencies(projectDir: string, lockText: string): Promise<DependencySet> {
  const lockHash = lockfileHash(lockText);
  const paths = releasePaths(projectDir);
  const final = join(paths.deps, lockHash);
  const path = relative(projectDir, final).split(sep).join('/');
  if (existsSync(final)) {
    const recorded = JSON.parse(await readFile(join(final, 'deps.json'), 'utf8')) as RecordedDependencies;
    return {
      lockHash,
      path,
      packages: recorded.packages.length,
      files: recorded.files,
      bytes: recorded.bytes,
      reused: true,
      copyMs: 0,
    };
  }
  const started = performance.now();
  const packages = await checkInstalled(projectDir, runtimePackages(JSON.parse(lockText) as Lockfile));
  await mkdir(paths.deps, { recursive: true });
  await removeAbandoned(paths.deps);
  const temporary = join(paths.deps, temporaryName());
  try {
    for (const pkg of outermost(packages)) {
      await copyTree(join(projectDir, pkg.path), join(temporary, pkg.path));
    }
    await mkdir(join(temporary, 'node_modules'), { recursive: true });
    const copyMs = Math.round(performance.now() - started);
    const size = await folderSize(join(temporary, 'node_modules'));
    const recorded: RecordedDependencies = {
      lockHash,
      ...size,
      packages: packages.map((p) => ({ path: p.path, version: p.version })),
    };
    await writeFile(join(temporary, 'deps.json'), `${JSON.stringify(recorded, null, 2)}\n`);
    const moved = await moveIntoPlace(temporary, final);
    return { lockHash, path, packages: packages.length, ...size, reused: !moved, copyMs };
  } catch (err) {
    await rm(temporary, { recursive: true, force: true });
    throw err;
  }
}

/** The bundle's identity: its files' paths and contents, and which dependency set it links. */
export const bundleHash = (files: readonly TreeFile[], lockHash: string) =>
  treeHash(files, [`node_modules -> deps/${lockHash}`]);

/** The project's files that go into a bundle, hashed. */
export const bundleFiles = (projectDir: string) => hashTree(projectDir, BUNDLE_SOURCES);

/**
 * Writes a bundle: copies `files` and `extra` (name → content) into a temporary folder, checking that each
 * file still hashes as it did when the id was computed, then renames the folder to `final`. Returns false
 * when a bundle was already there. Nothing half-written is ever left at `final`.
 */
export async function writeBundle(
  projectDir: string,
  files: readonly TreeFile[],
  lockHash: string,
  final: string,
  extra: Record<string, string>,
): Promise<boolean> {
  const releases = dirname(final);
  await mkdir(releases, { recursive: true });
  await removeAbandoned(releases);
  const temporary = join(releases, temporaryName());
  try {
    // The bytes written are the bytes hashed: a file that changed since the id was computed stops the copy.
    await eachConcurrently(files, async (file) => {
      const content = await readFile(join(projectDir, file.path));
      if (sha256(content) !== file.sha256) {
        throw environmentError('E_PROJECT_CHANGED', `${file.path} changed while the release was being copied`, {
          fix: 'rerun genai release create when no build or edit is running',
        });
      }
      const to = join(temporary, file.path);
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, content, { mode: READ_ONLY });
    });
    // Relative, so the project folder can move; resolves to .genai/deps/<lockHash>/node_modules.
    await symlink(join('..', '..', 'deps', lockHash, 'node_modules'), join(temporary, 'node_modules'));
    for (const [name, content] of Object.entries(extra)) {
      await writeFile(join(temporary, name), content, { mode: READ_ONLY });
    }
    return await moveIntoPlace(temporary, final);
  } catch (err) {
    await rm(temporary, { recursive: true, force: true });
    throw err;
  }
}
