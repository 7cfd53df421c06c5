import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { ingest } from '../src/ingest.js';
import { createProvider } from '../src/providers/index.js';
import type { Store } from '../src/store.js';
import { createTracing } from '../src/telemetry.js';
import { chunking, corpusDir, offline, tempStore } from './helpers.js';

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('the HTTP contract', () => {
  const provider = offline();
  const { tracer } = createTracing();
  let store: Store;
  let cleanup: () => Promise<void>;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    ({ store, cleanup } = await tempStore());
    app = createApp({
      env: 'test',
      store,
      provider,
      tracer,
      topK: 5,
      build: 'abc123def456',
      release: 'r-0123456789ab',
      instance: 'i-1',
    });
  });
  afterAll(() => cleanup());

  it('answers 503 with a clear error until a snapshot is ingested, and health says so', async () => {
    const health = await app.request('/healthz');
    expect(await health.json()).toEqual({
      status: 'ok',
      env: 'test',
      provider: 'offline',
      build: 'abc123def456',
      release: 'r-0123456789ab',
      instance: 'i-1',
      snapshot: null,
    });

    const response = await app.request('/v1/answer', post({ question: 'How do I export my data as CSV?' }));
    expect(response.status).toBe(503);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('no_snapshot');
    expect(error.message).toMatch(/npm run ingest/);

    await ingest({ store, provider, corpusDir, chunking });
  });

  it('reports the served snapshot on /healthz', async () => {
    const body = (await (await app.request('/healthz')).json()) as {
      snapshot: { id: string; documents: number; chunks: number };
    };
    expect(body.snapshot).toEqual({ id: store.snapshot?.id, documents: 32, chunks: store.snapshot?.chunks });
    expect(body.snapshot.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers with citations, usage and a trace id', async () => {
    const response = await app.request('/v1/answer', post({ question: 'How do I reset my password?' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['answer', 'citations', 'refused', 'traceId', 'usage']);
    expect(body).toMatchObject({
      refused: false,
      citations: [{ id: 'password-reset', title: 'Reset your password' }],
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number), embeddingTokens: expect.any(Number) },
    });
  });

  it('returns the retrieved contexts when asked', async () => {
    const response = await app.request(
      '/v1/answer',
      post({ question: 'How do I cancel my subscription?', includeContexts: true }),
    );
    const body = (await response.json()) as {
      contexts: { documentId: string; title: string; text: string; score: number }[];
    };
    expect(body.contexts).toHaveLength(5);
    expect(body.contexts[0]).toMatchObject({ documentId: 'cancel-subscription', title: 'Cancel your subscription' });
    expect(body.contexts[0]?.text).toMatch(/App Store or Google Play/);
    const scores = body.contexts.map((c) => c.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  const badRequests: [string, unknown, string][] = [
    ['bad JSON', '{"question": ', 'invalid_json'],
    ['a missing question', { includeContexts: true }, 'invalid_request'],
    ['a question that is not a string', { question: 42 }, 'invalid_request'],
    ['an empty question', { question: '   ' }, 'invalid_request'],
    ['a question over 2000 characters', { question: 'a'.repeat(2001) }, 'invalid_request'],
    ['includeContexts that is not a boolean', { question: 'Hi', includeContexts: 'yes' }, 'invalid_request'],
    ['a JSON array', [], 'invalid_request'],
  ];
  for (const [what, body, code] of badRequests) {
    it(`rejects ${what} with 400 ${code}`, async () => {
      const response = await app.request('/v1/answer', post(body));
      expect(response.status).toBe(400);
      const json = (await response.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe(code);
      expect(json.error.message.length).toBeGreaterThan(0);
    });
  }

  it('accepts a question of exactly 2000 characters', async () => {
    const response = await app.request(
      '/v1/answer',
      post({ question: `${'How do I export my data? '.repeat(80)}`.slice(0, 2000) }),
    );
    expect(response.status).toBe(200);
  });

  it('rejects a body over 64 KiB with 413', async () => {
    const response = await app.request('/v1/answer', post({ question: 'x', padding: 'x'.repeat(70_000) }));
    expect(response.status).toBe(413);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await app.request('/v2/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses to answer with a provider that did not embed the snapshot', async () => {
    const other = createApp({
      env: 'test',
      store,
      provider: createProvider({ kind: 'offline', dimensions: 256 }),
      tracer,
      topK: 5,
    });
    const response = await other.request('/v1/answer', post({ question: 'How do I export my data?' }));
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'snapshot_mismatch' } });
  });
});
