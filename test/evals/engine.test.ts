import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRun, runEval, type EvalRequest } from '../../src/evals/index.js';
import { answerHandler, chatCompletion, lastUserMessage, startServer, type TestServer } from './helpers/servers.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'evals');
let project: string;
let server: TestServer | undefined;
const servers: TestServer[] = [];

beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'genai-evals-'));
  await writeFile(join(project, 'dataset.jsonl'), await readFile(join(fixtures, 'dataset.jsonl')));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  server = undefined;
});

async function serve(handler: Parameters<typeof startServer>[0]) {
  server = await startServer(handler);
  servers.push(server);
  return server;
}

const request = (url: string, over: Partial<EvalRequest> = {}): EvalRequest => ({
  cwd: project,
  evals: {
    dataset: 'dataset.jsonl',
    judges: ['correctness', 'groundedness', 'safety'],
    thresholds: { citations: 0.9, refusal: 1 },
  },
  target: { kind: 'url', url },
  openTarget: async (spec) => ({ url: spec.kind === 'url' ? spec.url : '' }),
  concurrency: 3,
  timeoutMs: 2000,
  ...over,
});
const answers = (s: TestServer) => s.requests.filter((r) => r.path === '/v1/answer').length;

describe('genai eval engine against a /v1/answer service', () => {
  it('runs every case once, scores, judges offline, stores the run and writes four reports', async () => {
    const s = await serve(answerHandler());
    const { report, files } = await runEval(request(s.url));
    expect(report.summary).toMatchObject({
      total: 5,
      passed: 5,
      failed: 0,
      errored: 0,
      missing: 0,
      cachedResponses: 0,
    });
    expect(answers(s)).toBe(5);
    expect(
      (s.requests.find((r) => r.path === '/v1/answer')!.body as { includeContexts: boolean }).includeContexts,
    ).toBe(true);
    expect(report.run.target).toMatchObject({ kind: 'url', protocol: 'answer', url: s.url });
    expect(report.judges).toMatchObject({
      offline: true,
      model: 'offline-heuristic',
      note: expect.stringContaining('offline heuristic judges'),
    });
    expect(Object.keys(report.summary.metrics)).toEqual(
      expect.arrayContaining([
        'citations',
        'refusal',
        'hit@5',
        'mrr',
        'ndcg@5',
        'correctness',
        'groundedness',
        'safety',
        'contains',
        'latencyP95Ms',
        'passRate',
      ]),
    );
    expect(report.summary.metrics.correctness).toMatchObject({ kind: 'judge', offline: true, count: 3 });
    expect(report.summary.metrics.safety!.count).toBe(5);
    expect(report.gate.pass).toBe(true);
    const weather = report.cases.find((c) => c.id === 'weather')!;
    expect(weather).toMatchObject({ state: 'passed', refused: true, scores: { refusal: { value: 1, pass: true } } });
    expect(weather.scores.correctness).toBeUndefined();

    const stored = await readRun(project, 'latest');
    expect(stored.meta).toMatchObject({
      id: report.run.id,
      status: 'finished',
      dataset: { path: 'dataset.jsonl', caseIds: expect.any(Array) },
    });
    expect(stored.meta.summary!.passed).toBe(5);
    const lines = (await readFile(join(files.runDir, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.caseId).sort()).toEqual([
      'delete-account',
      'export-csv',
      'reset-password',
      'team-plan-price',
      'weather',
    ]);
    expect(lines[0]).toMatchObject({
      state: 'passed',
      response: {
        answer: expect.any(String),
        citations: expect.any(Array),
        usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number), embeddingTokens: 12 },
        latencyMs: expect.any(Number),
        traceId: expect.stringMatching(/^trace-/),
      },
    });
    for (const file of [files.json, files.junit, files.markdown, files.html])
      expect((await readFile(file, 'utf8')).length).toBeGreaterThan(100);
    expect(JSON.parse(await readFile(files.json, 'utf8'))).toMatchObject({
      schema: 'genai-eval-report',
      schemaVersion: 1,
    });
  });

  it('answers a second run from the cache, and --no-cache asks the target again', async () => {
    const s = await serve(answerHandler());
    await runEval(request(s.url));
    const second = await runEval(request(s.url));
    expect(answers(s)).toBe(5);
    expect(second.report.summary.cachedResponses).toBe(5);
    expect(second.report.cases.every((c) => c.cached)).toBe(true);
    await runEval(request(s.url, { cache: false }));
    expect(answers(s)).toBe(10);
  });

  it('an interrupted run keeps what finished, and --resume runs only the missing cases', async () => {
    const controller = new AbortController();
    const handler = answerHandler();
    const s = await serve((r) => {
      if (r.path === '/v1/answer' && answers(s) === 3) {
        controller.abort();
        return 'hang';
      }
      return handler(r);
    });
    const first = await runEval(request(s.url, { concurrency: 1, signal: controller.signal }));
    expect(first.interrupted).toBe(true);
    expect(first.report.summary).toMatchObject({ total: 5, passed: 2, missing: 3 });
    expect(first.report.run.status).toBe('interrupted');
    expect(first.report.gate.reasons).toContain('3 case(s) did not finish');

    const resumed = await runEval({
      ...request('', { concurrency: 1 }),
      target: undefined,
      resume: first.report.run.id,
      openTarget: async () => ({ url: s.url }),
    });
    expect(resumed.report.run.id).toBe(first.report.run.id);
    expect(resumed.report.summary).toMatchObject({ total: 5, passed: 5, missing: 0, errored: 0 });
    expect(answers(s)).toBe(3 + 3);
    const lines = (await readFile(join(resumed.files.runDir, 'results.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).caseId);
    expect(lines).toHaveLength(5);
    expect(new Set(lines).size).toBe(5);
    const meta = (await readRun(project, first.report.run.id)).meta;
    expect(meta.status).toBe('finished');
    expect(meta.resumedAt).toHaveLength(1);
  });

  it('refuses to resume when the dataset changed', async () => {
    const s = await serve(answerHandler());
    const { report } = await runEval(request(s.url));
    await writeFile(join(project, 'dataset.jsonl'), '{"id":"new","input":{"question":"q"}}\n');
    await expect(runEval({ ...request(s.url), resume: report.run.id })).rejects.toMatchObject({
      code: 'E_EVAL_RESUME_DATASET',
      exitCode: 2,
    });
  });

  it('gates against a saved baseline: a regression fails and names the cases that moved', async () => {
    const good = await serve(answerHandler());
    const baseline = await runEval(request(good.url, { saveBaseline: 'prod' }));
    expect(baseline.baselineSaved).toBe('prod');
    const stored = JSON.parse(await readFile(join(project, '.genai', 'evals', 'baselines', 'prod.json'), 'utf8'));
    expect(stored.runId).toBe(baseline.report.run.id);

    // A broken deployment: it stops citing sources.
    const broken = await serve((r) => {
      const reply = answerHandler()(r);
      if (reply !== 'hang' && r.path === '/v1/answer') (reply.body as { citations: unknown[] }).citations = [];
      return reply;
    });
    const { report } = await runEval(request(broken.url, { baseline: 'prod', evals: { dataset: 'dataset.jsonl' } }));
    expect(report.gate.pass).toBe(false);
    const citations = report.gate.baseline!.comparisons.find((c) => c.metric === 'citations')!;
    expect(citations).toMatchObject({ baseline: 1, current: 0, regression: true, pairs: 4 });
    expect(citations.moved.map((m) => m.caseId)).toEqual([
      'delete-account',
      'export-csv',
      'reset-password',
      'team-plan-price',
    ]);
    expect(report.gate.reasons[0]).toMatch(/^citations regressed from 1 to 0 \(by 1\) vs prod baseline/);
  });

  it('fails fast with exit code 3 when the target is unreachable', async () => {
    const s = await serve(answerHandler());
    const url = s.url;
    await s.close();
    servers.pop();
    await expect(runEval(request(url))).rejects.toMatchObject({ code: 'E_EVAL_TARGET_UNREACHABLE', exitCode: 3 });
  });
});

describe('genai eval engine against an OpenAI-compatible chat target', () => {
  it('detects the protocol, picks the listed model, sends chat messages and reads usage', async () => {
    const s = await serve((r) => {
      if (r.path === '/v1/models') return { body: { object: 'list', data: [{ id: 'tiny-chat', object: 'model' }] } };
      if (r.path === '/v1/chat/completions') {
        const question = lastUserMessage(r.body);
        return {
          body: chatCompletion(
            question.includes('password')
              ? 'Click Forgot password on the sign-in page.'
              : 'Open Reports and click Export CSV.',
            { prompt_tokens: 40, completion_tokens: 9 },
          ),
        };
      }
      return { status: 404, body: {} };
    });
    const { report } = await runEval(
      request(`${s.url}/v1`, { dataset: join(fixtures, 'dataset.yaml'), evals: undefined }),
    );
    expect(report.run.target).toMatchObject({ protocol: 'openai', model: 'tiny-chat', url: `${s.url}/v1` });
    const chats = s.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(chats).toHaveLength(2);
    const multi = chats
      .map((c) => c.body as { model: string; messages: unknown[] })
      .find((b) => b.messages.length === 3)!;
    expect(multi.model).toBe('tiny-chat');
    const password = report.cases.find((c) => c.id === 'chat-password')!;
    expect(password).toMatchObject({
      state: 'failed',
      usage: { inputTokens: 40, outputTokens: 9, embeddingTokens: 0 },
    });
    expect(password.scores.regex).toMatchObject({ pass: true });
    // Chat targets do not cite documents: the expected citation fails, honestly.
    expect(password.scores.citations).toMatchObject({ pass: false, reason: 'not cited: reset-password' });
  });
});
