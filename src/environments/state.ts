import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';

/**
 * starting: spawned, not yet listening; running: its own service bound the port and answers; restarting:
 * crashed once, a restart is due; crash-loop: crashed repeatedly within a minute and still retrying;
 * crashed: gave up after too many crashes; failed: could not start (see `reason`); stopped: stopped on purpose.
 */
export type ProcessStatus = 'starting' | 'running' | 'restarting' | 'crash-loop' | 'crashed' | 'failed' | 'stopped';

/** States in which the environment does not serve, whatever answers on its port. */
export const failedStatuses: readonly ProcessStatus[] = ['crash-loop', 'crashed', 'failed'];

/** What the supervisor of a local environment records about itself and its service. */
export interface LocalState {
  env: string;
  supervisorPid: number;
  servicePid?: number | undefined;
  host: string;
  port: number;
  url: string;
  dataDir: string;
  logFile: string;
  startedAt: string;
  status: ProcessStatus;
  restarts: number;
  /** The release the supervisor runs (absent in states written before releases). */
  releaseId?: string;
  /** The nonce the service reports on /healthz, to tell it from another process on the same port. */
  instanceId?: string;
  lastExit?: { code: number | null; signal: string | null; at: string };
  /** Why the environment failed or crashed, in one line. */
  reason?: string;
}

export async function readState(path: string): Promise<LocalState | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LocalState;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function readStateSync(path: string): LocalState | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
}

/** Written through a rename so a reader never sees half a file. */
export async function writeState(path: string, state: LocalState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(state, null, 2) + '\n');
}

/** True while a process with this pid exists (and, where /proc tells, is a genai supervisor). */
export function isAlive(pid: number | undefined, expect?: string): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // A killed process stays a zombie until its parent reaps it: it holds no port and no data folder.
    if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return false;
    return expect ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(expect) : true;
  } catch {
    // No /proc (macOS): the signal probe is all there is.
    return true;
  }
}
