import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, runGenai } from './project.js';

/**
 * The user's story on the embedded default: init → install → the project's own tests → genai up → ask →
 * crash and restart → dead process → destroy. Runs the built CLI (npm test builds first).
 */
const genai = runGenai;

let work: string;
let project: string;
let initOutput: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'genai-e2e-'));
  project = join(work, 'demo');
  // The README's main job, as a new user runs it.
  const init = await genai(['init', 'demo', '--yes', '--start'], work);
  initOutput = String(init.stdout);
  expect(init.exitCode, init.all).toBe(0);
}, 600_000);

afterAll(async () => {
  if (project) await genai(['destroy', 'dev'], project);
  if (project) await genai(['destroy', 'staging'], project);
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

interface Case {
  id: string;
  input: { question: string };
  expected: { documentIds?: string[]; refusal?: boolean };
}

async function datasetCases(): Promise<Case[]> {
  const text = await readFile(join(project, 'evals', 'dataset.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Case);
}

async function ask(url: string, question: string, env = 'dev') {
  // A local environment's service requires the API key genai up generated for it.
  const { apiKey } = JSON.parse(readFileSync(join(project, '.genai', 'envs', env, 'keys.json'), 'utf8')) as {
    apiKey: string;
  };
  const response = await fetch(`${url}/v1/answer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ question }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { answer: string; refused: boolean; citations: { id: string }[]; traceId: string };
}

interface Outputs {
  url: string;
  pid: number;
  servicePid: number;
  restarts: number;
  dataDir: string;
}

async function outputs(env: string) {
  const result = await genai(['outputs', env, '--json'], project);
  return { exitCode: result.exitCode, json: JSON.parse(result.stdout || '{}') as Outputs };
}

/** No such process, or a zombie waiting for its parent to reap it. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function until<T>(probe: () => Promise<T | undefined>, what: string, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a new project on the local target', () => {
  it('init --start printed an answer with citations and the URL to ask more', async () => {
    expect(initOutput).toMatch(/^Creating genai\.yaml$/m);
    expect(initOutput).toMatch(/^Q: .+\?$/m);
    expect(initOutput).toMatch(/^A: \S.+/m);
    const citations = /^Citations: (.+)$/m.exec(initOutput)?.[1] ?? '';
    expect(citations).not.toBe('none');
    const url = /^dev is running at (http:\/\/127\.0\.0\.1:\d+)\. Ask more:$/m.exec(initOutput)?.[1];
    expect(url).toBeDefined();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('init wrote a manifest that genai check accepts', async () => {
    expect(existsSync(join(project, 'genai.yaml'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', '.bin', 'genai'))).toBe(true);
    const check = await genai(['check'], project);
    expect(check.exitCode, check.all).toBe(0);
  });

  it('passes its own tests', async () => {
    const result = await execa('npm', ['test'], { cwd: project, reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
  }, 300_000);

  it('genai up serves answers that cite the right sample document, and refuses out-of-scope questions', async () => {
    const up = await genai(['up', 'dev', '--json'], project);
    expect(up.exitCode, up.all).toBe(0);
    const started = JSON.parse(up.stdout) as {
      url: string;
      changed: boolean;
      snapshot: { id: string; documents: number };
    };
    // init --start brought it up already.
    expect(started.changed).toBe(false);
    expect(started.snapshot.documents).toBeGreaterThanOrEqual(25);

    const cases = await datasetCases();
    const inScope = cases.filter((c) => c.expected.documentIds?.length);
    expect(inScope.length).toBeGreaterThan(10);
    for (const c of inScope.slice(0, 5)) {
      const answer = await ask(started.url, c.input.question);
      expect(answer.refused, c.id).toBe(false);
      expect(
        answer.citations.map((x) => x.id),
        c.id,
      ).toContain(c.expected.documentIds![0]);
      expect(answer.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    const outOfScope = cases.find((c) => c.expected.refusal)!;
    const refusal = await ask(started.url, outOfScope.input.question);
    expect(refusal.refused).toBe(true);
    expect(refusal.citations).toEqual([]);
  }, 120_000);

  it("genai eval --env dev passes the project's own gate, and genai cost prices the usage it measured", async () => {
    const evaluated = await genai(['eval', '--env', 'dev', '--json'], project);
    expect(evaluated.exitCode, evaluated.all).toBe(0);
    const report = JSON.parse(evaluated.stdout) as {
      run: { id: string };
      summary: { total: number; errored: number };
      gate: { pass: boolean };
      cases: { usage: { inputTokens: number; outputTokens: number } }[];
    };
    expect(report.summary.total).toBe((await datasetCases()).length);
    expect(report.summary.errored).toBe(0);
    expect(report.gate.pass).toBe(true);

    const cost = await genai(['cost', '--from-eval', 'latest', '--json'], project);
    expect(cost.exitCode, cost.all).toBe(0);
    const usage = (
      JSON.parse(cost.stdout) as {
        usage: { expected: { inputTokens: number; outputTokens: number }; measured: { runId: string; cases: number } };
      }
    ).usage;
    const mean = (pick: (c: (typeof report.cases)[number]) => number) =>
      report.cases.reduce((sum, c) => sum + pick(c), 0) / report.cases.length;
    expect(usage.measured).toMatchObject({ runId: report.run.id, cases: report.cases.length });
    expect(usage.expected.inputTokens).toBeCloseTo(
      mean((c) => c.usage.inputTokens),
      6,
    );
    expect(usage.expected.outputTokens).toBeCloseTo(
      mean((c) => c.usage.outputTokens),
      6,
    );
  }, 120_000);

  it('genai dev serves in the foreground on another environment and stops on Ctrl-C', async () => {
    const child = execa(process.execPath, [bin, 'dev', '--env', 'staging'], { cwd: project, reject: false, all: true });
    let output = '';
    child.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const url = await until(
      async () => /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1],
      'genai dev to print its URL',
      60_000,
    );
    expect(output).toMatch(/index snapshot [0-9a-f]{64}: \d+ documents/);
    await until(
      async () => ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok ? true : undefined),
      'the foreground service to listen',
    );
    const answer = await ask(url, 'How do I cancel my subscription?', 'staging');
    expect(answer.citations.map((c) => c.id)).toContain('cancel-subscription');
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
    await genai(['destroy', 'staging'], project);
  }, 120_000);

  it('up on a running environment is a no-op, and outputs reports it', async () => {
    const before = await outputs('dev');
    expect(before.exitCode).toBe(0);
    const again = await genai(['up', 'dev', '--json'], project);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, pid: before.json.pid, url: before.json.url });
  });

  it('a crashed service is restarted by its supervisor', async () => {
    const before = await outputs('dev');
    process.kill(before.json.servicePid, 'SIGKILL');
    const after = await until(async () => {
      const o = await outputs('dev');
      return o.exitCode === 0 && o.json.restarts >= 1 && o.json.servicePid !== before.json.servicePid ? o : undefined;
    }, 'the service to come back');
    expect(after.json.url).toBe(before.json.url);
    expect((await ask(after.json.url, 'How do I reset my password?')).refused).toBe(false);
  }, 60_000);

  it('a port in use is refused with exit 3 and a located message', async () => {
    const server: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    try {
      const result = await genai(['up', 'staging', '--port', String(port)], project);
      expect(result.exitCode).toBe(3);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(`port ${port} is in use`);
      expect(existsSync(join(project, '.genai', 'envs', 'staging', 'state.json'))).toBe(false);
    } finally {
      server.close();
    }
  });

  it('a dead environment is reported with exit 3, and up starts it again', async () => {
    const before = await outputs('dev');
    process.kill(before.json.pid, 'SIGKILL');
    process.kill(before.json.servicePid, 'SIGKILL');
    const dead = await until(async () => {
      const result = await genai(['outputs', 'dev'], project);
      return result.exitCode === 3 ? result : undefined;
    }, 'the environment to be seen as dead');
    expect(dead.stderr).toMatch(/environment dev is not running: its process \d+ has exited/);
    expect(dead.stderr).toContain('genai up dev');

    const restarted = await genai(['up', 'dev', '--json'], project);
    expect(restarted.exitCode, restarted.all).toBe(0);
    expect(JSON.parse(restarted.stdout).changed).toBe(true);
  }, 90_000);

  it('destroy stops the environment and removes its data', async () => {
    const running = await outputs('dev');
    const result = await genai(['destroy', 'dev', '--json'], project);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ env: 'dev', stopped: true });
    expect(existsSync(running.json.dataDir)).toBe(false);
    expect(existsSync(`${running.json.dataDir}.lock`)).toBe(false);
    expect(isGone(running.json.pid)).toBe(true);
    expect((await outputs('dev')).exitCode).toBe(3);
  });
});
