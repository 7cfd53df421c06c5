import { readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject, runGenai } from './project.js';
import { isAlive } from '../../src/environments/state.js';

/**
 * A stopped local environment keeps its traces and feedback: genai traces and genai feedback export read them
 * through the project's own dist/admin-read.js (the kit never opens a data folder), which takes the server's
 * lock — so a folder a process still holds is a clean exit 3, and a project without the script says how on.
 */
const genai = (args: string[], cwd = project) => runGenai(args, cwd);

// A fixed port, away from local.test.ts (8787 upwards), promotion.test.ts (9811–9813) and observability (9831).
const PORT = 9841;

let work: string;
let project: string;
let traceId: string;

beforeAll(async () => {
  ({ work, project } = await initProject('stopped', { ports: { dev: PORT } }));
  const up = await genai(['up', 'dev', '--json']);
  expect(up.exitCode, up.all).toBe(0);
  const { url } = JSON.parse(up.stdout) as { url: string };
  const { apiKey } = JSON.parse(readFileSync(join(project, '.genai', 'envs', 'dev', 'keys.json'), 'utf8')) as {
    apiKey: string;
  };
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
    });
  const answer = (await (await post('/v1/answer', { question: 'How do I export my data as CSV?' })).json()) as {
    traceId: string;
  };
  traceId = answer.traceId;
  expect((await post('/v1/feedback', { traceId, rating: 'down', comment: 'wrong steps' })).status).toBe(201);

  // The environment stops (its supervisor ends the service, which flushes its spans and closes the store).
  const state = JSON.parse(readFileSync(join(project, '.genai', 'envs', 'dev', 'state.json'), 'utf8')) as {
    supervisorPid: number;
    servicePid: number;
  };
  process.kill(state.supervisorPid, 'SIGTERM');
  for (let i = 0; i < 200 && (isAlive(state.supervisorPid) || isAlive(state.servicePid)); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(isAlive(state.servicePid)).toBe(false);
}, 600_000);

afterAll(async () => {
  if (project) await genai(['destroy', 'dev']);
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

describe('genai traces and genai feedback export on a stopped local environment', () => {
  it('the environment is stopped: genai outputs says so', async () => {
    const outputs = await genai(['outputs', 'dev']);
    expect(outputs.exitCode).toBe(3);
  });

  it('genai traces lists the stored traces, and shows one as a tree with its five steps', async () => {
    const listed = await genai(['traces', '--json']);
    expect(listed.exitCode, listed.all).toBe(0);
    const list = JSON.parse(listed.stdout) as { env: string; traces: { traceId: string; question: string }[] };
    expect(list.env).toBe('dev');
    expect(list.traces.map((t) => t.traceId)).toContain(traceId);

    const shown = await genai(['traces', traceId, '--json']);
    expect(shown.exitCode, shown.all).toBe(0);
    const { trace } = JSON.parse(shown.stdout) as {
      trace: { traceId: string; spans: { spanId: string; parentSpanId: string | null; name: string }[] };
    };
    expect(trace.traceId).toBe(traceId);
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    expect(trace.spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name)).toEqual([
      'guard-input',
      'embed',
      'retrieve',
      'generate',
      'guard-output',
    ]);

    const tree = await genai(['traces', traceId]);
    expect(tree.exitCode, tree.all).toBe(0);
    expect(tree.stdout).toContain('└─ guard-output');
  });

  it('an unknown trace is still exit 2 naming the environment', async () => {
    const unknown = await genai(['traces', '0'.repeat(32)]);
    expect(unknown.exitCode, unknown.all).toBe(2);
    expect(unknown.stderr).toMatch(/dev has no trace 0{32}/);
  });

  it('genai feedback export writes the down-rated interaction as a candidate case', async () => {
    const exported = await genai(['feedback', 'export', '--rating', 'down', '--out', 'evals/down.jsonl']);
    expect(exported.exitCode, exported.all).toBe(0);
    const cases = (await readFile(join(project, 'evals', 'down.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { metadata: { traceId: string; comments: string[] } });
    expect(cases.map((c) => c.metadata.traceId)).toEqual([traceId]);
    expect(cases[0]?.metadata.comments).toEqual(['wrong steps']);
  });

  it('a data folder another live process holds is exit 3 with the service’s own message and fix', async () => {
    const lock = join(project, '.genai', 'data', 'dev.lock');
    await writeFile(lock, String(process.pid));
    try {
      const busy = await genai(['traces']);
      expect(busy.exitCode, busy.all).toBe(3);
      expect(busy.stderr).toMatch(new RegExp(`is open in process ${process.pid}.* — fix: stop that process first`));
    } finally {
      await rm(lock, { force: true });
    }
  });

  it('a project that predates dist/admin-read.js is exit 3, and says to start the environment', async () => {
    const { serviceDir } = JSON.parse(
      readFileSync(join(project, '.genai', 'envs', 'dev', 'supervisor.json'), 'utf8'),
    ) as { serviceDir: string };
    const scripts = [resolve(project, serviceDir, 'dist', 'admin-read.js'), join(project, 'dist', 'admin-read.js')];
    for (const script of scripts) await rename(script, `${script}.away`);
    try {
      const old = await genai(['traces']);
      expect(old.exitCode, old.all).toBe(3);
      expect(old.stderr).toMatch(/dev is not running, and its service predates dist\/admin-read\.js/);
      expect(old.stderr).toContain('fix: start it with genai up dev');
    } finally {
      for (const script of scripts) await rename(`${script}.away`, script);
    }
  });
});

describe("the service's output carries no password of a URL (service.log included)", () => {
  const password = 'Sup3r-s3cret';

  it('an unreachable DATABASE_URL stops the service with exit 3, the user shown and the password not', async () => {
    const started = await execa(process.execPath, ['dist/server.js'], {
      cwd: project,
      env: { DATABASE_URL: `postgresql://svc_app:${password}@127.0.0.1:1/app`, PORT: '0' },
      reject: false,
      all: true,
      timeout: 60_000,
    });
    expect(started.exitCode, started.all).toBe(3);
    expect(started.stderr).toContain('cannot connect to DATABASE_URL postgresql://svc_app:***@127.0.0.1:1/app');
    expect(started.all).not.toContain(password);
  });

  it('an OTLP endpoint with a password in .env appears redacted in the environment’s service.log', async () => {
    const dotenv = join(project, '.env');
    await writeFile(dotenv, `OTEL_EXPORTER_OTLP_ENDPOINT=http://otel:${password}@127.0.0.1:1\n`);
    try {
      const up = await genai(['up', 'dev']);
      expect(up.exitCode, up.all).toBe(0);
      const log = await readFile(join(project, '.genai', 'envs', 'dev', 'service.log'), 'utf8');
      expect(log).toContain('traces: store and OTLP http://otel:***@127.0.0.1:1');
      expect(log).not.toContain(password);
      expect(up.all).not.toContain(password);
    } finally {
      await rm(dotenv, { force: true });
    }
  }, 120_000);
});
