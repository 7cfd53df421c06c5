import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest.js';
import { answerQuestion, medicalRefusal, notFoundRefusal, type PipelineDeps } from '../src/pipeline/index.js';
import { createTracing, type Tracing } from '../src/telemetry.js';
import { chunking, corpusDir, inScope, offline, outOfScope, projectRoot, tempStore } from './helpers.js';

describe('the answer pipeline with the offline provider', () => {
  const exporter = new InMemorySpanExporter();
  let deps: PipelineDeps;
  let tracing: Tracing;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const temp = await tempStore();
    cleanup = temp.cleanup;
    const provider = offline();
    await ingest({ store: temp.store, provider, corpusDir, chunking });
    tracing = createTracing([new SimpleSpanProcessor(exporter)]);
    deps = { store: temp.store, provider, tracer: tracing.tracer, topK: 5 };
  });
  afterAll(async () => {
    await tracing.shutdown();
    await cleanup();
  });
  beforeEach(() => exporter.reset());

  for (const testCase of inScope) {
    const expected = testCase.expected.documentIds ?? [];
    it(`answers "${testCase.input.question}" citing ${expected.join(', ')}`, async () => {
      const result = await answerQuestion(deps, { question: testCase.input.question });
      expect(result.refused).toBe(false);
      expect(result.citations.map((c) => c.id)).toEqual(expect.arrayContaining(expected));
      expect(result.answer).toMatch(/\[1\]/);
      expect(result.usage.embeddingTokens).toBeGreaterThan(0);
      expect(result.usage.inputTokens).toBeGreaterThan(result.usage.outputTokens);
      expect(result.contexts).toBeUndefined();
    });
  }

  for (const testCase of outOfScope) {
    it(`refuses "${testCase.input.question}" without citations`, async () => {
      const result = await answerQuestion(deps, { question: testCase.input.question });
      expect(result.refused).toBe(true);
      expect(result.citations).toEqual([]);
      expect(result.answer).toBe(testCase.tags.includes('medical') ? medicalRefusal : notFoundRefusal);
    });
  }

  it('sends a diagnosis request to a clinician before retrieving anything', async () => {
    const result = await answerQuestion(deps, { question: 'Do I have endometriosis?', includeContexts: true });
    expect(result.answer).toMatch(/clinician/);
    expect(result.usage).toEqual({ inputTokens: 0, outputTokens: 0, embeddingTokens: 0 });
    expect(result.contexts).toEqual([]);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['guard-input', 'answer']);
  });

  it('traces every step as a child of one root span whose trace id the answer carries', async () => {
    const result = await answerQuestion(deps, { question: 'How do I export my data as CSV?' });
    expect(result.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(result.traceId).not.toBe('0'.repeat(32));

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual([
      'guard-input',
      'embed',
      'retrieve',
      'generate',
      'guard-output',
      'answer',
    ]);
    const root = spans.find((s) => s.name === 'answer');
    for (const span of spans) expect(span.spanContext().traceId).toBe(result.traceId);
    for (const span of spans.filter((s) => s !== root)) {
      expect(span.parentSpanContext?.spanId).toBe(root?.spanContext().spanId);
    }

    const attributes = (name: string) => spans.find((s) => s.name === name)?.attributes ?? {};
    expect(attributes('embed')).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.system': 'offline',
      'gen_ai.request.model': 'offline-hash-384',
      'gen_ai.usage.input_tokens': result.usage.embeddingTokens,
    });
    const retrieved = attributes('retrieve');
    expect(retrieved['genai.retrieval.document_ids']).toContain('export-csv');
    const scores = retrieved['genai.retrieval.scores'] as number[];
    expect(scores).toHaveLength(5);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(attributes('generate')).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'offline-extractive',
      'gen_ai.usage.input_tokens': result.usage.inputTokens,
      'gen_ai.usage.output_tokens': result.usage.outputTokens,
    });
    expect(attributes('guard-output')).toMatchObject({ 'genai.guard.allowed': true });
    expect(attributes('answer')).toMatchObject({
      'genai.refused': false,
      'genai.citations': ['export-csv'],
      'gen_ai.request.model': 'offline-extractive',
      'gen_ai.usage.input_tokens': result.usage.inputTokens,
      'gen_ai.usage.output_tokens': result.usage.outputTokens,
      'genai.usage.embedding_tokens': result.usage.embeddingTokens,
      // The offline provider runs in-process: a known zero, not an unknown cost.
      'genai.cost.usd': 0,
    });
  });

  it('refuses prompt-injection attempts before retrieval, naming the rule on the guard span', async () => {
    const attacks = readFileSync(path.join(projectRoot, 'test', 'fixtures', 'injection.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as { text: string; attack: boolean })
      .filter((c) => c.attack);
    for (const attack of attacks) {
      exporter.reset();
      const result = await answerQuestion(deps, { question: attack.text });
      expect(result.refused).toBe(true);
      expect(result.citations).toEqual([]);
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).toEqual(['guard-input', 'answer']);
      expect(spans[0]?.attributes).toMatchObject({
        'genai.guard.category': 'prompt-injection',
        'genai.guard.injection': true,
      });
      expect(spans[1]?.attributes['genai.refusal.reason']).toBe('prompt-injection');
    }
  });

  it('refuses a question the corpus does not cover and says why on the span', async () => {
    const result = await answerQuestion(deps, { question: "What's the capital of France?", includeContexts: true });
    expect(result.refused).toBe(true);
    expect(result.contexts?.length).toBe(5);
    const spans = exporter.getFinishedSpans();
    // Nothing relevant retrieved: refused before any model is asked.
    expect(spans.map((s) => s.name)).toEqual(['guard-input', 'embed', 'retrieve', 'answer']);
    expect(spans[2]?.attributes).toMatchObject({ 'genai.guard.scope': 'out', 'genai.guard.min_score': 0.12 });
    expect(spans[2]?.events.map((e) => e.name)).toEqual(['guard.out_of_scope']);
    expect(spans[3]?.attributes['genai.refusal.reason']).toBe('out-of-scope');
    expect(result.usage.inputTokens).toBe(0);
  });

  it('answers in scope when the threshold is lowered, and records the output decision on guard-output', async () => {
    const lenient = { ...deps, provider: { ...deps.provider, minRetrievalScore: 0.5 } };
    const refused = await answerQuestion(lenient, { question: 'How do I export my data as CSV?' });
    expect(refused.refused).toBe(true);
    exporter.reset();
    const answered = await answerQuestion(deps, { question: 'How do I export my data as CSV?' });
    expect(answered.refused).toBe(false);
    const guard = exporter.getFinishedSpans().find((s) => s.name === 'guard-output');
    expect(guard?.attributes).toMatchObject({
      'genai.guard.allowed': true,
      'genai.guard.decision': 'pass',
      'genai.guard.claims.uncited': 0,
    });
    expect(guard?.attributes['genai.guard.claims']).toBeGreaterThan(0);
  });
});
