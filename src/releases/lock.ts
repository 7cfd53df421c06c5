import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { environmentError } from '../errors.js';
import { isAlive } from '../environments/index.js';
import { createExclusive, readIfExists, removeIfUnchanged, replaceIfUnchanged } from './exclusive-file.js';
import { releasePaths } from './paths.js';

/**
 * One lock per environment, `.genai/locks/<env>.lock`, so that two promotions (or a promotion and a
 * rollback) of one environment never interleave. The holder renews a lease while it works; a lock whose
 * process has exited or whose lease ran out is stale, and only `--force-unlock` removes it: a crash
 * mid-promotion deserves a look before anyone carries on.
 */

/** What the holder is doing, as the refusal names it: "prod is locked by a promotion". */
export type LockPurpose = 'promotion' | 'rollback' | 'deploy' | 'release';

/** The lock file's content. */
export interface LockHolder {
  pid: number;
  host: string;
  purpose: LockPurpose;
  /** The command line that took it, without the program: "promote dev prod". */
  command: string;
  /** ISO time it was taken. */
  at: string;
  /** ISO time after which the lock is stale unless renewed. */
  leaseUntil: string;
}

export type LockStatus =
  | { env: string; state: 'held'; holder: LockHolder }
  | { env: string; state: 'stale'; holder?: LockHolder; reason: string };

export interface LockOptions {
  purpose: LockPurpose;
  /** Remove a stale lock first (a live one is still refused). */
  forceUnlock?: boolean;
  /** @default LEASE_MS */
  leaseMs?: number;
  /** @default the process's arguments */
  command?: string;
}

export interface EnvironmentLock {
  env: string;
  holder: LockHolder;
  /** The stale lock that `forceUnlock` removed to take this one. */
  removedStale?: (LockStatus & { state: 'stale' }) | undefined;
  /** Gives the lock up; safe to call twice, and never removes a lock someone else holds. */
  release(): Promise<void>;
}

/** How long a lock stays valid without renewal; the holder renews it every third of that. */
export const LEASE_MS = 30 * 60_000;

/** 10:02:11 today, or 2025-01-31 10:02:11 on another day. */
function clock(iso: string, now = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  const time = `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
  return at.toDateString() === now.toDateString()
    ? time
    : `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${time}`;
}

function judge(env: string, text: string, now = Date.now()): LockStatus {
  let holder: LockHolder;
  try {
    holder = JSON.parse(text) as LockHolder;
  } catch {
    return { env, state: 'stale', reason: 'its file is unreadable' };
  }
  if (typeof holder?.pid !== 'number' || typeof holder.leaseUntil !== 'string') {
    return { env, state: 'stale', reason: 'its file is unreadable' };
  }
  if (holder.host === hostname() && !isAlive(holder.pid)) {
    return { env, state: 'stale', holder, reason: 'the process has exited' };
  }
  if (!(Date.parse(holder.leaseUntil) > now)) {
    return { env, state: 'stale', holder, reason: `its lease expired at ${clock(holder.leaseUntil)}` };
  }
  return { env, state: 'held', holder };
}

/** Who holds `env`'s lock and whether it is stale; undefined when nobody does. */
export async function readLock(projectDir: string, env: string): Promise<LockStatus | undefined> {
  const text = await readIfExists(releasePaths(projectDir).lock(env));
  return text === undefined ? undefined : judge(env, text);
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

function heldError(status: LockStatus & { state: 'held' }) {
  const { holder } = status;
  const where = holder.host === hostname() ? '' : ` on ${holder.host}`;
  return environmentError(
    'E_LOCKED',
    `${status.env} is locked by ${article(holder.purpose)} ${holder.purpose} (pid ${holder.pid}${where}, since ${clock(holder.at)})`,
    { location: `.genai/locks/${status.env}.lock`, fix: 'wait for it to finish' },
  );
}

function staleError(status: LockStatus & { state: 'stale' }) {
  const { holder } = status;
  const what = holder
    ? `from pid ${holder.pid} (${holder.command || holder.purpose}, ${clock(holder.at)}; ${status.reason})`
    : `(${status.reason})`;
  return environmentError('E_STALE_LOCK', `${status.env} has a stale lock ${what}`, {
    location: `.genai/locks/${status.env}.lock`,
    fix: 'rerun with --force-unlock',
  });
}

/**
 * Takes `env`'s lock, or throws (exit 3) naming who holds it. With `forceUnlock` a stale lock is removed
 * first; a live holder is always refused. Of processes racing for a free lock, exactly one wins.
 */
export async function acquireLock(projectDir: string, env: string, options: LockOptions): Promise<EnvironmentLock> {
  const paths = releasePaths(projectDir);
  const path = paths.lock(env);
  const leaseMs = options.leaseMs ?? LEASE_MS;
  await mkdir(paths.locks, { recursive: true });
  let removedStale: (LockStatus & { state: 'stale' }) | undefined;
  // A few rounds: between seeing a lock and taking the name, another process may release or take it.
  for (let round = 0; round < 5; round++) {
    const now = new Date();
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      purpose: options.purpose,
      command: options.command ?? process.argv.slice(2).join(' '),
      at: now.toISOString(),
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(),
    };
    const text = `${JSON.stringify(holder, null, 2)}\n`;
    if (await createExclusive(path, text)) return heldLock(path, env, holder, text, leaseMs, removedStale);
    const existing = await readIfExists(path);
    if (existing === undefined) continue;
    const status = judge(env, existing);
    if (status.state === 'held') throw heldError(status);
    if (!options.forceUnlock) throw staleError(status);
    if (await removeIfUnchanged(path, existing)) removedStale = status;
  }
  throw environmentError('E_LOCK_CONTENDED', `${env}'s lock changed hands five times while genai tried to take it`, {
    location: `.genai/locks/${env}.lock`,
    fix: 'check which genai commands are running on this project, then try again',
  });
}

function heldLock(
  path: string,
  env: string,
  holder: LockHolder,
  initial: string,
  leaseMs: number,
  removedStale: (LockStatus & { state: 'stale' }) | undefined,
): EnvironmentLock {
  let current = initial;
  let held = true;
  // Renewals and the release run one after another, so a late renewal cannot bring a released lock back.
  let chain: Promise<void> = Promise.resolve();
  const renew = () => {
    chain = chain.then(async () => {
      if (!held) return;
      const next = `${JSON.stringify({ ...holder, leaseUntil: new Date(Date.now() + leaseMs).toISOString() }, null, 2)}\n`;
      try {
        if (await replaceIfUnchanged(path, current, next)) current = next;
        else held = false;
      } catch {
        // A failed renewal leaves the old lease to run out; the next one may succeed.
      }
    });
  };
  const timer = setInterval(renew, Math.max(100, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    env,
    holder,
    removedStale,
    release: async () => {
      clearInterval(timer);
      await chain;
      if (!held) return;
      held = false;
      await removeIfUnchanged(path, current);
    },
  };
}
