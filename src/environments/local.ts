import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError, usageError } from '../errors.js';
import { environmentPaths } from './paths.js';
import { findFreePort, isPortFree } from './ports.js';
import { fetchHealth, ingest, serviceEnvironment, type Health, type Snapshot } from './project.js';
import { isAlive, readState, type LocalState } from './state.js';
import type { SupervisorConfig } from './supervisor.js';
import { FIRST_LOCAL_PORT, LOCAL_HOST } from './defaults.js';
import type {
  DeployableRelease,
  EnvironmentDriver,
  EnvironmentOutputs,
  ResolvedEnvironment,
  RunningRelease,
} from './driver.js';

const supervisorScript = fileURLToPath(new URL('./supervisor.js', import.meta.url));
const healthTimeoutMs = 60_000;

/** A local environment of genai.yaml with the port it asks for (genai.yaml or --port), if any. */
export interface ResolvedLocalEnvironment extends ResolvedEnvironment {
  port?: number | undefined;
}

export interface LocalOutputs extends EnvironmentOutputs {
  target: 'local';
  status: LocalState['status'];
  port: number;
  pid: number;
  servicePid?: number | undefined;
  restarts: number;
  dataDir: string;
  logFile: string;
  provider?: string | undefined;
  snapshot?: Snapshot | null;
}

export interface UpResult extends LocalOutputs {
  changed: boolean;
  snapshot: Snapshot | null;
}

/** The local target behind the one driver interface. */
export function localDriver(target: ResolvedLocalEnvironment): EnvironmentDriver {
  return {
    env: target.env,
    target: 'local',
    artifactKind: 'local-bundle',
    // Nothing to install or log in to: the local target is this machine.
    preflight: async () => {},
    preview: async (release) => {
      const running = await runningReleaseLocal(target);
      const same = running.state === 'running' && running.release === release.id;
      return { env: target.env, target: 'local', release: release.id, changes: same ? { same: 1 } : { update: 1 } };
    },
    refresh: async () => {
      const running = await runningReleaseLocal(target);
      return {
        env: target.env,
        target: 'local',
        outputs: running.state === 'running' ? await outputsLocal(target) : null,
      };
    },
    deploy: async (release, onStep) => {
      const result = await deployLocal(target, release, onStep);
      return { outputs: result, changed: result.changed };
    },
    outputs: () => outputsLocal(target),
    runningRelease: () => runningReleaseLocal(target),
    stop: () => destroyLocal(target),
  };
}

/**
 * Makes a local environment run a release: the service runs from the release's own copy (so editing the
 * project's sources changes nothing that runs), on the environment's data, under a detached supervisor.
 * A running environment on another release is stopped first (PGlite opens a data folder from one process).
 */
export async function deployLocal(
  target: ResolvedLocalEnvironment,
  release: DeployableRelease,
  onStep: (line: string) => void = () => {},
): Promise<UpResult> {
  if (release.artifact.kind !== 'local-bundle') {
    throw usageError('E_RELEASE_ARTIFACT', `release ${release.id} is an image, which the local target cannot run`, {
      fix: 'deploy a release made by genai release create on this machine',
    });
  }
  // Relative to the project in the record, so that a project folder can move.
  const serviceDir = resolve(target.projectDir, release.artifact.path);
  const paths = environmentPaths(target.projectDir, target.env);
  const previous = await readState(paths.state);
  if (previous && isAlive(previous.supervisorPid, 'supervisor')) {
    if (previous.releaseId === release.id) {
      const outputs = await outputsLocal(target);
      return { ...outputs, snapshot: outputs.snapshot ?? null, changed: false };
    }
    onStep(`stopping ${target.env} (release ${previous.releaseId ?? 'none'})`);
    await stopProcess(previous.supervisorPid);
  } else if (previous) {
    onStep(`${target.env} was not running (process ${previous.supervisorPid} had exited); starting it again`);
  }
  // A service orphaned by its dead supervisor still holds the port and the data folder.
  if (previous?.servicePid && isAlive(previous.servicePid, 'server.js')) await stopProcess(previous.servicePid);

  const port = await choosePort(target, previous?.port);
  const instanceId = randomUUID();
  const serviceEnv = {
    ...serviceEnvironment(target.projectDir, target.manifest),
    GENAI_RELEASE_ID: release.id,
    GENAI_INSTANCE_ID: instanceId,
  };
  await mkdir(paths.data, { recursive: true });
  const snapshot = await ingest(serviceDir, paths.data, serviceEnv);
  onStep(`index snapshot ${snapshot.id}: ${snapshot.documents} documents, ${snapshot.chunks} chunks`);

  const config: SupervisorConfig = {
    serviceDir,
    releaseId: release.id,
    instanceId,
    env: target.env,
    host: LOCAL_HOST,
    port,
    dataDir: paths.data,
    logFile: paths.log,
    statePath: paths.state,
    serviceEnv,
  };
  await mkdir(paths.home, { recursive: true });
  await rm(paths.state, { force: true });
  await writeFile(paths.supervisorConfig, JSON.stringify(config, null, 2) + '\n');
  const log = openSync(paths.log, 'a');
  const child = spawn(process.execPath, [supervisorScript, paths.supervisorConfig], {
    cwd: serviceDir,
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();

  const url = `http://${LOCAL_HOST}:${port}`;
  const health = await waitHealthy(url, instanceId, paths.state, paths.log, child.pid);
  const outputs = await outputsLocal(target);
  return { ...outputs, provider: health.provider, snapshot, changed: true };
}

/** The service answering is this environment's own start (states from before instance ids: its env). */
function isOwnService(health: Health, env: string, state: LocalState): boolean {
  if (state.instanceId) return health.instance === state.instanceId;
  return health.env === undefined || health.env === env;
}

/** Which release the environment's service reports, without failing when it is stopped or sick. */
export async function runningReleaseLocal(target: ResolvedLocalEnvironment): Promise<RunningRelease> {
  const paths = environmentPaths(target.projectDir, target.env);
  const state = await readState(paths.state);
  if (!state || !isAlive(state.supervisorPid, 'supervisor')) {
    return { env: target.env, state: 'stopped', release: null };
  }
  const health = await fetchHealth(state.url);
  if (!health || state.status === 'crashed' || !isOwnService(health, target.env, state)) {
    return {
      env: target.env,
      state: 'failed',
      release: state.releaseId ?? null,
      url: state.url,
      reason: `${state.status}, ${state.restarts} restarts`,
    };
  }
  return { env: target.env, state: 'running', release: health.release ?? null, url: state.url };
}

/** Endpoints and ids of a running local environment; a dead one is an environment error (exit 3). */
export async function outputsLocal(target: ResolvedLocalEnvironment): Promise<LocalOutputs> {
  const paths = environmentPaths(target.projectDir, target.env);
  const state = await readState(paths.state);
  if (!state) {
    throw environmentError('E_NOT_RUNNING', `environment ${target.env} is not running`, {
      fix: `run genai up ${target.env}`,
    });
  }
  if (!isAlive(state.supervisorPid, 'supervisor')) {
    throw environmentError(
      'E_DEAD',
      `environment ${target.env} is not running: its process ${state.supervisorPid} has exited (${lastLogLine(paths.log)})`,
      {
        fix: `run genai up ${target.env} to start it again; its log is ${paths.log}`,
      },
    );
  }
  const health = await fetchHealth(state.url);
  if (health && !isOwnService(health, target.env, state)) {
    throw environmentError(
      'E_FOREIGN_SERVICE',
      `another service answers at ${state.url} (it says env ${health.env ?? 'unknown'}, release ${health.release ?? 'none'}), not ${target.env}'s own (${state.status}, ${state.restarts} restarts)`,
      { fix: `stop what listens on port ${state.port}, then genai up ${target.env}; its log is ${paths.log}` },
    );
  }
  if (state.status === 'crashed' || !health) {
    throw environmentError(
      'E_UNHEALTHY',
      `environment ${target.env} does not answer at ${state.url} (${state.status}, ${state.restarts} restarts; ${lastLogLine(paths.log)})`,
      {
        fix: `read ${paths.log}, then genai destroy ${target.env} && genai up ${target.env}`,
      },
    );
  }
  return {
    env: target.env,
    target: 'local',
    status: state.status,
    url: state.url,
    port: state.port,
    pid: state.supervisorPid,
    servicePid: state.servicePid,
    restarts: state.restarts,
    dataDir: state.dataDir,
    logFile: state.logFile,
    provider: health.provider,
    snapshot: health.snapshot ?? null,
    release: health.release ?? null,
  };
}

/** Stops the environment (service and supervisor) and removes its data and state. */
export async function destroyLocal(
  target: ResolvedLocalEnvironment,
): Promise<{ env: string; stopped: boolean; removed: string[] }> {
  const paths = environmentPaths(target.projectDir, target.env);
  const state = await readState(paths.state);
  let stopped = false;
  if (state && isAlive(state.supervisorPid, 'supervisor')) {
    await stopProcess(state.supervisorPid);
    stopped = true;
  }
  if (state?.servicePid && isAlive(state.servicePid, 'server.js')) await stopProcess(state.servicePid);
  const removed = [paths.data, paths.dataLock, paths.home].filter((p) => existsSync(p));
  for (const path of removed) await rm(path, { recursive: true, force: true });
  return { env: target.env, stopped, removed };
}

/** The base URL of a running local environment. */
export async function localEndpoint(target: ResolvedLocalEnvironment): Promise<string> {
  return (await outputsLocal(target)).url;
}

/** The port genai.yaml or --port asks for, else the environment's previous one while free, else the first free. */
async function choosePort(target: ResolvedLocalEnvironment, previous?: number): Promise<number> {
  const wanted = target.port;
  if (wanted !== undefined) {
    if (!(await isPortFree(wanted, LOCAL_HOST))) {
      throw environmentError('E_PORT_IN_USE', `port ${wanted} is in use`, {
        location: target.portLocation,
        fix: `stop what listens on ${wanted}, or choose another port for ${target.env} in genai.yaml (or --port)`,
      });
    }
    return wanted;
  }
  if (previous !== undefined && (await isPortFree(previous, LOCAL_HOST))) return previous;
  return findFreePort(FIRST_LOCAL_PORT, await portsOfOtherEnvironments(target), LOCAL_HOST);
}

async function portsOfOtherEnvironments(target: ResolvedLocalEnvironment): Promise<Set<number>> {
  const taken = new Set<number>();
  const envsDir = join(target.projectDir, '.genai', 'envs');
  for (const name of await readdir(envsDir).catch(() => [] as string[])) {
    if (name === target.env) continue;
    const state = await readState(environmentPaths(target.projectDir, name).state);
    if (state && isAlive(state.supervisorPid, 'supervisor')) taken.add(state.port);
  }
  for (const [name, env] of Object.entries(target.manifest.environments)) {
    if (name !== target.env && env.target === 'local' && 'port' in env && typeof env.port === 'number')
      taken.add(env.port);
  }
  return taken;
}

async function waitHealthy(
  url: string,
  instanceId: string,
  statePath: string,
  logFile: string,
  supervisorPid: number | undefined,
): Promise<Health> {
  const deadline = Date.now() + healthTimeoutMs;
  while (Date.now() < deadline) {
    const health = await fetchHealth(url);
    // Another process on the port answers too: only our own start counts.
    if (health?.status === 'ok' && health.instance === instanceId) return health;
    const state = await readState(statePath);
    if (!isAlive(supervisorPid) || state?.status === 'crashed' || (state?.restarts ?? 0) > 0) {
      if (supervisorPid && isAlive(supervisorPid)) await stopProcess(supervisorPid);
      throw environmentError('E_START', `the service exited while starting: ${lastLogLine(logFile)}`, {
        fix: `read ${logFile}`,
      });
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  if (supervisorPid) await stopProcess(supervisorPid);
  throw environmentError(
    'E_START_TIMEOUT',
    `the service did not answer ${url}/healthz within ${healthTimeoutMs / 1000} s`,
    { fix: `read ${logFile}` },
  );
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
async function stopProcess(pid: number, graceMs = 8_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function lastLogLine(logFile: string): string {
  try {
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).slice(-40);
    if (!lines.length) return 'its log is empty';
    // Node ends a crash with its version; the cause is the last error line above it.
    const cause = [...lines].reverse().find((l) => /\b(error|Error|ERR_|EADDRINUSE|EACCES)\b/.test(l)) ?? lines.at(-1)!;
    return `log: ${cause.trim().slice(0, 200)}`;
  } catch {
    return 'no log';
  }
}
