import { usageError } from '../errors.js';
import { driverFor, resolveEnvironment, type EnvironmentDriver } from '../environments/index.js';
import { withLock } from './deploy.js';
import { previousRelease, recordedRelease } from './history.js';
import { appendLedger, readLedger } from './ledger.js';
import { readRelease, type Release } from './release.js';

export interface RollbackRequest {
  cwd: string;
  env: string;
  /** The release to go back to; default: the one ENV ran before its current release. */
  to?: string | undefined;
  reason?: string | undefined;
  forceUnlock?: boolean | undefined;
  onStep?: ((line: string) => void) | undefined;
}

export interface RollbackResult {
  env: string;
  fromRelease: string | null;
  toRelease: string;
  url: string;
  changed: boolean;
}

/** `genai rollback ENV [--to RELEASE]`: ENV runs an earlier release again, under its lock, in the ledger. */
export async function rollback(request: RollbackRequest): Promise<RollbackResult> {
  const resolved = await resolveEnvironment(request.cwd, request.env);
  const driver = driverFor(resolved);
  const onStep = request.onStep ?? (() => {});
  const { projectDir, env } = resolved;
  return withLock(resolved, 'rollback', request.forceUnlock, onStep, async () => {
    const { entries } = await readLedger(projectDir);
    const running = await driver.runningRelease();
    const current = running.release ?? recordedRelease(entries, env) ?? null;
    const target = request.to ?? previousRelease(entries, env);
    if (!target) {
      throw usageError('E_NO_PREVIOUS_RELEASE', `${env} has no earlier release to roll back to`, {
        fix: `name one with --to RELEASE (genai release list), or deploy one with genai up ${env} --release RELEASE`,
      });
    }
    const release = await readRelease(projectDir, target);
    if (running.state === 'running' && current === release.id) {
      return { env, fromRelease: current, toRelease: release.id, url: running.url ?? '', changed: false };
    }
    const url = await restoreRelease(projectDir, driver, current, release, request.reason ?? 'by hand', onStep);
    return { env, fromRelease: current, toRelease: release.id, url, changed: true };
  });
}

/**
 * Deploys an earlier release to an environment as a rollback: rollback.started, then rollback.finished or
 * rollback.failed. The caller holds the environment's lock. Returns the environment's URL.
 */
export async function restoreRelease(
  projectDir: string,
  driver: EnvironmentDriver,
  current: string | null,
  release: Pick<Release, 'id' | 'artifact'>,
  reason: string,
  onStep: (line: string) => void,
): Promise<string> {
  const record = { env: driver.env, fromRelease: current ?? 'none', toRelease: release.id, reason };
  await appendLedger(projectDir, { kind: 'rollback.started', ...record });
  onStep(`rolling ${driver.env} back from ${current ?? 'nothing'} to ${release.id}`);
  try {
    const { outputs } = await driver.deploy(release, onStep);
    await appendLedger(projectDir, { kind: 'rollback.finished', ...record });
    return outputs.url;
  } catch (error) {
    const failure = (error as Error).message.split('\n')[0] ?? 'failed';
    await appendLedger(projectDir, { kind: 'rollback.failed', ...record, reason: `${reason}; failed: ${failure}` });
    throw error;
  }
}
