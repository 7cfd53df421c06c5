/**
 * The supervisor of one local environment: a detached process that runs the service, restarts it when it
 * crashes (with backoff, giving up after repeated fast crashes), records its state, and stops it cleanly
 * on SIGTERM. Started by `genai up`; it imports nothing heavy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { serviceProcessEnv } from './service-env.js';
import { writeState, type LocalState } from './state.js';

export interface SupervisorConfig {
  /** Where the service runs from: a release's own copy of the built service. */
  serviceDir: string;
  releaseId: string;
  /** GENAI_INSTANCE_ID of this start: /healthz reports it, so genai knows its own service. */
  instanceId: string;
  env: string;
  host: string;
  port: number;
  dataDir: string;
  logFile: string;
  statePath: string;
  /** Variables for the service besides PORT, HOST, GENAI_ENV and GENAI_DATA_DIR. */
  serviceEnv: Record<string, string>;
}

/** Crashes within this window count towards giving up. */
const crashWindowMs = 60_000;
const maxCrashesInWindow = 5;
const stopGraceMs = 5_000;

export function restartDelayMs(recentCrashes: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, recentCrashes - 1));
}

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as SupervisorConfig;
  const log = openSync(config.logFile, 'a');
  const state: LocalState = {
    env: config.env,
    supervisorPid: process.pid,
    host: config.host,
    port: config.port,
    url: `http://${config.host}:${config.port}`,
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
  const crashes: number[] = [];

  const start = async () => {
    child = spawn(process.execPath, ['dist/server.js'], {
      cwd: config.serviceDir,
      env: serviceProcessEnv({
        host: config.host,
        port: config.port,
        env: config.env,
        dataDir: config.dataDir,
        serviceEnv: config.serviceEnv,
      }),
      stdio: ['ignore', log, log],
    });
    state.servicePid = child.pid;
    state.status = 'running';
    await writeState(config.statePath, state);
    child.once('exit', (code, signal) => void onExit(code, signal));
  };

  const onExit = async (code: number | null, signal: NodeJS.Signals | null) => {
    state.lastExit = { code, signal, at: new Date().toISOString() };
    state.servicePid = undefined;
    if (stopping) {
      state.status = 'stopped';
      await writeState(config.statePath, state);
      process.exit(0);
    }
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0]! < now - crashWindowMs) crashes.shift();
    if (crashes.length > maxCrashesInWindow) {
      state.status = 'crashed';
      await writeState(config.statePath, state);
      process.exit(1);
    }
    state.status = 'restarting';
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
