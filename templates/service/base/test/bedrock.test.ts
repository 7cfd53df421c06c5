import { createServer, type Http2ServerRequest, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { ingest } from '../src/ingest.js';
import { InteractionLog, listInteractions } from '../src/observability/interactions.js';
import { answerQuestion } from '../src/pipeline/index.js';
import { requestCostUsd } from '../src/prices.js';
import { createProvider, type Provider } from '../src/providers/index.js';
import { hashedEmbedding } from '../src/providers/offline.js';
import { systemPrompt } from '../src/providers/openai-compatible.js';
import type { Store } from '../src/store.js';
import { createTracing } from '../src/telemetry.js';
import { chunking, corpusDir, tempStore } from './helpers.js';

interface Received {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/** Bedrock's binary event-stream framing (application/vnd.amazon.eventstream), as the service sends it. */
const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => new TextEncoder().encode(text),
);
/** One frame: an `event` of `type` or an `exception` of `type`, with a JSON body. */
const frame = (kind: 'event' | 'exception', type: string, body: unknown) =>
  codec.encode({
    headers: {
      ':message-type': { type: 'string', value: kind },
      [`:${kind}-type`]: { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
const eventFrame = (type: string, payload: unknown) => frame('event', type, payload);
const exceptionFrame = (type: string, message: string) => frame('exception', type, { message });

/** The service's variables for Bedrock through the local server on `port`, plus `extra`. */
const bedrockEnv = (port: number, extra: Record<string, string>) => ({
  GENAI_MODEL_PROVIDER: 'bedrock',
  AWS_REGION: 'eu-west-1',
  BEDROCK_ENDPOINT_URL: `http://127.0.0.1:${port}`,
  GENAI_CHAT_MODEL: 'meta.llama3-1-70b-instruct-v1:0',
  GENAI_EMBEDDING_MODEL: 'amazon.titan-embed-text-v2:0',
  GENAI_EMBEDDING_DIMENSIONS: '384',
  ...extra,
});

/**
 * A local server speaking Bedrock Runtime's REST protocol over HTTP/2 (the client's default transport,
 * cleartext here), as the AWS SDK calls it with an `endpoint` override: `POST /model/{modelId}/converse`,
 * `/converse-stream` (event-stream frames, each written on its own) and `/invoke`, SigV4-signed with static
 * test credentials (checked for shape, not verified), errors named by `x-amzn-errortype`.
 */
function fakeBedrock() {
  const received: Received[] = [];
  const state = {
    reply: 'Open Profile > Your data > Export and choose CSV [1].',
    /** Statuses the next converse requests get before a normal answer. */
    throttle: 0,
    /** The text deltas of a streamed answer, in order. */
    deltas: ['Open Profile', ' > Your data', ' > Export', ' and choose CSV [1].'],
    /** What the next converse-stream requests get instead of a whole stream. */
    streamFailures: [] as ('throttle' | 'exception-midway' | 'stall')[],
  };
  const readBody = async (req: Http2ServerRequest) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
  };
  const sessions = new Set<Http2Session>();
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = decodeURIComponent(req.url ?? '');
    received.push({ path, authorization: req.headers.authorization, body });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(payload));
    };
    const invoke = /^\/model\/([^/]+)\/invoke$/.exec(path);
    if (invoke && invoke[1] === 'amazon.titan-embed-text-v2:0') {
      const text = String(body.inputText);
      return send(200, {
        embedding: hashedEmbedding(text, Number(body.dimensions)),
        inputTextTokenCount: Math.ceil(text.length / 4),
      });
    }
    const converse = /^\/model\/([^/]+)\/converse$/.exec(path);
    if (converse && converse[1] === 'meta.llama3-1-70b-instruct-v1:0') {
      if (state.throttle > 0) {
        state.throttle -= 1;
        return send(
          429,
          { message: 'Too many requests, please wait before trying again.' },
          {
            'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
          },
        );
      }
      return send(200, {
        output: { message: { role: 'assistant', content: [{ text: state.reply }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 812, outputTokens: 21, totalTokens: 833 },
        metrics: { latencyMs: 120 },
      });
    }
    const stream = /^\/model\/([^/]+)\/converse-stream$/.exec(path);
    if (stream && stream[1] === 'meta.llama3-1-70b-instruct-v1:0') {
      const failure = state.streamFailures.shift();
      if (failure === 'throttle') {
        return send(
          429,
          { message: 'Too many requests, please wait before trying again.' },
          { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/' },
        );
      }
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      res.write(eventFrame('messageStart', { role: 'assistant' }));
      if (failure === 'stall') return; // never another frame: the idle timeout must end the attempt
      for (const [i, text] of state.deltas.entries()) {
        if (failure === 'exception-midway' && i === 2) {
          res.end(exceptionFrame('throttlingException', 'Too many tokens, please wait before trying again.'));
          return;
        }
        res.write(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
      }
      res.write(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
      res.write(eventFrame('messageStop', { stopReason: 'end_turn' }));
      res.end(
        eventFrame('metadata', {
          usage: { inputTokens: 790, outputTokens: 17, totalTokens: 807 },
          metrics: { latencyMs: 95 },
        }),
      );
      return;
    }
    send(404, { message: `no model at ${path}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const session of sessions) session.destroy();
      server.close(() => resolve());
    });
  return { server, received, state, close };
}

describe('the Bedrock provider against a local Bedrock Runtime server', () => {
  const fake = fakeBedrock();
  const exporter = new InMemorySpanExporter();
  const { tracer } = createTracing([new SimpleSpanProcessor(exporter)]);
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  let provider: Provider;
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    // Static test credentials for the SDK's default chain; the fake does not verify signatures.
    process.env.AWS_ACCESS_KEY_ID = 'AKIDGENAITEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret';
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    const config = loadConfig(bedrockEnv(port, { GENAI_MIN_RETRIEVAL_SCORE: '0', GENAI_MODEL_MAX_RETRIES: '2' }));
    expect(config.provider.kind).toBe('bedrock');
    provider = createProvider(config.provider);
    ({ store, cleanup } = await tempStore());
    await ingest({ store, provider, corpusDir, chunking });
  });
  afterAll(async () => {
    process.env.AWS_ACCESS_KEY_ID = saved.id;
    process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    await cleanup();
    await fake.close();
  });
  beforeEach(() => {
    fake.received.length = 0;
    fake.state.throttle = 0;
    fake.state.streamFailures = [];
    exporter.reset();
  });

  it('embeds the corpus through InvokeModel with Titan v2 bodies', () => {
    expect(store.snapshot).toMatchObject({ embeddingModel: 'amazon.titan-embed-text-v2:0', dimensions: 384 });
    expect(store.snapshot?.chunks).toBeGreaterThan(30);
  });

  it('answers through Converse: system prompt, numbered context, temperature 0, usage, SigV4 in eu-west-1', async () => {
    const result = await answerQuestion(
      { store, provider, tracer, topK: 5 },
      { question: 'How do I export my data as CSV?' },
    );
    expect(result).toMatchObject({
      refused: false,
      answer: 'Open Profile > Your data > Export and choose CSV [1].',
      citations: [{ id: 'export-csv' }],
      usage: { inputTokens: 812, outputTokens: 21 },
    });
    const [embed, converse] = fake.received;
    expect(embed).toMatchObject({
      path: '/model/amazon.titan-embed-text-v2:0/invoke',
      body: { inputText: 'How do I export my data as CSV?', dimensions: 384, normalize: true },
    });
    expect(converse?.path).toBe('/model/meta.llama3-1-70b-instruct-v1:0/converse');
    expect(converse?.body).toMatchObject({
      system: [{ text: systemPrompt }],
      inferenceConfig: { temperature: 0 },
    });
    const messages = converse?.body.messages as { role: string; content: { text: string }[] }[];
    expect(messages[0]?.role).toBe('user');
    expect(messages[0]?.content[0]?.text).toMatch(/^Context:\n\n\[1\] Export your data as CSV\n/);
    expect(converse?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDGENAITEST\/\d{8}\/eu-west-1\/bedrock\/aws4_request/,
    );
    const generate = exporter.getFinishedSpans().find((s) => s.name === 'generate');
    expect(generate?.attributes).toMatchObject({
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': 'meta.llama3-1-70b-instruct-v1:0',
      'gen_ai.usage.input_tokens': 812,
    });
  });

  it('retries a ThrottlingException (429) with backoff and answers, the retry on the span', async () => {
    fake.state.throttle = 1;
    const result = await answerQuestion(
      { store, provider, tracer, topK: 5 },
      { question: 'How do I export my data as CSV?' },
    );
    expect(result.refused).toBe(false);
    expect(fake.received.filter((r) => r.path.endsWith('/converse'))).toHaveLength(2);
    const generate = exporter.getFinishedSpans().find((s) => s.name === 'generate');
    expect(generate?.events.map((e) => [e.name, e.attributes?.['genai.retry.reason']])).toEqual([
      ['gen_ai.retry', 'ThrottlingException'],
    ]);
  });

  it('gives up after the retries with a located provider error naming the exception', async () => {
    fake.state.throttle = 5;
    await expect(provider.generate('q', [{ documentId: 'a', title: 'A', text: 'a', score: 1 }])).rejects.toThrow(
      /Bedrock converse failed in eu-west-1: ThrottlingException/,
    );
    expect(fake.received).toHaveLength(3);
  });

  it('streams a chat completion through ConverseStream: the deltas in order, usage from metadata, on the trace and the interaction', async () => {
    const interactions = new InteractionLog(store.db);
    const app = createApp({ env: 'test', store, provider, tracer, topK: 5, interactions });
    const response = await app.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'How do I export my data as CSV?' }],
      }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const chunks = (await response.text())
      .split('\n')
      .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
      .map(
        (line) =>
          JSON.parse(line.slice(6)) as {
            choices: { delta: { content?: string } }[];
            usage?: { prompt_tokens: number; completion_tokens: number };
          },
      );
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('Open Profile > Your data > Export and choose CSV [export-csv].');
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 790, completion_tokens: 17 });

    expect(fake.received.map((r) => r.path)).toContain('/model/meta.llama3-1-70b-instruct-v1:0/converse-stream');
    expect(fake.received.some((r) => r.path.endsWith('/converse'))).toBe(false);
    const spans = exporter.getFinishedSpans();
    const generate = spans.find((s) => s.name === 'generate');
    expect(generate?.attributes).toMatchObject({
      'genai.generate.stream': true,
      'gen_ai.usage.input_tokens': 790,
      'gen_ai.usage.output_tokens': 17,
    });
    const root = spans.find((s) => s.name === 'answer');
    const traceId = root?.spanContext().traceId;
    await interactions.flush();
    const [interaction] = await listInteractions(store.db, { limit: 1 });
    expect(interaction?.traceId).toBe(traceId);
    expect(interaction?.tokens).toMatchObject({ input: 790, output: 17 });
    // The cost comes from the project's price table (src/prices.json): a figure when the model is priced, else none.
    const cost = requestCostUsd({
      provider: 'bedrock',
      chatModel: 'meta.llama3-1-70b-instruct-v1:0',
      embeddingModel: 'amazon.titan-embed-text-v2:0',
      inputTokens: 790,
      outputTokens: 17,
      embeddingTokens: interaction?.tokens.embedding ?? 0,
    });
    expect(interaction?.costUsd).toBe(cost ?? null);
    expect(root?.attributes['genai.cost.usd']).toBe(cost);
  });

  it('retries a ThrottlingException before the stream, and a throttling event inside it, under one policy', async () => {
    fake.state.streamFailures = ['throttle', 'exception-midway'];
    const contexts = [{ documentId: 'export-csv', title: 'Export', text: 'Export as CSV.', score: 1 }];
    const reasons: string[] = [];
    const generation = await provider.generate('How do I export?', contexts, {
      stream: true,
      onRetry: (event) => reasons.push(event.reason),
    });
    expect(generation).toEqual({
      answer: 'Open Profile > Your data > Export and choose CSV [1].',
      citations: ['export-csv'],
      inputTokens: 790,
      outputTokens: 17,
    });
    expect(fake.received.filter((r) => r.path.endsWith('/converse-stream'))).toHaveLength(3);
    expect(reasons).toEqual(['ThrottlingException', 'ThrottlingException']);
  });

  it('ends a stream that stalls after its first event, retries it, and reports the timeout', async () => {
    const { port } = fake.server.address() as AddressInfo;
    const impatient = createProvider(
      loadConfig(bedrockEnv(port, { GENAI_MODEL_TIMEOUT_MS: '300', GENAI_MODEL_MAX_RETRIES: '1' })).provider,
    );
    fake.state.streamFailures = ['stall', 'stall'];
    const reasons: string[] = [];
    await expect(
      impatient.generate('q', [{ documentId: 'a', title: 'A', text: 'a', score: 1 }], {
        stream: true,
        onRetry: (event) => reasons.push(event.reason),
      }),
    ).rejects.toThrow(/Bedrock converse-stream failed in eu-west-1: AttemptTimeout: timed out after 300 ms/);
    expect(fake.received.filter((r) => r.path.endsWith('/converse-stream'))).toHaveLength(2);
    expect(reasons).toEqual(['timeout']);
  });

  it('refuses to start on bedrock without a region, naming the variable', () => {
    expect(() =>
      loadConfig({ GENAI_MODEL_PROVIDER: 'bedrock', GENAI_CHAT_MODEL: 'm', GENAI_EMBEDDING_MODEL: 'e' }),
    ).toThrow(/AWS_REGION is not set/);
    expect(() => loadConfig({ GENAI_MODEL_PROVIDER: 'sagemaker' })).toThrow(/GENAI_MODEL_PROVIDER "sagemaker"/);
  });
});
