import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runEval } from '../../src/evals/index.js';
import { answerService, startServer, type Received, type Reply, type TestServer } from './helpers/servers.js';
import { genai, project } from './helpers/project.js';

/**
 * The adaptive limiter against a real local service with a fault schedule: a burst of 429s from one
 * moment (the first CONCURRENCY requests), then per case a plan of hangs, 500s and truncated bodies.
 * Every case must be recorded once, in the state its plan leads to, and concurrency must come back.
 */
const CONCURRENCY = 10;
const CASES = 60;
const RETRIES = 2;
const TIMEOUT_MS = 300;

type Step = 'valid' | '429' | '500' | 'hang' | 'truncated';
type Expected = { state: 'passed' | 'failed' | 'errored'; requests: number; error?: RegExp };

/** What the service does on each attempt at case i after the burst, and what the case must end as. */
function plan(i: number): { steps: Step[]; expected: Expected } {
  if (i < CONCURRENCY) return { steps: ['429', 'valid'], expected: { state: 'passed', requests: 2 } };
  switch (i % 10) {
    case 1:
      return { steps: ['hang', 'valid'], expected: { state: 'passed', requests: 2 } };
    case 2:
      return { steps: ['500', 'truncated', 'valid'], expected: { state: 'passed', requests: 3 } };
    case 3:
      return {
        steps: ['500', '500', '500'],
        expected: { state: 'errored', requests: 3, error: /^HTTP 500.*\(after 3 attempts\)$/ },
      };
    case 4:
      return {
        steps: ['hang', 'truncated', 'hang'],
        expected: { state: 'errored', requests: 3, error: /^no answer within 300 ms \(after 3 attempts\)$/ },
      };
    case 5:
      return { steps: ['valid'], expected: { state: 'failed', requests: 1 } };
    default:
      return { steps: ['valid'], expected: { state: 'passed', requests: 1 } };
  }
}

const cases = Array.from({ length: CASES }, (_, i) => ({
  id: `case-${String(i).padStart(2, '0')}`,
  input: { question: `How do I export report ${i} as CSV?` },
  assert: [{ type: 'contains', value: i % 10 === 5 && i >= CONCURRENCY ? 'Zebra' : 'Export CSV' }],
}));
const indexOf = new Map(cases.map((c, i) => [c.input.question, i]));

/** The service: GET /healthz, and POST /v1/answer following each case's plan, attempt by attempt. */
function scheduled() {
  const attempts = new Map<string, number>();
  return (request: Received): Reply => {
    if (request.path === '/healthz') return { body: { status: 'ok', version: 'test' } };
    const question = (request.body as { question: string }).question;
    const attempt = attempts.get(question) ?? 0;
    attempts.set(question, attempt + 1);
    const step = plan(indexOf.get(question)!).steps[attempt] ?? 'valid';
    switch (step) {
      case '429':
        return { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } };
      case '500':
        return { status: 500, body: { error: 'internal' } };
      case 'hang':
        return 'hang';
      case 'truncated':
        return { body: '{"answer": "Open Rep', raw: true };
      case 'valid':
        return { body: { ...answerService(question), answer: `Open Reports and click Export CSV (${question})` } };
    }
  };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'genai-limiter-'));
  await writeFile(join(dir, 'dataset.jsonl'), `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
  return dir;
}

describe('adaptive concurrency against a faulty service', () => {
  it('cuts once for a burst of 429s, recovers to the maximum, and records every case once in the state its faults lead to', async () => {
    server = await startServer(scheduled());
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const cwd = await workspace();
    const controller = new AbortController();
    let outcome;
    try {
      outcome = await runEval({
        cwd,
        evals: { dataset: 'dataset.jsonl', maxErrorRate: 1 },
        target: { kind: 'url', url: server.url },
        concurrency: CONCURRENCY,
        timeoutMs: TIMEOUT_MS,
        retries: RETRIES,
        cache: false,
        signal: controller.signal,
      });
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);

    // Every case recorded exactly once, in the state its plan leads to; each asked as often as planned.
    const lines = (await readFile(join(outcome.files.runDir, 'results.jsonl'), 'utf8')).trim().split('\n');
    const results = lines.map(
      (line) => JSON.parse(line) as { caseId: string; state: string; error?: { message: string } },
    );
    expect(results.map((r) => r.caseId).sort()).toEqual(cases.map((c) => c.id));
    const asked = (question: string) =>
      server!.requests.filter((r) => r.path === '/v1/answer' && (r.body as { question: string }).question === question)
        .length;
    for (const [i, c] of cases.entries()) {
      const { expected } = plan(i);
      const result = results.find((r) => r.caseId === c.id)!;
      expect(result.state, c.id).toBe(expected.state);
      expect(asked(c.input.question), `${c.id} requests`).toBe(expected.requests);
      if (expected.error) expect(result.error?.message, c.id).toMatch(expected.error);
      else expect(result.error, c.id).toBeUndefined();
    }
    const errored = cases.filter((_, i) => plan(i).expected.state === 'errored').length;
    expect(outcome.report.summary).toMatchObject({ total: CASES, missing: 0, errored });

    // Ten 429s from one moment are one signal: one cut, then a slot back per window up to the maximum.
    const trace = outcome.report.run.concurrency!;
    expect(trace.max).toBe(CONCURRENCY);
    const target = trace.changes.filter((c) => c.endpoint === 'target');
    expect(target.map((c) => [c.limit, c.reason])).toEqual([
      [7, 'throttled'],
      [8, 'recovered'],
      [9, 'recovered'],
      [10, 'recovered'],
    ]);
    expect(target.map((c) => c.atMs)).toEqual([...target.map((c) => c.atMs)].sort((a, b) => a - b));
    // The report on disk carries the same trace.
    const onDisk = JSON.parse(await readFile(outcome.files.json, 'utf8'));
    expect(onDisk.run.concurrency).toEqual(trace);
  }, 60_000);

  it('genai eval --verbose prints a line per change of the limit and puts the trace in the JSON report', async () => {
    let answered = 0;
    server = await startServer((request) => {
      if (request.path === '/healthz') return { body: { status: 'ok' } };
      // The first four answers are a 429 burst; the rest answer.
      if (answered++ < 4) return { status: 429, headers: { 'retry-after': '0' }, body: { error: 'slow down' } };
      return { body: answerService((request.body as { question: string }).question) };
    });
    const dir = await project({});
    const result = await genai(
      ['eval', '--url', server.url, '--json', '--no-cache', '--concurrency', '4', '--verbose', '--no-progress'],
      dir,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.run.concurrency.max).toBe(4);
    const changes = report.run.concurrency.changes as { endpoint: string; limit: number; reason: string }[];
    expect(changes[0]).toMatchObject({ endpoint: 'target', limit: 2, reason: 'throttled' });
    expect(changes.filter((c) => c.reason === 'throttled')).toHaveLength(1);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('concurrency: '));
    expect(lines).toHaveLength(changes.length);
    expect(lines[0]).toMatch(/^concurrency: target 2 \(throttled: 429\) at \d+\.\d{3} s$/);
  }, 60_000);
});
