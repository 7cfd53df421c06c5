import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiConfig } from '../src/api-config.js';
import { createApp } from '../src/app.js';
import { withDocumentMarkers } from '../src/http/chat-completions.js';
import { ingest } from '../src/ingest.js';
import { InteractionLog, listInteractions } from '../src/observability/interactions.js';
import { openTracing, type ServiceTracing } from '../src/observability/tracing.js';
import { medicalRefusal, notFoundRefusal } from '../src/pipeline/index.js';
import { readTrace } from '../src/observability/trace-store.js';
import type { Store } from '../src/store.js';
import { chunking, corpusDir, offline, tempStore } from './helpers.js';

const apiKey = 'chat-test-key-0123456789';

/** The service on a real port, called by the official OpenAI client as any application would. */
describe('POST /v1/chat/completions with the official openai client', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let server: ServerType;
  let tracing: ServiceTracing;
  let baseURL: string;
  let client: OpenAI;
  let interactions: InteractionLog;

  beforeAll(async () => {
    ({ store, cleanup } = await tempStore());
    const provider = offline();
    await ingest({ store, provider, corpusDir, chunking });
    tracing = await openTracing({
      store,
      env: 'test',
      release: null,
      retention: { days: 14, maxTraces: 1000 },
      otlpEndpoint: undefined,
    });
    interactions = new InteractionLog(store.db);
    const app = createApp({
      env: 'test',
      store,
      provider,
      tracer: tracing.tracer,
      tracing,
      interactions,
      topK: 5,
      api: openApiConfig({ auth: 'keys', apiKeys: [apiKey] }),
    });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await tracing.shutdown();
    await cleanup();
  });

  it('answers a chat completion with content, [doc-id] markers, citations, usage, model, id and created', async () => {
    const completion = await client.chat.completions.create({
      model: 'anything',
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello! How can I help?' },
        { role: 'user', content: 'How do I export my data as CSV?' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    expect(completion.model).toBe('offline-extractive');
    expect(completion.created).toBeGreaterThan(1_700_000_000);
    const [choice] = completion.choices;
    expect(choice?.finish_reason).toBe('stop');
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content).toMatch(/\[export-csv\]/);
    expect(choice?.message.content).not.toMatch(/\[\d+\]/);
    expect(choice?.message.refusal).toBeNull();
    const { citations } = completion as unknown as { citations: { id: string; title: string }[] };
    expect(citations.map((c) => c.id)).toContain('export-csv');
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
    expect(completion._request_id).toBe(completion.id);
  });

  it('streams chunks the client assembles into the same answer, with usage when asked', async () => {
    const question = 'How do I export my data as CSV?';
    const whole = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: question }] });
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    const ids = new Set<string>();
    let chunks = 0;
    let citations: unknown;
    for await (const chunk of stream) {
      chunks += 1;
      ids.add(chunk.id);
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      content += choice?.delta.content ?? '';
      if (choice?.finish_reason) {
        finish = choice.finish_reason;
        citations = (chunk as unknown as { citations: unknown }).citations;
      }
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(ids.size).toBe(1);
    expect(finish).toBe('stop');
    expect(content).toBe(whole.choices[0]?.message.content);
    expect(citations).toEqual((whole as unknown as { citations: unknown }).citations);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('ends the raw event stream with data: [DONE]', async () => {
    const response = await fetch(`${baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'How do I reset my password?' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const lines = (await response.text()).split('\n').filter(Boolean);
    expect(lines.every((line) => line.startsWith('data: '))).toBe(true);
    expect(lines.at(-1)).toBe('data: [DONE]');
    // Without include_usage no chunk carries usage, as with OpenAI.
    expect(
      lines
        .slice(0, -1)
        .map((l) => JSON.parse(l.slice(6)) as { usage?: unknown })
        .every((c) => !c.usage),
    ).toBe(true);
  });

  it('runs the same guardrails as /v1/answer: a medical question is refused, with the refusal field set', async () => {
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'What medication should I take for cramps?' }],
    });
    expect(completion.choices[0]?.message.content).toBe(medicalRefusal);
    expect(completion.choices[0]?.message.refusal).toBe(medicalRefusal);
    expect((completion as unknown as { citations: unknown[] }).citations).toEqual([]);
  });

  it('records the interaction as chat.completions and traces the five steps under the completion id', async () => {
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'How do I turn on pill reminders? I am jane@example.com' }],
    });
    const traceId = completion.id.replace(/^chatcmpl-/, '');
    await interactions.flush();
    const [recorded] = await listInteractions(store.db, { limit: 1 });
    expect(recorded).toMatchObject({ traceId, api: 'chat.completions' });
    expect(recorded?.question).not.toContain('jane@example.com');
    await tracing.flush();
    const trace = await readTrace(store.db, traceId);
    expect(trace?.spans.map((s) => s.name)).toEqual([
      'answer',
      'guard-input',
      'embed',
      'retrieve',
      'generate',
      'guard-output',
    ]);
    expect(trace?.spans.find((s) => s.name === 'answer')?.attributes['genai.api']).toBe('chat.completions');
  });

  it('counts scope and citation decisions in /metrics, out-of-scope questions included', async () => {
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: "What's the capital of France?" }],
    });
    expect(completion.choices[0]?.message.refusal).toBe(notFoundRefusal);
    const metrics = await (await fetch(baseURL.replace(/\/v1$/, '/metrics'))).text();
    expect(metrics).toMatch(/genai_guardrail_decisions_total\{guard="scope",decision="out"\} [1-9]/);
    expect(metrics).toMatch(/genai_guardrail_decisions_total\{guard="scope",decision="in"\} [1-9]/);
    expect(metrics).toMatch(/genai_guardrail_decisions_total\{guard="citations",decision="pass"\} [1-9]/);
    expect(metrics).toMatch(/genai_guardrail_decisions_total\{guard="refusal",decision="out-of-scope"\} [1-9]/);
    expect(metrics).toMatch(/genai_requests_total\{api="chat.completions",outcome="answered"\} [1-9]/);
  });

  it('refuses a request without a key with 401, which the client raises as AuthenticationError', async () => {
    const anonymous = new OpenAI({ baseURL, apiKey: 'wrong-key-0123456789abcdef', maxRetries: 0 });
    await expect(
      anonymous.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it.each([
    ['no messages', { model: 'm' }, /"messages" is required/],
    ['empty messages', { model: 'm', messages: [] }, /"messages" is required/],
    ['a wrong role', { messages: [{ role: 'robot', content: 'hi' }] }, /messages\[0\]\.role must be one of/],
    ['no user message', { messages: [{ role: 'system', content: 'be nice' }] }, /role "user"/],
    ['an image part', { messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }, /only text is read/],
    ['n above 1', { n: 2, messages: [{ role: 'user', content: 'hi' }] }, /"n" must be 1/],
  ])('answers 400 invalid_request for %s, which the client raises as BadRequestError', async (_name, body, message) => {
    const error = await client.chat.completions
      .create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.status).toBe(400);
    expect(apiError.message).toMatch(message);
  });

  it('answers 400 invalid_json for a body that is not JSON, and 415 for one that is not application/json', async () => {
    const post = (type: string, body: string) =>
      fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${apiKey}` },
        body,
      });
    const broken = await post('application/json', '{"messages": [');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const plain = await post('text/plain', '{"messages": []}');
    expect(plain.status).toBe(415);
  });
});

describe('citation markers in chat content', () => {
  it('turns [n] and [n, m] into document ids and leaves unknown numbers alone', () => {
    const citations = [
      { id: 'export-csv', title: 'Export' },
      { id: 'sync', title: 'Sync' },
    ];
    expect(withDocumentMarkers('Export it [1]. Sync first [1, 2]. See [7].', citations)).toBe(
      'Export it [export-csv]. Sync first [export-csv][sync]. See [7].',
    );
  });
});
