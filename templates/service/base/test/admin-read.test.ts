import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAdminRead, readStopped } from '../src/admin-read.js';
import { createApp } from '../src/app.js';
import { ingest } from '../src/ingest.js';
import { openTracing } from '../src/observability/tracing.js';
import type { Store } from '../src/store.js';
import { chunking, corpusDir, offline, tempStore } from './helpers.js';

const post = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** What genai traces and genai feedback export read from an environment whose service is stopped. */
describe('node dist/admin-read.js on a stopped environment', () => {
  let store: Store;
  let dataDir: string;
  let cleanup: () => Promise<void>;
  let traceId: string;
  /** The admin API's bodies, read while the "service" still had the store open. */
  const served: Record<string, unknown> = {};

  beforeAll(async () => {
    ({ store, dataDir, cleanup } = await tempStore());
    const provider = offline();
    await ingest({ store, provider, corpusDir, chunking });
    const tracing = await openTracing({
      store,
      env: 'test',
      release: null,
      retention: { days: 14, maxTraces: 1000 },
      otlpEndpoint: undefined,
    });
    const app = createApp({ env: 'test', store, provider, tracer: tracing.tracer, tracing, topK: 5 });
    const answer = (await (
      await app.request('/v1/answer', post({ question: 'How do I export my data as CSV?' }))
    ).json()) as { traceId: string };
    traceId = answer.traceId;
    await app.request('/v1/feedback', post({ traceId, rating: 'down', comment: 'Wrong steps' }));
    await app.request('/v1/answer', post({ question: 'How do I reset my password?' }));
    for (const path of ['/admin/traces?limit=50', `/admin/traces/${traceId}`, '/admin/interactions?rating=down']) {
      served[path] = await (await app.request(path)).json();
    }
    // The service stops: spans flushed, store closed, lock released.
    await tracing.shutdown();
    await store.close();
  });
  afterAll(() => cleanup());

  it('prints what the admin API answered, for the list, one trace and the down-rated interactions', async () => {
    const traces = (await readStopped(['traces'], { dataDir })) as { traces: { traceId: string }[] };
    expect(traces.traces).toHaveLength(2);
    expect(traces).toEqual(served['/admin/traces?limit=50']);
    const trace = (await readStopped(['traces', traceId], { dataDir })) as { spans: { name: string }[] };
    expect(trace.spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(['answer', 'guard-input', 'embed', 'retrieve', 'generate', 'guard-output']),
    );
    expect(trace).toEqual(served[`/admin/traces/${traceId}`]);
    const down = (await readStopped(['interactions', '--rating', 'down'], { dataDir })) as {
      interactions: { traceId: string; feedback: { comment: string }[] }[];
    };
    expect(down.interactions.map((i) => i.traceId)).toEqual([traceId]);
    expect(down.interactions[0]?.feedback[0]?.comment).toBe('Wrong steps');
    expect(down).toEqual(served['/admin/interactions?rating=down']);
  });

  it('answers an unknown trace with the admin API 404 body', async () => {
    await expect(readStopped(['traces', '0'.repeat(32)], { dataDir })).resolves.toEqual({
      error: { code: 'unknown_trace', message: expect.stringMatching(/no trace 0{32} is stored/) },
    });
  });

  it('takes the server lock: a data folder a service holds is data_dir_busy, and reads work once it is free', async () => {
    const { Store } = await import('../src/store.js');
    const holder = await Store.open(dataDir);
    try {
      await expect(readStopped(['traces'], { dataDir })).rejects.toMatchObject({
        code: 'data_dir_busy',
        exitCode: 3,
      });
    } finally {
      await holder.close();
    }
    await expect(readStopped(['traces', '--limit', '1'], { dataDir })).resolves.toMatchObject({
      traces: [expect.objectContaining({ traceId: expect.any(String) })],
    });
  });

  it('checks its arguments as the admin API checks its query', () => {
    expect(parseAdminRead(['traces'])).toEqual({ kind: 'traces', limit: 50 });
    expect(parseAdminRead(['interactions', '--rating', 'up', '--limit', '7'])).toEqual({
      kind: 'interactions',
      limit: 7,
      rating: 'up',
    });
    expect(() => parseAdminRead(['traces', 'nope'])).toThrow(/32 hexadecimal digits/);
    expect(() => parseAdminRead(['traces', '--limit', '501'])).toThrow(/--limit must be an integer from 1 to 500/);
    expect(() => parseAdminRead(['interactions', '--rating', 'meh'])).toThrow(/--rating must be up or down/);
    expect(() => parseAdminRead(['spans'])).toThrow(/unknown read "spans"/);
  });
});
