import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError } from '../errors.js';
import type { Manifest } from '../manifest/index.js';
import { environmentPaths } from './paths.js';
import { findFreePort, isPortFree } from './ports.js';
import { fetchHealth, prepareService, type Health, type Snapshot } from './project.js';
import { isAlive, readState, type LocalState } from './state.js';
import type { SupervisorConfig } from './supervisor.js';
import { FIRST_LOCAL_PORT, LOCAL_HOST } from './defaults.js';

const supervisorScript = fileURLToPath(new URL('./supervisor.js', import.meta.url));
const healthTimeoutMs = 60_000;

export interface ResolvedLocalEnvironment {
  projectDir: string;
  manifest: Manifest;
  /** Where genai.yaml sets the port, for messages. */
  portLocation?: string;
  env: string;
  port?: number;
}

export interface LocalOutputs {
  env: string;
  target: 'local';
  status: LocalState['status'];
  url: string;
  port: number;
  pid: number;
  servicePid?: number;
  restarts: number;
  dataDir: string;
  logFile: string;
  provider?: string;
  snapshot?: Snapshot | null;
}

export interface UpResult extends LocalOutputs {
  changed: boolean;
  snapshot: Snapshot | null;
}

/** Starts a local environment in the background; a running one is left as it is. */
export async function upLocal(
  target: ResolvedLocalEnvironment,
  onStep: (line: string) => void = () => {},
): Promise<UpResult> {
  const paths = environmentPaths(target.projectDir, target.env);
  const previous = await readState(paths.state);
  if (previous && isAlive(previous.supervisorPid, 'supervisor')) {
    const outputs = await outputsLocal(target);
    return { ...outputs, snapshot: outputs.snapshot ?? null, changed: false };
  }
  if (previous) {
    onStep(`${target.env} was not running (process ${previous.supervisorPid} had exited); starting it again`);
    // A service orphaned by its dead supervisor still holds the port and the data folder.
    if (previous.servicePid && isAlive(previous.servicePid, 'server.js')) await stopProcess(previous.servicePid);
  }

  const port = await choosePort(target);
  const { built, serviceEnv, snapshot } = await prepareService(target.projectDir, target.manifest, paths.data);
  if (built) onStep('built the service (npm run build)');
  onStep(`index snapshot ${snapshot.id}: ${snapshot.documents} documents, ${snapshot.chunks} chunks`);

  const config: SupervisorConfig = {
    projectDir: target.projectDir,
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
    cwd: target.projectDir,
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();

  const url = `http://${LOCAL_HOST}:${port}`;
  const health = await waitHealthy(url, paths.state, paths.log, child.pid);
  const outputs = await outputsLocal(target);
  return { ...outputs, provider: health.provider, snapshot, changed: true };
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

async function choosePort(target: ResolvedLocalEnvironment): Promise<number> {
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
  statePath: string,
  logFile: string,
  supervisorPid: number | undefined,
): Promise<Health> {
  const deadline = Date.now() + healthTimeoutMs;
  while (Date.now() < deadline) {
    const health = await fetchHealth(url);
    if (health?.status === 'ok') return health;
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
    const lines = readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean);
    return lines.length ? `last log line: ${lines[lines.length - 1]!.slice(0, 200)}` : 'its log is empty';
  } catch {
    return 'no log';
  }
}
