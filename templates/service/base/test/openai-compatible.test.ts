import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { ingest } from '../src/ingest.js';
import { answerQuestion } from '../src/pipeline/index.js';
import { createProvider, type Provider } from '../src/providers/index.js';
import { hashedEmbedding } from '../src/providers/offline.js';
import { systemPrompt } from '../src/providers/openai-compatible.js';
import type { Store } from '../src/store.js';
import { createTracing } from '../src/telemetry.js';
import { chunking, corpusDir, tempStore } from './helpers.js';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/**
 * A local server speaking the OpenAI protocol: real HTTP, real JSON, the official client on the other
 * side. Embeddings are hashed features (so retrieval works); the chat reply is whatever the test sets.
 */
function fakeOpenAi() {
  const received: Received[] = [];
  const state = {
    reply: 'Go to Profile > Your data > Export and choose CSV [1].',
    dimensions: 384,
    status: 200,
    /** Answers the next chat requests get before a normal one: a status with headers, or a hang. */
    chatFailures: [] as ({ status: number; headers?: Record<string, string> } | 'hang')[],
  };
  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (state.status !== 200)
      return send(state.status, { error: { message: 'model "missing" not found', type: 'invalid_request_error' } });
    if (req.url === '/v1/embeddings') {
      const input = body.input as string[];
      return send(200, {
        object: 'list',
        model: body.model,
        data: input.map((text, index) => ({
          object: 'embedding',
          index,
          embedding: hashedEmbedding(text, state.dimensions),
        })),
        usage: { prompt_tokens: input.length * 7, total_tokens: input.length * 7 },
      });
    }
    if (req.url === '/v1/chat/completions') {
      const failure = state.chatFailures.shift();
      if (failure === 'hang') return; // never answers: the client's timeout must end it
      if (failure) {
        res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
        return res.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit_error' } }));
      }
      if (body.stream === true) {
        // OpenAI's stream: chunks of the reply, an empty delta with finish_reason, a usage chunk, [DONE].
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const base = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: body.model };
        const words = state.reply.split(/(?<= )/);
        for (const word of words)
          res.write(
            `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: word }, finish_reason: null }] })}\n\n`,
          );
        res.write(
          `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
        );
        const usage = { prompt_tokens: 300, completion_tokens: words.length, total_tokens: 300 + words.length };
        res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
        return res.end('data: [DONE]\n\n');
      }
      return send(200, {
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: 0,
        model: body.model,
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: state.reply } }],
        usage: { prompt_tokens: 321, completion_tokens: 12, total_tokens: 333 },
      });
    }
    send(404, { error: { message: `no route ${req.url}` } });
  });
  return { server, received, state };
}

describe('the OpenAI-compatible provider against a local server', () => {
  const fake = fakeOpenAi();
  let provider: Provider;
  let store: Store;
  let cleanup: () => Promise<void>;
  const exporter = new InMemorySpanExporter();
  const { tracer } = createTracing([new SimpleSpanProcessor(exporter)]);

  beforeAll(async () => {
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    provider = createProvider({
      kind: 'openai-compatible',
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: 'sk-test',
      chatModel: 'test-chat',
      embeddingModel: 'test-embed',
      dimensions: 384,
      // Every retrieved chunk counts as evidence, so passage numbers match the returned contexts.
      minRetrievalScore: 0,
      retry: { timeoutMs: 300, maxRetries: 1, baseDelayMs: 10, maxDelayMs: 2000 },
    });
    ({ store, cleanup } = await tempStore());
    await ingest({ store, provider, corpusDir, chunking });
  });
  afterAll(async () => {
    await cleanup();
    fake.server.closeAllConnections();
    await new Promise((resolve) => fake.server.close(resolve));
  });
  beforeEach(() => {
    fake.received.length = 0;
    fake.state.reply = 'Go to Profile > Your data > Export and choose CSV [1].';
    fake.state.status = 200;
    fake.state.chatFailures = [];
    exporter.reset();
  });

  it('embeds the question, sends the numbered context and maps [1] back to its document', async () => {
    const result = await answerQuestion(
      { store, provider, tracer, topK: 5 },
      { question: 'How do I export my data as CSV?' },
    );

    expect(result).toMatchObject({
      refused: false,
      answer: 'Go to Profile > Your data > Export and choose CSV [1].',
      citations: [{ id: 'export-csv', title: 'Export your data as CSV' }],
      usage: { inputTokens: 321, outputTokens: 12, embeddingTokens: 7 },
    });

    const [embedding, chat] = fake.received;
    expect(embedding).toMatchObject({
      method: 'POST',
      url: '/v1/embeddings',
      authorization: 'Bearer sk-test',
      body: { model: 'test-embed', input: ['How do I export my data as CSV?'], encoding_format: 'float' },
    });
    expect(chat).toMatchObject({
      method: 'POST',
      url: '/v1/chat/completions',
      body: { model: 'test-chat', temperature: 0 },
    });
    const messages = chat?.body.messages as { role: string; content: string }[];
    expect(messages[0]).toEqual({ role: 'system', content: systemPrompt });
    expect(messages[1]?.role).toBe('user');
    expect(messages[1]?.content).toMatch(/^Context:\n\n\[1\] Export your data as CSV\n/);
    expect(messages[1]?.content).toMatch(/\[2\] /);
    expect(messages[1]?.content).toMatch(/Question: How do I export my data as CSV\?$/);
  });

  it('maps a citation of the second passage, and [1, 2], to their documents', async () => {
    fake.state.reply = 'Use Export [1, 2]. See also [2].';
    const result = await answerQuestion(
      { store, provider, tracer, topK: 5 },
      { question: 'How do I export my data as CSV?', includeContexts: true },
    );
    const ids = result.contexts?.map((c) => c.documentId) ?? [];
    expect(result.citations.map((c) => c.id)).toEqual([...new Set(ids.slice(0, 2))]);
  });

  it('refuses when the model answers without a citation', async () => {
    fake.state.reply = "I don't know.";
    const result = await answerQuestion(
      { store, provider, tracer, topK: 5 },
      { question: 'How do I export my data as CSV?' },
    );
    expect(result).toMatchObject({ refused: true, citations: [] });
    expect(result.answer).not.toBe("I don't know.");
  });

  it('answers 502 with the endpoint in the message when the server rejects the request', async () => {
    fake.state.status = 404;
    const app = createApp({ env: 'test', store, provider, tracer, topK: 5 });
    const response = await app.request('/v1/answer', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'How do I export my data as CSV?' }),
    });
    expect(response.status).toBe(502);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('provider_error');
    expect(error.message).toMatch(/embeddings failed at http:\/\/127\.0\.0\.1:\d+\/v1/);
  });

  it('fails loudly when the model returns vectors of another length', async () => {
    fake.state.dimensions = 128;
    try {
      await expect(provider.embed(['hello'])).rejects.toThrow(/set GENAI_EMBEDDING_DIMENSIONS|expected 384 dimensions/);
    } finally {
      fake.state.dimensions = 384;
    }
  });

  it('waits the Retry-After of a 429, then succeeds, and records the retry on the generate span', async () => {
    fake.state.chatFailures = [{ status: 429, headers: { 'retry-after': '1' } }];
    const result = await answerQuestion(
      { store, provider, tracer, topK: 5 },
      { question: 'How do I export my data as CSV?' },
    );
    expect(result.refused).toBe(false);
    expect(fake.received.filter((r) => r.url === '/v1/chat/completions')).toHaveLength(2);
    const generate = exporter.getFinishedSpans().find((s) => s.name === 'generate');
    expect(generate?.events.map((e) => [e.name, e.attributes])).toEqual([
      ['gen_ai.retry', { 'genai.retry.attempt': 1, 'genai.retry.delay_ms': 1000, 'genai.retry.reason': '429' }],
    ]);
  });

  it('retries a 503 with backoff and gives up after GENAI_MODEL_MAX_RETRIES with the status in the error', async () => {
    fake.state.chatFailures = [{ status: 503 }, { status: 503 }];
    await expect(provider.generate('q', [{ documentId: 'a', title: 'A', text: 'a', score: 1 }])).rejects.toThrow(
      /chat completion failed at http:\/\/127\.0\.0\.1:\d+\/v1: 503/,
    );
    expect(fake.received).toHaveLength(2);
  });

  it('does not retry a 400: the request itself is wrong', async () => {
    fake.state.chatFailures = [{ status: 400 }];
    await expect(provider.generate('q', [{ documentId: 'a', title: 'A', text: 'a', score: 1 }])).rejects.toThrow(/400/);
    expect(fake.received).toHaveLength(1);
  });

  it('ends an attempt that hangs past the timeout, retries it, and reports the timeout', async () => {
    fake.state.chatFailures = ['hang', 'hang'];
    const retries: unknown[] = [];
    await expect(
      provider.generate('q', [{ documentId: 'a', title: 'A', text: 'a', score: 1 }], {
        onRetry: (event) => retries.push(event.reason),
      }),
    ).rejects.toThrow(/timed out after 300 ms/);
    expect(fake.received).toHaveLength(2);
    expect(retries).toEqual(['timeout']);
  });

  it('streams the model answer when asked, assembling content and usage from the chunks', async () => {
    const contexts = [{ documentId: 'export-csv', title: 'Export', text: 'Export as CSV.', score: 1 }];
    const generation = await provider.generate('How do I export?', contexts, { stream: true });
    expect(fake.received[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(generation).toEqual({
      answer: 'Go to Profile > Your data > Export and choose CSV [1].',
      citations: ['export-csv'],
      inputTokens: 300,
      outputTokens: 12, // one per streamed piece, as the fake counts them
    });
  });

  it('asks the model to stream when a chat completion is streamed, and sends the checked answer', async () => {
    const app = createApp({ env: 'test', store, provider, tracer, topK: 5 });
    const response = await app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'How do I export my data as CSV?' }] }),
    });
    const text = await response.text();
    expect(text).toContain('[export-csv]');
    expect(text.trim().endsWith('data: [DONE]')).toBe(true);
    expect(fake.received.find((r) => r.url === '/v1/chat/completions')?.body.stream).toBe(true);
    const generate = exporter.getFinishedSpans().find((s) => s.name === 'generate');
    expect(generate?.attributes['genai.generate.stream']).toBe(true);
  });
});
