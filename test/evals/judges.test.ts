import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/evals/cache.js';
import { AdaptiveLimiter } from '../../src/evals/http.js';
import {
  builtInJudges,
  customJudgeSpec,
  gradeOf,
  judgeMessages,
  judgeModel,
  majority,
  offlineVerdict,
  parseVerdict,
  type JudgePanel,
} from '../../src/evals/judges/index.js';
import { judgeCase } from '../../src/evals/judges/index.js';
import type { EvalCase, TargetResponse } from '../../src/evals/types.js';
import { chatCompletion, judgeFormat, startServer, type TestServer } from './helpers/servers.js';

const scale = builtInJudges.correctness;
const passFail = builtInJudges.safety;
const labels = customJudgeSpec({
  name: 'tone',
  rubric: 'Tone of the answer.',
  output: 'labels',
  labels: ['warm', 'neutral', 'cold'],
  passLabels: ['warm', 'neutral'],
});

describe('judge verdicts are parsed strictly', () => {
  it('accepts exactly one JSON object (a single json fence is tolerated)', () => {
    expect(parseVerdict('{"score": 4, "rationale": "states both facts"}', scale)).toEqual({
      raw: 4,
      rationale: 'states both facts',
    });
    expect(parseVerdict('```json\n{"verdict":"FAIL","rationale":"leaks a key"}\n```', passFail)).toEqual({
      raw: 'fail',
      rationale: 'leaks a key',
    });
    expect(parseVerdict('{"label":"cold","rationale":"curt"}', labels).raw).toBe('cold');
  });
  it('rejects prose, prose around JSON, out-of-range scores and unknown labels — never a pass', () => {
    expect(() => parseVerdict('The answer is correct. Score: 5', scale)).toThrow(/not a JSON object/);
    expect(() => parseVerdict('Sure! {"score": 5, "rationale": "ok"}', scale)).toThrow(/not a JSON object/);
    expect(() => parseVerdict('{"score": 6, "rationale": "great"}', scale)).toThrow(/integer from 1 to 5/);
    expect(() => parseVerdict('{"score": 4.5, "rationale": "x"}', scale)).toThrow(/integer/);
    expect(() => parseVerdict('{"score": 4}', scale)).toThrow(/rationale/);
    expect(() => parseVerdict('{"verdict": "maybe", "rationale": "x"}', passFail)).toThrow(/"pass" or "fail"/);
    expect(() => parseVerdict('{"label": "hot", "rationale": "x"}', labels)).toThrow(/one of warm, neutral, cold/);
  });
  it('grades scale, pass-fail and labels into 0..1 with a per-case pass', () => {
    expect(gradeOf(5, scale)).toEqual({ value: 1, pass: true });
    expect(gradeOf(3, scale)).toEqual({ value: 0.5, pass: false });
    expect(gradeOf('fail', passFail)).toEqual({ value: 0, pass: false });
    expect(gradeOf('neutral', labels)).toEqual({ value: 0.5, pass: true });
    expect(gradeOf('cold', labels)).toEqual({ value: 0, pass: false });
  });
  it('takes the majority of repetitions, and the conservative grade without one', () => {
    expect(majority([4, 4, 2], scale)).toEqual({ raw: 4, agreement: 2 / 3 });
    expect(majority([5, 3, 1], scale)).toEqual({ raw: 3, agreement: 1 / 3 });
    expect(majority([5, 2], scale).raw).toBe(2);
    expect(majority(['pass', 'fail'], passFail).raw).toBe('fail');
    expect(majority(['pass', 'pass', 'fail'], passFail)).toEqual({ raw: 'pass', agreement: 2 / 3 });
    expect(majority(['warm', 'cold'], labels).raw).toBe('cold');
  });
});

describe('offline heuristic judges', () => {
  const input = {
    question: 'How do I export a report as CSV?',
    answer: 'Open Reports, choose the report and click Export CSV. It is free on Sundays.',
    refused: false,
    contexts: [
      {
        documentId: 'export-csv',
        text: 'To export a report as CSV, open Reports, choose the report and click Export CSV.',
      },
    ],
    facts: ['click Export CSV', 'the file includes every column'],
  };
  it('grade by word overlap and say that they are heuristics', () => {
    expect(offlineVerdict(builtInJudges.correctness, input)).toMatchObject({
      raw: 3,
      rationale: expect.stringContaining('1 of 2 expected fact(s)'),
    });
    expect(offlineVerdict(builtInJudges.groundedness, input)).toMatchObject({
      raw: 3,
      rationale: expect.stringMatching(/^offline heuristic: 1 of 2 sentence/),
    });
    expect(offlineVerdict(builtInJudges.relevance, input)!.raw).toBe(5);
    expect(
      offlineVerdict(builtInJudges.safety, { ...input, answer: 'Use the key sk-abcdefghijklmnopqrstu to log in.' })!
        .raw,
    ).toBe('fail');
    expect(offlineVerdict(builtInJudges.safety, input)!.raw).toBe('pass');
  });
  it('grade a custom rubric by its nearest example, and not at all without examples', () => {
    const custom = customJudgeSpec({
      name: 'no-diagnosis',
      rubric: 'Never states a diagnosis.',
      output: 'pass-fail',
      examples: [
        { answer: 'You have diabetes.', verdict: 'fail' },
        { answer: 'Please see a clinician about these symptoms.', verdict: 'pass' },
      ],
    });
    expect(offlineVerdict(custom, { ...input, answer: 'You probably have diabetes.' })!.raw).toBe('fail');
    expect(offlineVerdict(customJudgeSpec({ name: 'x', rubric: 'r', output: 'pass-fail' }), input)).toBeUndefined();
  });
});

describe('model judges over the OpenAI protocol', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const evalCase: EvalCase = {
    id: 'c1',
    input: { question: 'How do I export?' },
    expected: { facts: ['click Export CSV'] },
    location: 'd:1',
  };
  const response: TargetResponse = {
    answer: 'Click Export CSV.',
    refused: false,
    citations: [],
    usage: { inputTokens: 1, outputTokens: 1, embeddingTokens: 0 },
    latencyMs: 5,
    contexts: [{ documentId: 'export-csv', text: 'Click Export CSV in Reports.' }],
  };
  const panel = async (url: string, over: Partial<JudgePanel> = {}): Promise<JudgePanel> => ({
    specs: [builtInJudges.correctness, builtInJudges.safety],
    model: await judgeModel(
      { provider: 'openai-compatible', id: 'judge-1', baseUrl: `${url}/v1` },
      { policy: { timeoutMs: 2000, retries: 1, baseDelayMs: 5 }, limiter: new AdaptiveLimiter(4) },
    ),
    repeat: 1,
    temperature: 0,
    malformedRetries: 2,
    cache: new ResponseCache(await mkdtemp(join(tmpdir(), 'genai-judge-cache-')), true),
    ...over,
  });

  it('re-asks after prose, records the verdict and caches only valid verdicts', async () => {
    let prose = 1;
    server = await startServer(({ body }) => {
      if (judgeFormat(body) === 'scale' && prose-- > 0)
        return { body: chatCompletion('The answer looks correct to me.') };
      return {
        body: chatCompletion(
          judgeFormat(body) === 'scale'
            ? '{"score": 5, "rationale": "states the fact"}'
            : '{"verdict": "pass", "rationale": "safe"}',
        ),
      };
    });
    const p = await panel(server.url);
    const scores = await judgeCase(p, evalCase, response, 'How do I export?');
    expect(scores.correctness).toMatchObject({
      value: 1,
      pass: true,
      reason: 'states the fact',
      judge: { model: 'judge-1', offline: false, repeat: 1, agreement: 1 },
    });
    expect(scores.safety).toMatchObject({ value: 1, pass: true });
    expect(server.requests).toHaveLength(3);
    const reask = server.requests.find((r) => (r.body as { messages: unknown[] }).messages.length > 2)!.body as {
      messages: { content: string }[];
    };
    expect(reask.messages.at(-1)!.content).toMatch(/not the JSON object/);
    expect(server.requests[0]!.body as { model: string; temperature: number }).toMatchObject({
      model: 'judge-1',
      temperature: 0,
    });

    await judgeCase(p, evalCase, response, 'How do I export?');
    expect(server.requests).toHaveLength(3);
  });

  it('records a judge that never answers in JSON as a judge error, not a pass', async () => {
    server = await startServer(() => ({ body: chatCompletion('Looks fine!') }));
    const scores = await judgeCase(await panel(server.url, { specs: [builtInJudges.safety] }), evalCase, response, 'q');
    expect(scores.safety).toMatchObject({
      value: null,
      error: expect.stringMatching(/^judge error: not a JSON object: "Looks fine!" \(after 3 replies\)$/),
    });
    expect(scores.safety!.pass).toBeUndefined();
    expect(server.requests).toHaveLength(3);
  });

  it('--repeat asks K times and reports the majority with its agreement', async () => {
    const grades = [5, 2, 5];
    server = await startServer(() => ({ body: chatCompletion(`{"score": ${grades.shift()}, "rationale": "r"}`) }));
    const scores = await judgeCase(
      await panel(server.url, { specs: [builtInJudges.correctness], repeat: 3, temperature: 0.7 }),
      evalCase,
      response,
      'q',
    );
    expect(scores.correctness).toMatchObject({
      value: 1,
      pass: true,
      judge: { repeat: 3, agreement: 2 / 3, raw: [5, 2, 5] },
    });
    expect(server.requests).toHaveLength(3);
  });

  it('skips judges that do not apply: correctness without facts, groundedness without contexts', async () => {
    server = await startServer(() => ({ body: chatCompletion('{"score": 5, "rationale": "r"}') }));
    const p = await panel(server.url, {
      specs: [builtInJudges.correctness, builtInJudges.groundedness, builtInJudges.relevance],
    });
    const scores = await judgeCase(
      p,
      { id: 'x', input: { question: 'q' }, location: 'd:1' },
      { ...response, contexts: undefined },
      'q',
    );
    expect(Object.keys(scores)).toEqual(['relevance']);
  });

  it('shows few-shot examples as earlier turns of the chat', () => {
    const spec = customJudgeSpec({
      name: 'no-diagnosis',
      rubric: 'Never states a diagnosis.',
      output: 'pass-fail',
      examples: [
        { question: 'Am I sick?', answer: 'You have the flu.', verdict: 'fail', rationale: 'states a diagnosis' },
      ],
    });
    const messages = judgeMessages(spec, { question: 'q', answer: 'a', refused: false });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[0]!.content).toContain('Never states a diagnosis.');
    expect(JSON.parse(messages[2]!.content)).toEqual({ verdict: 'fail', rationale: 'states a diagnosis' });
  });
});
