import { describe, expect, it } from 'vitest';
import { checkTraceId } from '../../src/monitor/admin.js';
import {
  latencyBar,
  renderTraceList,
  renderTraceTree,
  retrievedDocuments,
  type SpanRecord,
  type TraceDetail,
} from '../../src/monitor/traces.js';

const span = (
  name: string,
  start: number,
  duration: number,
  attributes: SpanRecord['attributes'] = {},
): SpanRecord => ({
  spanId: name,
  parentSpanId: name === 'answer' ? null : 'answer',
  name,
  startOffsetMs: start,
  durationMs: duration,
  status: 'unset',
  statusMessage: null,
  attributes,
  events: [],
});

const trace: TraceDetail = {
  traceId: 'd7fb82c91e6acdad70476f733488fab5',
  time: '2026-01-05T10:00:00.000Z',
  latencyMs: 30_000,
  status: 'ok',
  spans: [
    span('answer', 0, 30_000, {
      'gen_ai.request.model': 'gpt-4o-mini',
      'genai.question': 'How do I reset my password? my email is [EMAIL]',
      'genai.cost.usd': 0.00042,
    }),
    {
      ...span('guard-input', 0.1, 0.4, { 'genai.guard.allowed': true, 'genai.pii.redactions': 1 }),
      events: [{ name: 'pii.redacted', offsetMs: 0.2, attributes: { 'genai.pii.email': 1 } }],
    },
    span('embed', 0.5, 120, { 'gen_ai.usage.input_tokens': 12 }),
    span('retrieve', 121, 40, {
      'genai.retrieval.top_k': 3,
      'genai.retrieval.document_ids': ['reset-password', 'account-security', 'billing'],
      'genai.retrieval.scores': [0.8312, 0.6123, 0.2],
    }),
    span('generate', 161, 29_800, { 'gen_ai.usage.input_tokens': 941, 'gen_ai.usage.output_tokens': 101 }),
    span('guard-output', 29_961, 0.3, { 'genai.guard.allowed': true }),
  ],
};

describe('genai traces renderers', () => {
  it('draws the request as a tree of its five steps, marks the slowest and lists retrieved documents', () => {
    const text = renderTraceTree(trace);
    const lines = text.split('\n');
    expect(lines[0]).toBe('trace d7fb82c91e6acdad70476f733488fab5  2026-01-05 10:00:00Z  30.00 s  ok');
    expect(text).toContain('question: How do I reset my password? my email is [EMAIL]');
    for (const step of ['├─ guard-input', '├─ embed', '├─ retrieve', '├─ generate', '└─ guard-output']) {
      expect(text).toContain(step);
    }
    const generate = lines.find((l) => l.includes('├─ generate'))!;
    expect(generate).toContain('◀ slowest');
    expect(generate).toContain('29.80 s');
    expect(generate).toContain('99%');
    expect(lines.filter((l) => l.includes('◀ slowest'))).toHaveLength(1);
    expect(text).toMatch(/1\. reset-password {2}score 0\.8312/);
    expect(text).toMatch(/3\. billing {2}score 0\.2000/);
    expect(text).toContain('pii.redactions=1');
    expect(text).toContain('! pii.redacted pii.email=1');
    expect(text).toContain('usage.output_tokens=101');
    expect(text).not.toContain('steps not run');
  });

  it('says which steps a refused request did not run', () => {
    const refused = { ...trace, spans: trace.spans.slice(0, 2) };
    expect(renderTraceTree(refused)).toContain('steps not run: embed, retrieve, generate, guard-output');
  });

  it('bars are proportional and placed at their offset', () => {
    expect(latencyBar(0, 100, 100, 10)).toBe('|██████████|');
    expect(latencyBar(50, 50, 100, 10)).toBe('|     █████|');
    expect(latencyBar(0, 0.01, 100, 10)).toBe('|█         |');
    expect(latencyBar(99.9, 0.1, 100, 10)).toBe('|         █|');
  });

  it('lists recent traces as a table: time, latency, tokens, cost, status, question excerpt', () => {
    const text = renderTraceList(
      [
        {
          traceId: trace.traceId,
          time: trace.time,
          name: 'answer',
          question: 'How do I reset my password? my email is [EMAIL]',
          latencyMs: 19.776,
          tokens: { input: 941, output: 101, embedding: 12 },
          costUsd: 0,
          status: 'ok',
          refused: false,
        },
        {
          traceId: 'a'.repeat(32),
          time: trace.time,
          name: 'answer',
          question: null,
          latencyMs: 1234,
          tokens: { input: 0, output: 0, embedding: 0 },
          costUsd: null,
          status: 'ok',
          refused: true,
        },
      ],
      'dev',
    );
    const [head, first, second] = text.split('\n');
    expect(head).toMatch(/^time +trace +latency +tokens in\/out +cost +status +question$/);
    expect(first).toMatch(
      /2026-01-05 10:00:00Z +d7fb82c91e6acdad70476f733488fab5 +20 ms +941\/101 +\$0 +ok +How do I reset/,
    );
    expect(second).toMatch(/1\.23 s .* — +refused +—$/);
    expect(renderTraceList([], 'dev')).toContain('no traces in dev yet');
  });

  it('reads retrieved documents and checks trace ids', () => {
    expect(retrievedDocuments(trace.spans[3]!)).toEqual([
      { id: 'reset-password', score: 0.8312 },
      { id: 'account-security', score: 0.6123 },
      { id: 'billing', score: 0.2 },
    ]);
    expect(checkTraceId('D7FB82C91E6ACDAD70476F733488FAB5')).toBe(trace.traceId);
    expect(() => checkTraceId('nope')).toThrow(/not a trace id/);
  });
});
