import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError, splitFix, usageError } from '../errors.js';
import { environmentPaths } from './paths.js';
import { findFreePort, isPortFree } from './ports.js';
import { fetchHealth, ingest, serviceEnvironment, type Health, type Snapshot } from './project.js';
import { failedStatuses, isAlive, readState, writeState, type LocalState } from './state.js';
import { SERVICE_ENV_VARIABLE } from './service-env.js';
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
      if (previous.status === 'starting' && previous.instanceId) {
        // Another start of this release (an `up` stopped half-way leaves its supervisor on): wait for it.
        onStep(`${target.env} is starting; waiting for it`);
        const started = await waitStarted(paths, previous.instanceId, previous.supervisorPid);
        if (started.ok) {
          const outputs = await outputsLocal(target);
          return { ...outputs, snapshot: outputs.snapshot ?? null, changed: false };
        }
      } else {
        const health = await fetchHealth(previous.url);
        if (health && previous.status === 'running' && isOwnService(health, target.env, previous)) {
          const outputs = await outputsLocal(target);
          return { ...outputs, snapshot: outputs.snapshot ?? null, changed: false };
        }
      }
      const now = (await readState(paths.state)) ?? previous;
      onStep(`${target.env} failed (${describeState(now, await fetchHealth(now.url))}); restarting it`);
    } else {
      onStep(`stopping ${target.env} (release ${previous.releaseId ?? 'none'})`);
    }
    await stopProcess(previous.supervisorPid);
  } else if (previous && failedStatuses.includes(previous.status)) {
    onStep(`${target.env} had failed (${describeState(previous, undefined)}); starting it again`);
  } else if (previous) {
    onStep(`${target.env} was not running (process ${previous.supervisorPid} had exited); starting it again`);
  }
  // A service orphaned by its dead supervisor still holds the port and the data folder.
  const orphan = (await readState(paths.state))?.servicePid ?? previous?.servicePid;
  if (orphan && isAlive(orphan, 'server.js')) await stopProcess(orphan);

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
    pinned: target.port !== undefined,
    avoidPorts: [...(await portsOfOtherEnvironments(target))],
    dataDir: paths.data,
    logFile: paths.log,
    statePath: paths.state,
  };
  await mkdir(paths.home, { recursive: true });
  await rm(paths.state, { force: true });
  await writeFile(paths.supervisorConfig, JSON.stringify(config, null, 2) + '\n');
  const log = openSync(paths.log, 'a');
  const logOffset = statSync(paths.log).size;
  const child = spawn(process.execPath, [supervisorScript, paths.supervisorConfig], {
    cwd: serviceDir,
    detached: true,
    stdio: ['ignore', log, log],
    // Not in supervisor.json: the variables may hold credentials.
    env: { ...process.env, [SERVICE_ENV_VARIABLE]: JSON.stringify(serviceEnv) },
  });
  child.unref();
  closeSync(log);

  const started = await waitStarted(paths, instanceId, child.pid);
  if (!started.ok) throw await failStart(target, paths, child.pid, started.reason, logOffset);
  const outputs = await outputsLocal(target);
  return { ...outputs, provider: started.health.provider, snapshot, changed: true };
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
  if (!state) return { env: target.env, state: 'stopped', release: null };
  const failed = (reason: string): RunningRelease => ({
    env: target.env,
    state: 'failed',
    release: state.releaseId ?? null,
    url: state.url,
    reason,
  });
  if (!isAlive(state.supervisorPid, 'supervisor')) {
    if (!failedStatuses.includes(state.status)) return { env: target.env, state: 'stopped', release: null };
    return failed(describeState(state, undefined));
  }
  const health = await fetchHealth(state.url);
  if (!health || state.status !== 'running' || !isOwnService(health, target.env, state)) {
    return failed(describeState(state, health));
  }
  return { env: target.env, state: 'running', release: health.release ?? null, url: state.url };
}

/** Why an environment that should serve does not, in a few words: the state's reason, else its status. */
function describeState(state: LocalState, health: Health | undefined): string {
  const restarts = `${state.restarts} restart${state.restarts === 1 ? '' : 's'}`;
  if (state.reason) return `${state.reason}; ${restarts}`;
  if (health && !isOwnService(health, state.env, state)) {
    return `another service answers at ${state.url} (it says env ${health.env ?? 'unknown'}, release ${health.release ?? 'none'}); ${restarts}`;
  }
  switch (state.status) {
    case 'crash-loop':
      return `crash-looping, ${restarts}`;
    case 'crashed':
      return `crashed too often and was given up, ${restarts}`;
    case 'restarting':
      return `restarting after a crash, ${restarts}`;
    case 'starting':
      return 'still starting';
    default:
      return `${state.status}, does not answer at ${state.url}; ${restarts}`;
  }
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
    if (failedStatuses.includes(state.status)) {
      throw environmentError('E_FAILED', `environment ${target.env} failed: ${describeState(state, undefined)}`, {
        fix: `run genai up ${target.env} to start it again; its log is ${paths.log}`,
      });
    }
    throw environmentError(
      'E_DEAD',
      `environment ${target.env} is not running: its process ${state.supervisorPid} has exited (${logCause(paths.log).text})`,
      { fix: `run genai up ${target.env} to start it again; its log is ${paths.log}` },
    );
  }
  const health = await fetchHealth(state.url);
  if (health && !isOwnService(health, target.env, state)) {
    throw environmentError(
      'E_FOREIGN_SERVICE',
      `environment ${target.env} failed: another service answers at ${state.url} (it says env ${health.env ?? 'unknown'}, release ${health.release ?? 'none'}), not ${target.env}'s own (${state.status}, ${state.restarts} restarts)`,
      { fix: `run genai up ${target.env} to start it on a port of its own; its log is ${paths.log}` },
    );
  }
  if (!health || state.status !== 'running') {
    throw environmentError('E_FAILED', `environment ${target.env} failed: ${describeState(state, health)}`, {
      fix: `run genai up ${target.env} to restart it; its log is ${paths.log}`,
    });
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

type StartOutcome = { ok: true; health: Health } | { ok: false; reason: string };

/**
 * Waits until the supervisor reports that its own service bound a port and that service answers there with
 * this start's instance id; another process on the port never counts. Any exit or restart is a failure.
 */
async function waitStarted(
  paths: ReturnType<typeof environmentPaths>,
  instanceId: string,
  supervisorPid: number | undefined,
): Promise<StartOutcome> {
  const deadline = Date.now() + healthTimeoutMs;
  while (Date.now() < deadline) {
    const state = await readState(paths.state);
    if (state?.instanceId === instanceId && state.status === 'running') {
      const health = await fetchHealth(state.url);
      if (health?.status === 'ok' && health.instance === instanceId) return { ok: true, health };
    }
    if (state && (failedStatuses.includes(state.status) || state.restarts > 0)) {
      return { ok: false, reason: state.reason ?? describeExit(state.lastExit) };
    }
    if (!isAlive(supervisorPid)) {
      return { ok: false, reason: state?.reason ?? 'its supervisor exited' };
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { ok: false, reason: `the service did not answer on its port within ${healthTimeoutMs / 1000} s` };
}

/**
 * After a failed start: stops the supervisor and whatever service it left, records the environment as
 * failed with the cause, and returns the one-line error `up` exits 3 with (the cause, the last lines of
 * this start's log, and one fix).
 */
async function failStart(
  target: ResolvedLocalEnvironment,
  paths: ReturnType<typeof environmentPaths>,
  supervisorPid: number | undefined,
  reason: string,
  logOffset: number,
) {
  if (supervisorPid && isAlive(supervisorPid)) await stopProcess(supervisorPid);
  const state = await readState(paths.state);
  if (state?.servicePid && isAlive(state.servicePid, 'server.js')) await stopProcess(state.servicePid);
  if (state) {
    const { servicePid: _gone, ...rest } = state;
    await writeState(paths.state, { ...rest, status: 'failed', reason });
  }
  const cause = logCause(paths.log, logOffset);
  const tail = logTail(paths.log, logOffset, 3);
  const portTaken = /port \d+ on \S+ is in use/.test(reason);
  const fix = portTaken
    ? target.port !== undefined
      ? `stop what listens on ${target.port}, or choose another port for ${target.env} in genai.yaml (or --port)`
      : `stop what listens there, then genai up ${target.env}`
    : (cause.fix ?? `read ${paths.log}, then genai up ${target.env}`);
  const lines = tail.length ? `; last lines of ${paths.log}: ${tail.join(' | ')}` : '';
  return environmentError('E_START', `${target.env} did not start: ${reason}${lines}`, {
    location: portTaken ? target.portLocation : undefined,
    fix,
  });
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

function describeExit(exit: LocalState['lastExit']): string {
  if (!exit) return 'the service exited as it started';
  return exit.signal
    ? `the service was killed by ${exit.signal} as it started`
    : `the service exited with code ${exit.code} as it started`;
}

/** The last `count` lines of a log from `offset` on, each cut to one short line without its own fix. */
function logTail(logFile: string, offset: number, count: number): string[] {
  return readLogLines(logFile, offset)
    .slice(-count)
    .map((line) => splitFix(line.trim()).text.slice(0, 160));
}

/** The cause of a failure as its log tells it: the last error line (Node ends a crash with its version). */
function logCause(logFile: string, offset = 0): { text: string; fix?: string } {
  const lines = readLogLines(logFile, offset);
  if (!lines.length) return { text: 'its log is empty' };
  const cause = [...lines].reverse().find((l) => /\b(error|Error|ERR_|EADDRINUSE|EACCES)\b/.test(l)) ?? lines.at(-1)!;
  const { text, fix } = splitFix(cause.trim());
  return { text: `log: ${text.slice(0, 200)}`, ...(fix ? { fix } : {}) };
}

/** The last 40 non-empty lines of a log from `offset` on (read from its end: a log can grow large). */
function readLogLines(logFile: string, offset: number): string[] {
  try {
    const size = statSync(logFile).size;
    const from = Math.max(offset, size - 64 * 1024);
    const buffer = Buffer.alloc(Math.max(0, size - from));
    const fd = openSync(logFile, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, from);
    } finally {
      closeSync(fd);
    }
    return buffer
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .slice(-40);
  } catch {
    return [];
  }
}
