import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentError } from '../errors.js';
import { environmentPaths } from './paths.js';
import { findFreePort } from './ports.js';
import { fetchHealth, prepareService, type Snapshot } from './project.js';
import { serviceProcessEnv } from './service-env.js';
import { isAlive, readState } from './state.js';
import type { ResolvedLocalEnvironment } from './local.js';
import { FIRST_EPHEMERAL_PORT, FIRST_LOCAL_PORT, LOCAL_HOST } from './defaults.js';

/** Runs the service in the foreground on an environment's data; resolves with its exit code. */
export async function devForeground(
  target: ResolvedLocalEnvironment,
  onReady: (info: { url: string; snapshot: Snapshot; env: string }) => void,
): Promise<number> {
  const paths = environmentPaths(target.projectDir, target.env);
  const running = await readState(paths.state);
  if (running && isAlive(running.supervisorPid, 'supervisor')) {
    // PGlite opens a data folder from one process only.
    throw environmentError('E_ENV_BUSY', `environment ${target.env} already runs in the background at ${running.url}`, {
      fix: `use it, or stop it first with genai destroy ${target.env}, or pass --env another-local-environment`,
    });
  }
  const { serviceEnv, snapshot } = await prepareService(target.projectDir, target.manifest, paths.data);
  const port = target.port ?? (await findFreePort(FIRST_LOCAL_PORT, new Set()));
  const url = `http://${LOCAL_HOST}:${port}`;
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: target.projectDir,
    env: serviceProcessEnv({ host: LOCAL_HOST, port, env: target.env, dataDir: paths.data, serviceEnv }),
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  onReady({ url, snapshot, env: target.env });
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? 0);
    });
  });
}

/**
 * Starts the project's service on a free port with a fresh data folder, for one eval run; `stop()` ends it
 * and removes the folder.
 */
export async function startEphemeralService(
  target: Pick<ResolvedLocalEnvironment, 'projectDir' | 'manifest'>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'genai-eval-data-'));
  const { serviceEnv } = await prepareService(target.projectDir, target.manifest, dataDir).catch(
    async (err: unknown) => {
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    },
  );
  const port = await findFreePort(FIRST_EPHEMERAL_PORT, new Set());
  const url = `http://${LOCAL_HOST}:${port}`;
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: target.projectDir,
    env: serviceProcessEnv({ host: LOCAL_HOST, port, env: 'eval', dataDir, serviceEnv }),
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    if (await fetchHealth(url)) return { url, stop };
    await new Promise((r) => setTimeout(r, 150));
  }
  await stop();
  throw environmentError('E_START', `the service did not start for the eval run on ${url}`, {
    fix: 'run npm start in the project to see why',
  });
}
