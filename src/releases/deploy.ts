import { environmentError, usageError } from '../errors.js';
import {
  driverFor,
  quickPreflight,
  resolveEnvironment,
  type DriverOptions,
  type EnvironmentDriver,
} from '../environments/index.js';
import type { Deployment, EnvironmentOutputs, PreviewResult, ResolvedEnvironment } from '../environments/index.js';
import { recordedRelease } from './history.js';
import { appendLedger, appendLedgerUnless, readLedger } from './ledger.js';
import { acquireLock, readLock, type EnvironmentLock, type LockPurpose } from './lock.js';
import { createImageRelease, createRelease, readRelease, type Release } from './release.js';

export interface DeployRequest extends DriverOptions {
  cwd: string;
  env: string;
  /** A release id; absent: a release made from the project's current build (or from --image). */
  release?: string | undefined;
  /** A container image pinned by digest (REPOSITORY@sha256:…): deploys the image release made of it. */
  image?: string | undefined;
  forceUnlock?: boolean | undefined;
  onStep?: ((line: string) => void) | undefined;
}

/** What `genai up` returns: the environment's outputs, flat, and what changed. */
export type DeployResult = EnvironmentOutputs & {
  changed: boolean;
  /** True when the release was made for this deploy (not only found). */
  releaseCreated: boolean;
};

/**
 * How long a second `genai up` of an environment waits for one that is deploying it: the local target's
 * health wait (60 s) plus building, copying and ingesting.
 */
export const DEPLOY_WAIT_MS = 180_000;

/**
 * `genai up ENV`: makes ENV run a release — the one named, or one made from the current build — under
 * ENV's lock, with every step in the ledger. Running the same release again changes nothing.
 */
export async function deployEnvironment(request: DeployRequest): Promise<DeployResult> {
  await quickPreflight(request.cwd, request.env);
  const resolved = await resolveEnvironment(request.cwd, request.env);
  const driver = driverFor(resolved, request);
  const onStep = request.onStep ?? (() => {});
  await driver.preflight();
  await waitForOtherDeploy(resolved, onStep);
  return withLock(resolved, 'deploy', request.forceUnlock, onStep, async () => {
    let release: Release;
    let releaseCreated = false;
    if (request.image) {
      const made = await createImageRelease(resolved.projectDir, request.image, resolved.manifest);
      onStep(`${made.created ? 'created' : 'using'} release ${made.release.id} (image ${request.image})`);
      release = made.release;
      releaseCreated = made.created;
    } else if (request.release) {
      release = await readRelease(resolved.projectDir, request.release);
    } else if (driver.artifactKind === 'image') {
      throw imageRequired(resolved);
    } else {
      const made = await createRelease(resolved.projectDir, resolved.manifest);
      if (made.built) onStep('built the service (npm run build)');
      onStep(`${made.created ? 'created' : 'using'} release ${made.release.id}`);
      release = made.release;
      releaseCreated = made.created;
    }
    const { outputs, changed } = await deployRelease(resolved.projectDir, driver, release, onStep);
    return { ...outputs, changed, releaseCreated };
  });
}

/**
 * Deploys a release through the environment's driver and records it: deploy.started, then deploy.finished
 * or deploy.failed with the reason. The caller holds the environment's lock.
 */
export async function deployRelease(
  projectDir: string,
  driver: EnvironmentDriver,
  release: Pick<Release, 'id' | 'artifact'>,
  onStep: (line: string) => void,
): Promise<Deployment> {
  const { env } = driver;
  await driver.preflight();
  const current = await driver.runningRelease();
  if (current.state === 'running' && current.release === release.id) {
    const outputs = await driver.outputs();
    // A deploy killed after the start but before its record left the ledger behind: catch it up.
    await appendLedgerUnless(
      projectDir,
      { kind: 'deploy.finished', env, releaseId: release.id, url: outputs.url },
      (entries) => recordedRelease(entries, env) === release.id,
    );
    return { outputs, changed: false };
  }
  await appendLedger(projectDir, { kind: 'deploy.started', env, releaseId: release.id });
  onStep(`deploying ${release.id} to ${env}`);
  try {
    const deployment = await driver.deploy(release, onStep);
    if (deployment.outputs.release !== release.id) {
      throw environmentError(
        'E_DEPLOY_MISMATCH',
        `${env} answers with release ${deployment.outputs.release ?? 'none'} after deploying ${release.id}`,
        { fix: `read the service log (genai outputs ${env}), then genai up ${env} --release ${release.id}` },
      );
    }
    await appendLedger(projectDir, {
      kind: 'deploy.finished',
      env,
      releaseId: release.id,
      url: deployment.outputs.url,
    });
    return deployment;
  } catch (error) {
    await appendLedger(projectDir, {
      kind: 'deploy.failed',
      env,
      releaseId: release.id,
      reason: (error as Error).message.split('\n')[0] ?? 'unknown',
    });
    throw error;
  }
}

function imageRequired(resolved: ResolvedEnvironment) {
  const { env, entry } = resolved;
  return usageError('E_IMAGE_REQUIRED', `${env} (target ${entry.target}) runs a container image, and none was given`, {
    location: resolved.targetLocation,
    fix: `build and push the service image in CI, then genai up ${env} --image REPOSITORY@sha256:DIGEST (or --release ID of an image release)`,
  });
}

export interface PreviewRequest {
  cwd: string;
  env: string;
  release?: string | undefined;
  image?: string | undefined;
  onStep?: ((line: string) => void) | undefined;
}

/**
 * `genai preview ENV`: what deploying a release to ENV would change, changing nothing. The release is the
 * one named, the image given, or else the one ENV runs according to the ledger.
 */
export async function previewEnvironment(request: PreviewRequest): Promise<PreviewResult> {
  await quickPreflight(request.cwd, request.env);
  const resolved = await resolveEnvironment(request.cwd, request.env);
  const driver = driverFor(resolved);
  await driver.preflight();
  const { projectDir } = resolved;
  let release: Release;
  if (request.image) {
    release = (await createImageRelease(projectDir, request.image, resolved.manifest, { write: false })).release;
  } else {
    const id = request.release ?? recordedRelease((await readLedger(projectDir)).entries, resolved.env);
    if (!id) {
      if (driver.artifactKind === 'image') throw imageRequired(resolved);
      release = (await createRelease(projectDir, resolved.manifest)).release;
    } else {
      release = await readRelease(projectDir, id);
    }
  }
  return driver.preview(release, request.onStep);
}

/** Runs `work` holding ENV's lock; says so when a stale lock was broken. */
export async function withLock<T>(
  resolved: ResolvedEnvironment,
  purpose: LockPurpose,
  forceUnlock: boolean | undefined,
  onStep: (line: string) => void,
  work: (lock: EnvironmentLock) => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(resolved.projectDir, resolved.env, { purpose, forceUnlock: forceUnlock ?? false });
  if (lock.removedStale) onStep(`removed a stale lock of ${resolved.env} (${lock.removedStale.reason})`);
  try {
    return await work(lock);
  } finally {
    await lock.release();
  }
}

/**
 * While another `genai up` deploys ENV (it holds the lock for a deploy), waits for it to finish, up to
 * DEPLOY_WAIT_MS; the deploy that follows is then a no-op when that one started the same release.
 */
async function waitForOtherDeploy(resolved: ResolvedEnvironment, onStep: (line: string) => void): Promise<void> {
  const deadline = Date.now() + DEPLOY_WAIT_MS;
  let said = false;
  for (;;) {
    const status = await readLock(resolved.projectDir, resolved.env);
    if (status?.state !== 'held' || status.holder.purpose !== 'deploy' || Date.now() > deadline) return;
    if (!said) onStep(`${resolved.env} is starting (genai up, pid ${status.holder.pid}); waiting for it`);
    said = true;
    await new Promise((r) => setTimeout(r, 250));
  }
}
