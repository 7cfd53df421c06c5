import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenai } from '../e2e/project.js';
import { isAlive } from '../../src/environments/state.js';

/**
 * Local environments answer for themselves (issue #11, item 6): the port an environment gets is one its own
 * service bound, a failed start leaves nothing running and says why, and a service that is not this
 * environment's own, or that crash-loops, is reported as failed. Two real generated projects, the built CLI.
 */
const genai = runGenai;

let work: string;
let a: string;
let b: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'genai-envs-'));
  a = join(work, 'alpha');
  b = join(work, 'beta');
  const init = await genai(['init', 'alpha', '--yes'], work);
  expect(init.exitCode, init.all).toBe(0);
  const build = await execa('npm', ['run', 'build'], { cwd: a, reject: false, all: true });
  expect(build.exitCode, build.all).toBe(0);
  // A second project, the same service: both ask for the same first port.
  await cp(a, b, { recursive: true, verbatimSymlinks: true });
}, 600_000);

afterAll(async () => {
  for (const dir of [a, b]) if (dir) await genai(['destroy', 'dev'], dir);
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

interface State {
  status: string;
  port: number;
  url: string;
  supervisorPid: number;
  servicePid?: number;
  instanceId: string;
  reason?: string;
}

const readState = async (dir: string) =>
  JSON.parse(await readFile(join(dir, '.genai', 'envs', 'dev', 'state.json'), 'utf8')) as State;

async function health(url: string) {
  const response = await fetch(`${url}/healthz`);
  return (await response.json()) as { instance: string; release: string; env: string };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, limitMs = 60_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const listenOn = (port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

describe('local environments answer for themselves', () => {
  it('a start that fails exits 3 with its cause, the log lines and one fix, and leaves nothing running', async () => {
    const server = join(b, 'dist', 'server.js');
    const original = await readFile(server, 'utf8');
    // The built service fails as it starts (dist/ newer than src/: up deploys it as it is).
    await writeFile(
      server,
      "console.error('error: the widget cache is corrupt — fix: delete the widget cache');\nprocess.exit(3);\n",
    );
    try {
      const up = await genai(['up', 'dev'], b);
      expect(up.exitCode, up.all).toBe(3);
      const line = up.stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toContain('dev did not start: the service exited with code 3 as it started; last lines of');
      expect(line).toContain('service.log: error: the widget cache is corrupt');
      expect(line.match(/fix:/g)).toHaveLength(1);
      expect(line).toMatch(/— fix: delete the widget cache$/);
      const state = await readState(b);
      expect(state.status).toBe('failed');
      expect(isAlive(state.supervisorPid)).toBe(false);
      const outputs = await genai(['outputs', 'dev'], b);
      expect(outputs.exitCode).toBe(3);
      expect(outputs.stderr).toContain('environment dev failed');
    } finally {
      await writeFile(server, original);
    }
  }, 180_000);

  it('two projects started at once on the same first port each get a port their own service bound', async () => {
    const [upA, upB] = await Promise.all([genai(['up', 'dev', '--json'], a), genai(['up', 'dev', '--json'], b)]);
    expect(upA.exitCode, upA.all).toBe(0);
    expect(upB.exitCode, upB.all).toBe(0);
    const outA = JSON.parse(upA.stdout) as { url: string; port: number; release: string };
    const outB = JSON.parse(upB.stdout) as { url: string; port: number; release: string };
    expect(outA.port).not.toBe(outB.port);
    for (const [dir, out] of [
      [a, outA],
      [b, outB],
    ] as const) {
      const state = await readState(dir);
      expect(state.status).toBe('running');
      expect(state.url).toBe(out.url);
      expect((await health(out.url)).instance).toBe(state.instanceId);
    }
  }, 240_000);

  it('the variables of .env (a URL with a password) are not stored in the supervisor config or the state', async () => {
    const supervisor = await readFile(join(a, '.genai', 'envs', 'dev', 'supervisor.json'), 'utf8');
    expect(JSON.parse(supervisor)).not.toHaveProperty('serviceEnv');
    expect(supervisor).not.toContain('OPENAI');
  });

  it("the issue's recipe: kill the service, let another process take its port; outputs says failed, up brings it back on a port it bound", async () => {
    const before = await readState(a);
    process.kill(before.servicePid!, 'SIGKILL');
    const squatter = await until(
      async () => listenOn(before.port).catch(() => undefined),
      'the port to be free for the other process',
      10_000,
    );
    try {
      await until(
        async () => ((await readState(a)).status === 'failed' ? true : undefined),
        'the supervisor to give the environment up',
      );
      const failed = await genai(['outputs', 'dev'], a);
      expect(failed.exitCode).toBe(3);
      expect(failed.stderr).toContain('environment dev failed: port');
      expect(failed.stderr).toContain('in use by another process');
      expect(failed.stderr).not.toMatch(/\brunning\b/);

      const up = await genai(['up', 'dev', '--json'], a);
      expect(up.exitCode, up.all).toBe(0);
      const restored = JSON.parse(up.stdout) as { url: string; port: number; changed: boolean };
      expect(restored.changed).toBe(true);
      expect(restored.port).not.toBe(before.port);
      const state = await readState(a);
      expect((await health(restored.url)).instance).toBe(state.instanceId);
      expect(state.instanceId).not.toBe(before.instanceId);
    } finally {
      squatter.close();
    }
  }, 180_000);

  it('a crash-looping service is reported as failed, and a second up says so and restarts it cleanly', async () => {
    const before = await readState(b);
    const lock = join(b, '.genai', 'data', 'dev.lock');
    // Every restart finds its data folder held by a live process (this one), and exits. The lock is taken
    // over before the kill (a killed service leaves its lock file as it is), so no restart can slip in between.
    await writeFile(lock, String(process.pid));
    process.kill(before.servicePid!, 'SIGKILL');
    try {
      await until(async () => (isAlive(before.servicePid) ? undefined : true), 'the service to exit', 10_000);
      const looping = await until(async () => {
        const state = await readState(b);
        return state.status === 'crash-loop' ? state : undefined;
      }, 'the supervisor to see a crash loop');
      expect(looping.restarts).toBeGreaterThan(0);
      expect((await genai(['outputs', 'dev', '--json'], b)).exitCode).toBe(3);
      // A crash loop is retried with backoff; wait until the supervisor gives up, so that no retry of its own
      // can win the race with the up below once the lock is gone.
      await until(
        async () => ((await readState(b)).status === 'crashed' ? true : undefined),
        'the supervisor to give up',
        120_000,
      );
      const outputs = await genai(['outputs', 'dev', '--json'], b);
      expect(outputs.exitCode).toBe(3);
      expect(JSON.parse(outputs.stdout).error.message).toMatch(
        /^environment dev failed: (crash-looping|the service crashed)/,
      );
    } finally {
      await rm(lock, { force: true });
    }
    const up = await genai(['up', 'dev', '--json'], b);
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stderr).not.toContain('nothing to do');
    const restarted = JSON.parse(up.stdout) as { url: string; changed: boolean; restarts: number };
    expect(restarted.changed).toBe(true);
    expect(restarted.restarts).toBe(0);
    const state = await readState(b);
    expect(state.status).toBe('running');
    expect((await health(restarted.url)).instance).toBe(state.instanceId);
  }, 240_000);

  it('a second up while the first is starting waits for it and exits 0', async () => {
    await genai(['destroy', 'dev'], a);
    const first = genai(['up', 'dev', '--json'], a);
    // The second starts once the first holds the environment's lock.
    await until(
      async () => (await readFile(join(a, '.genai', 'locks', 'dev.lock'), 'utf8').catch(() => undefined)) && true,
      'the first up to take the lock',
    );
    const second = await genai(['up', 'dev'], a);
    const firstResult = await first;
    expect(firstResult.exitCode, firstResult.all).toBe(0);
    expect(second.exitCode, second.all).toBe(0);
    expect(second.stdout).toMatch(/^dev is starting \(genai up, pid \d+\); waiting for it$/m);
    const { url } = JSON.parse(firstResult.stdout) as { url: string };
    expect(second.stdout).toContain(`dev is already running`);
    expect(second.stdout).toContain(` at ${url} `);
  }, 240_000);

  it('up with OPENAI_BASE_URL (with a password) but no chat model prints one line with one fix and no password', async () => {
    await writeFile(join(b, '.env'), 'OPENAI_BASE_URL=http://user:s3cret@127.0.0.1:9/v1\n');
    try {
      await genai(['destroy', 'dev'], b);
      const up = await genai(['up', 'dev'], b);
      expect(up.exitCode, up.all).toBe(3);
      const line = up.stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      expect(line.match(/fix:/g)).toHaveLength(1);
      expect(line).toContain('GENAI_CHAT_MODEL');
      expect(line).not.toContain('s3cret');
      const ledger = await readFile(join(b, '.genai', 'ledger.jsonl'), 'utf8');
      expect(ledger).not.toContain('s3cret');
      expect(ledger.match(/fix:/g)).toBeNull();
    } finally {
      await rm(join(b, '.env'), { force: true });
    }
  }, 120_000);
});
