import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
  // Another process may take the port between the search and the bind, and answer there: only this start's
  // instance counts, and a start that loses its port moves on to the next free one.
  let from = FIRST_EPHEMERAL_PORT;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await findFreePort(from, new Set());
    const started = await startOnce(target.projectDir, port, dataDir, serviceEnv);
    if (started !== 'exited' && started !== 'timeout') return started;
    // Only a start that ended at once (its port lost to another process) is worth another port.
    if (started === 'timeout') break;
    from = port + 1;
  }
  await rm(dataDir, { recursive: true, force: true });
  throw environmentError('E_START', 'the service did not start for the eval run', {
    fix: 'run npm start in the project to see why',
  });
}

async function startOnce(
  projectDir: string,
  port: number,
  dataDir: string,
  serviceEnv: Record<string, string>,
): Promise<{ url: string; stop(): Promise<void> } | 'exited' | 'timeout'> {
  const url = `http://${LOCAL_HOST}:${port}`;
  const instanceId = randomUUID();
  const child = spawn(process.execPath, ['dist/server.js'], {
    cwd: projectDir,
    env: serviceProcessEnv({
      host: LOCAL_HOST,
      port,
      env: 'eval',
      dataDir,
      serviceEnv: { ...serviceEnv, GENAI_INSTANCE_ID: instanceId },
    }),
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const stop = async () => {
    await end();
    await rm(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const health = await fetchHealth(url);
    // A service generated before instance ids reports none: its env name is all there is to check.
    if (health && (health.instance === instanceId || (health.instance == null && health.env === 'eval'))) {
      return { url, stop };
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  const timedOut = child.exitCode === null;
  await end();
  return timedOut ? 'timeout' : 'exited';
}
