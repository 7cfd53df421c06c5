import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadApiConfig, openApiConfig } from '../src/api-config.js';
import { createApp } from '../src/app.js';
import { Admission } from '../src/http/limits.js';
import { ingest } from '../src/ingest.js';
import type { Store } from '../src/store.js';
import { createTracing } from '../src/telemetry.js';
import type { Provider } from '../src/providers/index.js';
import { chunking, corpusDir, offline, tempStore } from './helpers.js';

const apiKey = 'test-api-key-0123456789';
const otherKey = 'test-api-key-abcdefghij';
const adminKey = 'test-admin-key-0123456789';

const ask = (
  headers: Record<string, string>,
  body: string = JSON.stringify({ question: 'How do I reset my password?' }),
) => ({
  method: 'POST',
  headers,
  body,
});
const json = { 'content-type': 'application/json' };
const bearer = (key: string) => ({ ...json, authorization: `Bearer ${key}` });

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

describe('API hardening', () => {
  const provider = offline();
  const { tracer } = createTracing();
  let store: Store;
  let cleanup: () => Promise<void>;
  const api = openApiConfig({ auth: 'keys', apiKeys: [apiKey, otherKey], adminKey, maxBodyBytes: 4096 });
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    ({ store, cleanup } = await tempStore());
    app = createApp({ env: 'test', store, provider, tracer, topK: 5, api });
  });
  afterAll(() => cleanup());

  it('is not ready until the corpus is ingested, and ready after', async () => {
    const before = await app.request('/readyz');
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ ready: false, checks: { store: 'ok', corpus: 'no_snapshot' } });
    await ingest({ store, provider, corpusDir, chunking });
    const after = await app.request('/readyz');
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ ready: true, checks: { store: 'ok', corpus: 'ok' } });
  });

  it('keeps /healthz open: a load balancer has no key', async () => {
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', env: 'test' });
  });

  it('answers a request with a valid key, any of the configured ones', async () => {
    for (const key of [apiKey, otherKey]) {
      const response = await app.request('/v1/answer', ask(bearer(key)));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ refused: false });
    }
  });

  it('answers 401 with WWW-Authenticate without a key, with a wrong key and with a malformed header', async () => {
    for (const headers of [json, bearer('not-the-key-0123456789'), { ...json, authorization: apiKey }]) {
      const response = await app.request('/v1/answer', ask(headers));
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await errorOf(response)).code).toBe('unauthorized');
    }
  });

  it('does not take the admin key for questions, nor an API key for the admin API', async () => {
    expect((await app.request('/v1/answer', ask(bearer(adminKey)))).status).toBe(401);
    expect((await app.request('/admin/traces', { headers: bearer(apiKey) })).status).toBe(401);
  });

  it('answers 415 to a body that is not application/json, the no-preflight CORS hole', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await app.request('/v1/answer', ask({ ...bearer(apiKey), 'content-type': type }));
      expect(response.status).toBe(415);
      expect((await errorOf(response)).message).toContain(type.split(';')[0]);
    }
    const untyped = await app.request('/v1/answer', ask({ authorization: `Bearer ${apiKey}` }));
    expect(untyped.status).toBe(415);
  });

  it('accepts application/json with a charset', async () => {
    const response = await app.request(
      '/v1/answer',
      ask({ ...bearer(apiKey), 'content-type': 'application/json; charset=utf-8' }),
    );
    expect(response.status).toBe(200);
  });

  it('answers 400 to malformed JSON, saying what is wrong', async () => {
    const response = await app.request('/v1/answer', ask(bearer(apiKey), '{"question": "hi",}'));
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(/not valid JSON: \S+/);
  });

  it('answers 413 to a body over the configured limit', async () => {
    const response = await app.request(
      '/v1/answer',
      ask(bearer(apiKey), JSON.stringify({ question: 'x', padding: 'x'.repeat(5000) })),
    );
    expect(response.status).toBe(413);
    expect((await errorOf(response)).message).toContain('4096 bytes');
  });

  it('sends no CORS headers unless origins are configured', async () => {
    const response = await app.request('/v1/answer', ask({ ...bearer(apiKey), origin: 'https://evil.example' }));
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await app.request('/v1/answer', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows the configured origins only', async () => {
    const withCors = createApp({
      env: 'test',
      store,
      provider,
      tracer,
      topK: 5,
      api: { ...api, corsOrigins: ['https://app.example'] },
    });
    const allowed = await withCors.request('/v1/answer', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await withCors.request('/v1/answer', ask({ ...bearer(apiKey), origin: 'https://evil.example' }));
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
  });

  it('sheds load with 503 and Retry-After once the queue is full, and serves again after', async () => {
    const admission = new Admission(1, 0);
    const small = createApp({ env: 'test', store, provider, tracer, topK: 5, api, admission });
    const release = await admission.enter();
    expect(release).toBeDefined();
    const shed = await small.request('/v1/answer', ask(bearer(apiKey)));
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect((await errorOf(shed)).code).toBe('overloaded');
    release?.();
    expect((await small.request('/v1/answer', ask(bearer(apiKey)))).status).toBe(200);
    expect(admission.inflight).toBe(0);
  });

  it('queues up to the configured depth and serves the queued request when a slot frees', async () => {
    const admission = new Admission(1, 1);
    const small = createApp({ env: 'test', store, provider, tracer, topK: 5, api, admission });
    const release = await admission.enter();
    const queued = small.request('/v1/answer', ask(bearer(apiKey)));
    await vi.waitFor(() => expect(admission.queued).toBe(1));
    expect((await small.request('/v1/answer', ask(bearer(apiKey)))).status).toBe(503);
    release?.();
    expect((await queued).status).toBe(200);
  });

  it('sheds a burst that arrives over real sockets while the pipeline holds the thread', async () => {
    // A model that computes on this thread for 30 ms, as PGlite's WebAssembly does for each query: the
    // burst arrives while it runs, and the service must see it queue rather than read one request at a time.
    const base = offline();
    const blocking: Provider = {
      ...base,
      embed: (texts, options) => {
        const until = performance.now() + 30;
        while (performance.now() < until);
        return base.embed(texts, options);
      },
    };
    const admission = new Admission(1, 2);
    const small = createApp({ env: 'test', store, provider: blocking, tracer, topK: 5, api, admission });
    const server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: small.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/answer`;
      // The clients run in another process, so they keep sending while this one computes.
      const client = `
        const requests = Array.from({ length: 12 }, () =>
          fetch(${JSON.stringify(url)}, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer ${apiKey}' },
            body: JSON.stringify({ question: 'How do I reset my password?' }),
          }).then(async (r) => ({ status: r.status, retryAfter: r.headers.get('retry-after'), body: await r.text() })),
        );
        Promise.all(requests).then((all) => console.log(JSON.stringify(all)));`;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', client]);
      const responses = JSON.parse(stdout) as { status: number; retryAfter: string | null }[];
      const shed = responses.filter((r) => r.status === 503);
      expect(responses.filter((r) => r.status === 200).length + shed.length).toBe(12);
      expect(shed.length).toBeGreaterThan(0);
      expect(shed.every((r) => r.retryAfter === '1')).toBe(true);
      expect(admission.inflight).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('limits requests per key and minute with 429 and Retry-After', async () => {
    const limited = createApp({
      env: 'test',
      store,
      provider,
      tracer,
      topK: 5,
      api: { ...api, rateLimitPerMinute: 2 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await limited.request('/v1/answer', ask(bearer(apiKey)))).status);
    // A minute boundary between the requests would reset the window: then all three pass.
    expect([
      [200, 200, 429],
      [200, 200, 200],
    ]).toContainEqual(statuses);
    const other = await limited.request('/v1/answer', ask(bearer(otherKey)));
    expect(other.status).toBe(200);
  });
});

describe('API settings from the environment', () => {
  it('serves without keys on a loopback address when none is configured: the local default', () => {
    const config = loadApiConfig({}, '127.0.0.1');
    expect(config.auth).toBe('off');
    expect(config.authReason).toMatch(/loopback/);
  });

  it('refuses to start on a public address without keys', () => {
    expect(() => loadApiConfig({}, '0.0.0.0')).toThrow(/no API key is configured/);
    expect(() => loadApiConfig({ GENAI_AUTH: 'on' }, '127.0.0.1')).toThrow(/GENAI_API_KEYS is empty/);
  });

  it('serves without keys anywhere only when GENAI_AUTH=off says so', () => {
    expect(loadApiConfig({ GENAI_AUTH: 'off', GENAI_API_KEYS: apiKey }, '0.0.0.0').auth).toBe('off');
  });

  it('reads comma-separated API keys and an admin key', () => {
    const config = loadApiConfig({ GENAI_API_KEYS: ` ${apiKey}, ${otherKey} `, GENAI_ADMIN_KEY: adminKey }, '0.0.0.0');
    expect(config).toMatchObject({ auth: 'keys', apiKeys: [apiKey, otherKey], adminKey });
  });

  it('rejects short keys, an admin key that is also an API key, and a bad GENAI_AUTH', () => {
    expect(() => loadApiConfig({ GENAI_API_KEYS: 'short' }, '0.0.0.0')).toThrow(/at least 16/);
    expect(() => loadApiConfig({ GENAI_API_KEYS: apiKey, GENAI_ADMIN_KEY: apiKey }, '0.0.0.0')).toThrow(
      /also one of GENAI_API_KEYS/,
    );
    expect(() => loadApiConfig({ GENAI_AUTH: 'maybe' }, '0.0.0.0')).toThrow(/not on or off/);
  });

  it('reads the limits', () => {
    const config = loadApiConfig(
      {
        GENAI_MAX_INFLIGHT: '4',
        GENAI_MAX_QUEUE: '0',
        GENAI_MAX_BODY_BYTES: '2048',
        GENAI_CORS_ORIGINS: 'https://a.example',
      },
      '127.0.0.1',
    );
    expect(config).toMatchObject({
      maxInflight: 4,
      maxQueue: 0,
      maxBodyBytes: 2048,
      corsOrigins: ['https://a.example'],
    });
    expect(() => loadApiConfig({ GENAI_MAX_INFLIGHT: '0' }, '127.0.0.1')).toThrow(/GENAI_MAX_INFLIGHT/);
  });
});
