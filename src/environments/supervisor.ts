/**
 * The supervisor of one local environment: a detached process that runs the service, learns the port it
 * actually bound (the service reports it over IPC, or its own instance answers /healthz there), restarts
 * it when it crashes (with backoff, recording a crash loop and giving up after repeated fast crashes),
 * records its state, and stops it cleanly on SIGTERM. Started by `genai up`; it imports nothing heavy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, writeSync } from 'node:fs';
import { findFreePort, isPortFree } from './ports.js';
import { SERVICE_ENV_VARIABLE, serviceProcessEnv } from './service-env.js';
import { writeState, type LocalState } from './state.js';

export interface SupervisorConfig {
  /** Where the service runs from: a release's own copy of the built service. */
  serviceDir: string;
  releaseId: string;
  /** GENAI_INSTANCE_ID of this start: /healthz reports it, so genai knows its own service. */
  instanceId: string;
  env: string;
  host: string;
  /** The port to try first. */
  port: number;
  /** genai.yaml or --port asked for `port`: never move to another one. */
  pinned: boolean;
  /** Ports other environments of the project hold or ask for, skipped when moving. */
  avoidPorts: number[];
  dataDir: string;
  logFile: string;
  statePath: string;
}

/** What a service sends its supervisor once it listens: `process.send({ kind: 'listening', port })`. */
export interface ListeningMessage {
  kind: 'listening';
  port: number;
}

/** Crashes within this window count towards a crash loop and towards giving up. */
const crashWindowMs = 60_000;
/** From this many crashes in the window the state says crash-loop: the environment is failed, not running. */
export const CRASH_LOOP_CRASHES = 2;
const maxCrashesInWindow = 5;
/** How often a first start may move to another port because another process took the one it tried. */
const maxPortMoves = 10;
const stopGraceMs = 5_000;
const healthPollMs = 200;

export function restartDelayMs(recentCrashes: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, recentCrashes - 1));
}

function isListeningMessage(message: unknown): message is ListeningMessage {
  const m = message as Partial<ListeningMessage> | null;
  return typeof m === 'object' && m !== null && m.kind === 'listening' && typeof m.port === 'number' && m.port > 0;
}

async function answersAsOwn(url: string, instanceId: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
    if (!response.ok) return false;
    return ((await response.json()) as { instance?: unknown }).instance === instanceId;
  } catch {
    return false;
  }
}

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as SupervisorConfig;
  const serviceEnv = JSON.parse(process.env[SERVICE_ENV_VARIABLE] ?? '{}') as Record<string, string>;
  delete process.env[SERVICE_ENV_VARIABLE];
  const log = openSync(config.logFile, 'a');
  const note = (line: string) => writeSync(log, `genai supervisor: ${line}\n`);
  const urlOf = (port: number) => `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const state: LocalState = {
    env: config.env,
    supervisorPid: process.pid,
    host: config.host,
    port: config.port,
    url: urlOf(config.port),
    dataDir: config.dataDir,
    logFile: config.logFile,
    startedAt: new Date().toISOString(),
    status: 'starting',
    restarts: 0,
    releaseId: config.releaseId,
    instanceId: config.instanceId,
  };
  let child: ChildProcess | undefined;
  let stopping = false;
  /** The service answered once: its URL is out, so a restart never moves to another port. */
  let published = false;
  let portMoves = 0;
  const crashes: number[] = [];

  const giveUp = async (status: 'failed' | 'crashed', reason: string) => {
    state.status = status;
    state.reason = reason;
    note(`${status}: ${reason}`);
    await writeState(config.statePath, state);
    process.exit(1);
  };

  const start = async () => {
    if (stopping) return;
    const port = state.port;
    const started = spawn(process.execPath, ['dist/server.js'], {
      cwd: config.serviceDir,
      env: serviceProcessEnv({ host: config.host, port, env: config.env, dataDir: config.dataDir, serviceEnv }),
      stdio: ['ignore', log, log, 'ipc'],
    });
    child = started;
    let up = false;
    const onListening = async (bound: number) => {
      if (up || stopping || started.exitCode !== null) return;
      up = true;
      published = true;
      state.port = bound;
      state.url = urlOf(bound);
      state.status = 'running';
      delete state.reason;
      await writeState(config.statePath, state);
    };
    started.on('message', (message) => {
      if (isListeningMessage(message)) void onListening(message.port);
    });
    // A service that predates the IPC report: its own instance answering on the port is as good.
    const poll = setInterval(() => {
      if (up) return;
      void answersAsOwn(urlOf(port), config.instanceId).then(async (own) => {
        if (own) await onListening(port);
      });
    }, healthPollMs);
    started.once('exit', (code, signal) => {
      clearInterval(poll);
      void onExit(code, signal, up, port);
    });
    state.servicePid = started.pid;
    state.status = published ? (crashes.length >= CRASH_LOOP_CRASHES ? 'crash-loop' : 'restarting') : 'starting';
    await writeState(config.statePath, state);
  };

  const onExit = async (code: number | null, signal: NodeJS.Signals | null, wasUp: boolean, port: number) => {
    state.lastExit = { code, signal, at: new Date().toISOString() };
    state.servicePid = undefined;
    if (stopping) {
      state.status = 'stopped';
      await writeState(config.statePath, state);
      process.exit(0);
    }
    if (!wasUp && !(await isPortFree(port, config.host))) {
      // It could not bind: another process holds the port.
      const taken = `port ${port} on ${config.host} is in use by another process`;
      if (config.pinned) return giveUp('failed', `${taken} (the port genai.yaml or --port asks for)`);
      if (published) return giveUp('failed', `${taken}; it took the port while the service was restarting`);
      if (portMoves >= maxPortMoves) return giveUp('failed', `${taken}, and so were ${maxPortMoves} others`);
      portMoves += 1;
      const next = await findFreePort(port + 1, new Set(config.avoidPorts), config.host);
      note(`${taken}; trying port ${next}`);
      state.port = next;
      state.url = urlOf(next);
      return start();
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0]! < now - crashWindowMs) crashes.shift();
    if (crashes.length > maxCrashesInWindow) {
      return giveUp('crashed', `the service crashed ${crashes.length} times within ${crashWindowMs / 1000} s`);
    }
    state.status = crashes.length >= CRASH_LOOP_CRASHES ? 'crash-loop' : 'restarting';
    state.restarts += 1;
    await writeState(config.statePath, state);
    setTimeout(() => void start(), restartDelayMs(crashes.length));
  };

  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      state.status = 'stopped';
      void writeState(config.statePath, state).then(() => process.exit(0));
      return;
    }
    child.kill('SIGTERM');
    setTimeout(() => child?.kill('SIGKILL'), stopGraceMs).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await start();
}

if (process.argv[2]) {
  main(process.argv[2]).catch((err: unknown) => {
    console.error(`supervisor: ${(err as Error).message}`);
    process.exit(1);
  });
}
