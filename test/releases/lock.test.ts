import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, readLock, type LockHolder } from '../../src/releases/index.js';
import { builtReleases, deadPid, refused, spawnNode, tempDir } from './helpers.js';

const lockFile = (dir: string, env: string) => join(dir, '.genai', 'locks', `${env}.lock`);
const HH_MM_SS = /\d\d:\d\d:\d\d/;

/** A lock file as another process would have left it. */
async function plantLock(dir: string, env: string, holder: Partial<LockHolder>) {
  const now = Date.now();
  const full: LockHolder = {
    pid: process.pid,
    host: hostname(),
    purpose: 'promotion',
    command: 'promote dev prod',
    at: new Date(now - 5_000).toISOString(),
    leaseUntil: new Date(now + 60_000).toISOString(),
    ...holder,
  };
  await mkdir(join(dir, '.genai', 'locks'), { recursive: true });
  await writeFile(lockFile(dir, env), JSON.stringify(full));
  return full;
}

describe('an environment lock', () => {
  it('is a file naming its holder, and release removes it', async () => {
    const dir = await tempDir('lock');
    const lock = await acquireLock(dir, 'prod', { purpose: 'promotion', command: 'promote staging prod' });
    const stored = JSON.parse(await readFile(lockFile(dir, 'prod'), 'utf8')) as LockHolder;
    expect(stored).toMatchObject({
      pid: process.pid,
      host: hostname(),
      purpose: 'promotion',
      command: 'promote staging prod',
    });
    expect(Date.parse(stored.leaseUntil)).toBeGreaterThan(Date.parse(stored.at));
    expect(await readLock(dir, 'prod')).toEqual({ env: 'prod', state: 'held', holder: stored });
    await lock.release();
    await lock.release();
    expect(existsSync(lockFile(dir, 'prod'))).toBe(false);
    expect(await readLock(dir, 'prod')).toBeUndefined();
  });

  it('refuses while a live process holds it, naming what it does, its pid and since when', async () => {
    const dir = await tempDir('lock');
    const lock = await acquireLock(dir, 'prod', { purpose: 'promotion' });
    const error = await refused(acquireLock(dir, 'prod', { purpose: 'rollback' }));
    expect(error).toMatchObject({ code: 'E_LOCKED', exitCode: 3, fix: 'wait for it to finish' });
    expect(error.message).toMatch(
      new RegExp(`^prod is locked by a promotion \\(pid ${process.pid}, since ${HH_MM_SS.source}\\)$`),
    );
    // --force-unlock does not break a live lock.
    expect((await refused(acquireLock(dir, 'prod', { purpose: 'rollback', forceUnlock: true }))).code).toBe('E_LOCKED');
    // Other environments are not affected.
    const dev = await acquireLock(dir, 'dev', { purpose: 'deploy' });
    await dev.release();
    await lock.release();
  });

  it('calls a lock stale when its process has exited, and asks for --force-unlock', async () => {
    const dir = await tempDir('lock');
    const pid = await deadPid();
    await plantLock(dir, 'prod', { pid });
    const error = await refused(acquireLock(dir, 'prod', { purpose: 'promotion' }));
    expect(error).toMatchObject({ code: 'E_STALE_LOCK', exitCode: 3, fix: 'rerun with --force-unlock' });
    expect(error.message).toMatch(
      new RegExp(
        `^prod has a stale lock from pid ${pid} \\(promote dev prod, ${HH_MM_SS.source}; the process has exited\\)$`,
      ),
    );
    expect(await readLock(dir, 'prod')).toMatchObject({ state: 'stale', reason: 'the process has exited' });
    expect(existsSync(lockFile(dir, 'prod'))).toBe(true);
  });

  it('calls a lock stale when its lease ran out, even if the pid is alive', async () => {
    const dir = await tempDir('lock');
    await plantLock(dir, 'prod', { leaseUntil: new Date(Date.now() - 1_000).toISOString() });
    const error = await refused(acquireLock(dir, 'prod', { purpose: 'promotion' }));
    expect(error.code).toBe('E_STALE_LOCK');
    expect(error.message).toMatch(/; its lease expired at \d\d:\d\d:\d\d\)$/);
  });

  it('with forceUnlock removes a stale lock, says which, and takes it', async () => {
    const dir = await tempDir('lock');
    const pid = await deadPid();
    await plantLock(dir, 'prod', { pid });
    const lock = await acquireLock(dir, 'prod', { purpose: 'promotion', forceUnlock: true });
    expect(lock.removedStale).toMatchObject({ state: 'stale', holder: { pid }, reason: 'the process has exited' });
    expect(await readLock(dir, 'prod')).toMatchObject({ state: 'held', holder: { pid: process.pid } });
    await lock.release();
  });

  it('treats an unreadable lock file as stale', async () => {
    const dir = await tempDir('lock');
    await mkdir(join(dir, '.genai', 'locks'), { recursive: true });
    await writeFile(lockFile(dir, 'prod'), '{"pid": 12');
    expect((await refused(acquireLock(dir, 'prod', { purpose: 'promotion' }))).message).toBe(
      'prod has a stale lock (its file is unreadable)',
    );
    await (await acquireLock(dir, 'prod', { purpose: 'promotion', forceUnlock: true })).release();
  });

  it('renews its lease while held', async () => {
    const dir = await tempDir('lock');
    const lock = await acquireLock(dir, 'prod', { purpose: 'promotion', leaseMs: 300 });
    const first = lock.holder.leaseUntil;
    await new Promise((resolve) => setTimeout(resolve, 700));
    const status = await readLock(dir, 'prod');
    expect(status?.state).toBe('held');
    expect(Date.parse(status!.holder!.leaseUntil)).toBeGreaterThan(Date.parse(first));
    await lock.release();
    expect(existsSync(lockFile(dir, 'prod'))).toBe(false);
  });

  /** Two processes, started together and released at the same instant, each try to take the lock and report. */
  async function race(dir: string, forceUnlock: boolean): Promise<string[]> {
    const go = join(dir, `go-${Date.now()}`);
    const contender = () =>
      spawnNode(`
        const { existsSync } = await import('node:fs');
        const { acquireLock } = await import(${JSON.stringify(builtReleases)});
        console.log('ready');
        while (!existsSync(${JSON.stringify(go)})) {}
        try {
          const lock = await acquireLock(${JSON.stringify(dir)}, 'prod', { purpose: 'promotion', forceUnlock: ${forceUnlock} });
          console.log('won');
          await new Promise((r) => setTimeout(r, 500));
          await lock.release();
        } catch (err) {
          console.log(err.code ?? err.message);
        }`);
    const children = [contender(), contender()];
    const outputs = children.map(() => '');
    const ready = children.map(
      (child, i) =>
        new Promise<void>((resolve) =>
          child.stdout.on('data', (chunk) => {
            outputs[i] += String(chunk);
            if (outputs[i]!.includes('ready')) resolve();
          }),
        ),
    );
    const closed = children.map((child) => new Promise((resolve) => child.on('close', resolve)));
    await Promise.all(ready);
    await writeFile(go, '');
    await Promise.all(closed);
    return outputs.map((out) => out.replace('ready', '').trim()).sort();
  }

  it('of two processes racing for it, exactly one wins', async () => {
    const dir = await tempDir('lock');
    for (let round = 0; round < 3; round++) {
      expect(await race(dir, false)).toEqual(['E_LOCKED', 'won']);
      expect(existsSync(lockFile(dir, 'prod'))).toBe(false);
    }
  });

  it('of two processes racing to break the same stale lock, exactly one wins', async () => {
    const dir = await tempDir('lock');
    for (let round = 0; round < 3; round++) {
      await plantLock(dir, 'prod', { pid: await deadPid() });
      expect(await race(dir, true)).toEqual(['E_LOCKED', 'won']);
    }
  });
});
