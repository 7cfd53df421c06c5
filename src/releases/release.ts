import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-write.js';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { environmentError, usageError } from '../errors.js';
import { ensureBuilt } from '../environments/index.js';
import type { Manifest } from '../manifest/index.js';
import {
  bundleFiles,
  bundleHash,
  CONFIG_SOURCES,
  lockfileHash,
  pinDependencies,
  writeBundle,
  type DependencySet,
} from './artifact.js';
import { hashTree, sha256, treeHash } from './hash.js';
import { appendLedgerUnless } from './ledger.js';
import type { ArtifactRef } from './ledger-types.js';
import { RELEASES_DIR, releasePaths } from './paths.js';

/** An immutable release: what runs, built from what, configured how. Stored as .genai/releases/<id>/release.json. */
export interface Release {
  schema: 'genai-release';
  schemaVersion: 1;
  /** `r-` and 12 hex characters of SHA-256 over the artifact, the lockfile and the configuration. */
  id: string;
  createdAt: string;
  /** GITHUB_ACTOR in CI, else user@host. */
  createdBy: string;
  kitVersion: string;
  /** The project's commit when the release was made; null outside a git repository. */
  git: { commit: string; dirty: boolean } | null;
  /** genai.yaml and the service's prompt and configuration sources (CONFIG_SOURCES). */
  configHash: string;
  model: { provider: string; id: string };
  embeddings: { provider: string; id: string; dimensions: number };
  /** The corpus (data/) that ingest loads into an environment's index. */
  corpusHash: string;
  dependencies: { lockHash: string; packages: number };
  artifact: ArtifactRef;
}

export interface CreateReleaseResult {
  release: Release;
  /** False when a release of the same content existed: it is returned unchanged. */
  created: boolean;
  /** True when the service was built first because its sources were newer than dist/. */
  built: boolean;
  bundle: { files: number; bytes: number };
  dependencies: DependencySet;
  durationMs: number;
}

const RELEASE_ID = /^r-[0-9a-f]{12}$/;
const GIT_TIMEOUT_MS = 5_000;

/** The project's commit and whether its work tree has changes; null when git or a repository is absent. */
async function gitState(projectDir: string): Promise<Release['git']> {
  const { execa } = await import('execa');
  const git = (args: string[]) => execa('git', args, { cwd: projectDir, reject: false, timeout: GIT_TIMEOUT_MS });
  const head = await git(['rev-parse', 'HEAD']);
  if (head.failed || !/^[0-9a-f]{40,64}$/.test(String(head.stdout).trim())) return null;
  const status = await git(['status', '--porcelain']);
  return { commit: String(head.stdout).trim(), dirty: status.failed || String(status.stdout).trim() !== '' };
}

/** Who acts: the CI's actor (GitHub, GitLab), else user@host. */
export function actor(): string {
  const ci = process.env.GITHUB_ACTOR ?? process.env.GITLAB_USER_LOGIN;
  if (ci) return ci;
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): USER is all there is.
  }
  return `${user}@${hostname()}`;
}

async function readLockfile(projectDir: string): Promise<string> {
  if (!existsSync(join(projectDir, 'node_modules'))) {
    throw environmentError('E_NOT_INSTALLED', `the project's dependencies are not installed`, {
      fix: 'run npm ci in the project',
    });
  }
  try {
    return await readFile(join(projectDir, 'package-lock.json'), 'utf8');
  } catch {
    throw usageError('E_NO_LOCKFILE', 'the project has no package-lock.json, so its dependencies are not pinned', {
      fix: 'run npm install in the project and commit package-lock.json',
    });
  }
}

/**
 * Records an immutable release of the project: builds it if its sources are newer than dist/, copies the
 * built service and its pinned dependencies under .genai/, writes release.json and appends
 * `release.created` to the ledger. The id follows from the content, so the same content gives the same
 * release (created: false) however often this runs.
 */
export async function createRelease(projectDir: string, manifest?: Manifest): Promise<CreateReleaseResult> {
  const started = performance.now();
  const dir = resolve(projectDir);
  manifest ??= (await (await import('../manifest/index.js')).loadManifest(dir)).manifest;
  // Before anything is written: the tree as the user left it.
  const git = await gitState(dir);
  const built = (await ensureBuilt(dir)) === 'built';
  const lockText = await readLockfile(dir);
  const files = await bundleFiles(dir);
  if (!files.some((f) => f.path.startsWith('dist/'))) {
    throw usageError('E_NOT_BUILT', 'the project has no dist/ to release', { fix: 'run npm run build' });
  }
  const lockHash = lockfileHash(lockText);
  const configHash = treeHash(await hashTree(dir, CONFIG_SOURCES));
  const artifactSha = bundleHash(files, lockHash);
  const id = `r-${sha256(`${artifactSha}\n${lockHash}\n${configHash}`).slice(0, 12)}`;
  const bundle = { files: files.length, bytes: files.reduce((sum, f) => sum + f.bytes, 0) };
  const final = releasePaths(dir).release(id);

  const dependencies = await pinDependencies(dir, lockText);
  let created = false;
  if (!existsSync(join(final, 'release.json'))) {
    const release = await releaseRecord(manifest, {
      id,
      git,
      configHash,
      corpusHash: treeHash(files.filter((f) => f.path.startsWith('data/'))),
      dependencies: { lockHash, packages: dependencies.packages },
      artifact: { kind: 'local-bundle', path: `${RELEASES_DIR}/${id}`, sha256: artifactSha },
    });
    created = await writeBundle(dir, files, lockHash, final, {
      'release.json': `${JSON.stringify(release, null, 2)}\n`,
    });
  }
  const release = await recordCreated(dir, id);
  return { release, created, built, bundle, dependencies, durationMs: Math.round(performance.now() - started) };
}

/**
 * Records a release whose artifact is a container image that CI built and pushed (REPOSITORY@sha256:…):
 * what a cloud environment runs. The id follows from the digest and the configuration, so recording the
 * same image twice gives the same release. Nothing is copied: the image holds the service and its packages.
 */
export async function createImageRelease(
  projectDir: string,
  image: string,
  manifest?: Manifest,
  options: { write?: boolean } = {},
): Promise<{ release: Release; created: boolean }> {
  const { IMAGE_DIGEST } = await import('../environments/index.js');
  if (!IMAGE_DIGEST.test(image)) {
    throw usageError('E_IMAGE_DIGEST', `${JSON.stringify(image)} is not an image pinned by digest`, {
      field: '--image',
      fix: 'give REPOSITORY@sha256:DIGEST as CI pushed it (docker buildx imagetools inspect prints the digest), never a tag',
    });
  }
  const dir = resolve(projectDir);
  manifest ??= (await (await import('../manifest/index.js')).loadManifest(dir)).manifest;
  const configHash = treeHash(await hashTree(dir, CONFIG_SOURCES));
  const lockText = await readFile(join(dir, 'package-lock.json'), 'utf8').catch(() => '');
  const id = `r-${sha256(`image\n${image}\n${configHash}`).slice(0, 12)}`;
  const final = releasePaths(dir).release(id);
  let created = false;
  if (!existsSync(join(final, 'release.json'))) {
    const release = await releaseRecord(manifest, {
      id,
      git: await gitState(dir),
      configHash,
      corpusHash: treeHash(await hashTree(dir, ['data'])),
      // The image pins its own packages; the lockfile it was presumably built from is named for the record.
      dependencies: { lockHash: lockText ? lockfileHash(lockText) : 'none', packages: 0 },
      artifact: { kind: 'image', digest: image },
    });
    // A preview names the release it would make, and writes nothing.
    if (options.write === false) return { release, created: false };
    await mkdir(final, { recursive: true });
    await writeFileAtomic(join(final, 'release.json'), `${JSON.stringify(release, null, 2)}\n`);
    created = true;
  }
  const release = await recordCreated(dir, id);
  return { release, created };
}

/** A release record: what every release carries, whatever its artifact, and what this one adds. */
async function releaseRecord(
  manifest: Manifest,
  own: Pick<Release, 'id' | 'git' | 'configHash' | 'corpusHash' | 'dependencies' | 'artifact'>,
): Promise<Release> {
  return {
    schema: 'genai-release',
    schemaVersion: 1,
    id: own.id,
    createdAt: new Date().toISOString(),
    createdBy: actor(),
    kitVersion: (await import('../scaffold/index.js')).kitVersion(),
    git: own.git,
    configHash: own.configHash,
    model: { provider: manifest.model.provider, id: manifest.model.id },
    embeddings: {
      provider: manifest.embeddings.provider,
      id: manifest.embeddings.id,
      dimensions: manifest.embeddings.dimensions,
    },
    corpusHash: own.corpusHash,
    dependencies: own.dependencies,
    artifact: own.artifact,
  };
}

/**
 * Reads the release written under its folder and makes the ledger say it exists, once: also repairs a
 * crash between writing the release and the append.
 */
async function recordCreated(dir: string, id: string): Promise<Release> {
  const release = await readRelease(dir, id);
  await appendLedgerUnless(
    dir,
    { kind: 'release.created', releaseId: id, createdBy: release.createdBy, artifact: release.artifact },
    (entries) => entries.some((e) => e.kind === 'release.created' && e.releaseId === id),
  );
  return release;
}

async function releaseIds(projectDir: string): Promise<string[]> {
  try {
    const names = await readdir(releasePaths(projectDir).releases);
    return names.filter(
      (n) => RELEASE_ID.test(n) && existsSync(join(releasePaths(projectDir).release(n), 'release.json')),
    );
  } catch {
    return [];
  }
}

async function readReleaseFile(projectDir: string, id: string): Promise<Release> {
  const file = join(releasePaths(projectDir).release(id), 'release.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Release;
  } catch (err) {
    throw environmentError('E_RELEASE_UNREADABLE', `release ${id} has an unreadable release.json`, {
      location: `${RELEASES_DIR}/${id}/release.json`,
      fix: `remove ${RELEASES_DIR}/${id} and run genai release create again`,
      cause: err,
    });
  }
}

/** Every release of the project, oldest first. */
export async function listReleases(projectDir: string): Promise<Release[]> {
  const dir = resolve(projectDir);
  const releases = await Promise.all((await releaseIds(dir)).map((id) => readReleaseFile(dir, id)));
  return releases.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** One release by its id or an unambiguous prefix of it (r-3fa9). */
export async function readRelease(projectDir: string, id: string): Promise<Release> {
  const dir = resolve(projectDir);
  const ids = await releaseIds(dir);
  if (ids.includes(id)) return readReleaseFile(dir, id);
  const matches = id.length >= 4 ? ids.filter((known) => known.startsWith(id)) : [];
  if (matches.length === 1) return readReleaseFile(dir, matches[0]!);
  if (matches.length > 1) {
    throw usageError('E_AMBIGUOUS_RELEASE', `${id} matches ${matches.length} releases (${matches.join(', ')})`, {
      location: RELEASES_DIR,
      fix: 'give more characters of the id',
    });
  }
  if (ids.length === 0) {
    throw usageError('E_NO_RELEASE', `no release ${id} (there are none yet)`, {
      location: RELEASES_DIR,
      fix: 'make one with genai release create',
    });
  }
  const shown = ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
  const { closest } = await import('../manifest/index.js');
  const [near] = closest(id, ids);
  throw usageError('E_NO_RELEASE', `no release ${id} (it has ${shown})`, {
    location: RELEASES_DIR,
    fix: near ? `did you mean ${near}? genai release list shows them all` : 'genai release list',
  });
}

/** Whether a release's bundle still hashes as recorded and its dependency set is present. */
export async function verifyRelease(projectDir: string, id: string): Promise<{ intact: boolean; problems: string[] }> {
  const dir = resolve(projectDir);
  const release = await readRelease(dir, id);
  const problems: string[] = [];
  if (release.artifact.kind === 'local-bundle') {
    const bundle = releasePaths(dir).release(release.id);
    const files = await bundleFiles(bundle);
    if (bundleHash(files, release.dependencies.lockHash) !== release.artifact.sha256) {
      problems.push(`the files under ${release.artifact.path} changed since the release was made`);
    }
    if (!existsSync(join(bundle, 'node_modules', '.'))) {
      problems.push(`its dependency set .genai/deps/${release.dependencies.lockHash} is missing`);
    }
  }
  return { intact: problems.length === 0, problems };
}
