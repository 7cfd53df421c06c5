import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { toGenaiError } from '../../dist/cli/base-command.js';
import { GenaiError } from '../../dist/errors.js';

/** Exits and leftovers (issue #11, item 9), through the built CLI in child processes. */
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'run.js');
const genai = (args: string[], cwd: string) =>
  execa(process.execPath, [bin, ...args], { cwd, reject: false, all: true });
// A given kit spec: no npm pack, so the write starts at once.
const initArgs = (dir: string) => ['init', dir, '--yes', '--no-install', '--kit-spec', '0.1.0'];

const isRoot = process.getuid?.() === 0;

describe('exits and leftovers', () => {
  it('init killed with SIGKILL while it writes: the next init removes its staging folder and succeeds', async () => {
    const work = await mkdtemp(join(tmpdir(), 'genai-killed-'));
    const dir = join(work, 'demo');
    const child = spawn(process.execPath, [bin, ...initArgs(dir)], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    // Kill it the moment its staging folder appears, wherever the write then is.
    await new Promise<void>((resolve) => {
      const poll = () => {
        const staged = existsSync(dir) && readdirSync(dir).some((e) => e.startsWith('.genai-write-'));
        if (staged || child.exitCode !== null) {
          child.kill('SIGKILL');
          resolve();
        } else setImmediate(poll);
      };
      poll();
    });
    await exited;
    const leftover = existsSync(dir) ? (await readdir(dir)).filter((e) => e.startsWith('.genai-write-')) : [];

    const again = await genai(initArgs(dir), work);
    expect(again.exitCode, again.all).toBe(0);
    if (leftover.length) expect(again.stdout).toContain(`Removed ${leftover[0]}, left by an interrupted genai`);
    expect((await readdir(dir)).filter((e) => e.startsWith('.genai-write-'))).toEqual([]);
    expect(existsSync(join(dir, 'genai.yaml'))).toBe(true);
  }, 60_000);

  it('init into a folder it may not write exits 2 with one line that names the folder and chmod, never 70', async () => {
    // As root, permissions do not stop a write; sysfs refuses mkdir to root too (EPERM).
    let parent = '/sys/kernel';
    if (!isRoot) {
      parent = join(await mkdtemp(join(tmpdir(), 'genai-readonly-')), 'ro');
      await mkdir(parent);
      await chmod(parent, 0o555);
    }
    const result = await genai(initArgs(join(parent, 'demo')), tmpdir());
    expect(result.exitCode, result.all).toBe(2);
    const line = result.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^error: permission denied \((EACCES|EPERM)\)/);
    expect(line).toContain(`chmod u+rwx ${parent}`);
    expect(line).not.toContain('unexpected failure');
    expect(line.match(/fix:/g)).toHaveLength(1);
  });

  it('a full disk (ENOSPC, from /dev/full) is an environment error, exit 3, with one fix', () => {
    let thrown: unknown;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (error) {
      thrown = error;
    }
    expect((thrown as NodeJS.ErrnoException).code).toBe('ENOSPC');
    const error = toGenaiError(thrown);
    expect(error.code).toBe('E_DISK_FULL');
    expect(error.exitCode).toBe(3);
    expect(error.toLine()).toMatch(/^no space left on the device \(ENOSPC\) — fix: free some space/);
  });

  it("a permission error a module wraps as its cause is still the user's (exit 2)", () => {
    let cause: unknown;
    try {
      writeFileSync('/sys/kernel/genai-test', 'x');
    } catch (error) {
      cause = error;
    }
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    expect(['EACCES', 'EPERM', 'ENOENT']).toContain(code);
    if (code === 'ENOENT') return; // a kernel without that folder: nothing to wrap
    const error = toGenaiError(new Error('could not save the report', { cause }));
    expect(error.exitCode).toBe(2);
    expect(error.fix).toContain('chmod u+rwx /sys/kernel');
  });

  it('no error renders two fixes: a fix quoted from a child process gives way to one', () => {
    const quoted = new GenaiError(
      'E_INGEST',
      'ingest failed: error: GENAI_CHAT_MODEL is not set — fix: set GENAI_CHAT_MODEL, or unset OPENAI_BASE_URL',
      { fix: 'run npm run ingest in the project to see the whole error' },
    );
    expect(quoted.toLine().match(/fix:/g)).toHaveLength(1);
    expect(quoted.message).toBe('ingest failed: error: GENAI_CHAT_MODEL is not set');
    expect(quoted.fix).toBe('run npm run ingest in the project to see the whole error');

    const only = new GenaiError('E_START', 'dev did not start: error: boom — fix: delete the cache');
    expect(only.toLine()).toBe('dev did not start: error: boom — fix: delete the cache');
    expect(JSON.stringify(only.toJSON()).match(/fix:/g)).toBeNull();

    const nested = new GenaiError('E_X', 'a problem', { fix: 'do this — fix: or that' });
    expect(nested.toLine()).toBe('a problem — fix: do this');
  });
});
