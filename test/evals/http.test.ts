import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter, backoffDelay, parseRetryAfter, requestJson } from '../../src/evals/http.js';
import { startServer } from './helpers/servers.js';

describe('retries and rate limits', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    const policy = { timeoutMs: 1000, retries: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([0, 1, 2, 3, 4].map((attempt) => backoffDelay(attempt, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  it('halves the requests in flight on a 429 and gives slots back after successes', async () => {
    const limiter = new AdaptiveLimiter(8);
    limiter.onThrottle(0);
    expect(limiter.currentLimit).toBe(4);
    limiter.onThrottle(0);
    expect(limiter.currentLimit).toBe(2);
    for (let i = 0; i < 2; i++) limiter.onSuccess();
    expect(limiter.currentLimit).toBe(3);
    const held = await Promise.all([limiter.acquire(), limiter.acquire(), limiter.acquire()]);
    let fourth = false;
    const waiting = limiter.acquire().then((release) => {
      fourth = true;
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(fourth).toBe(false);
    held[0]!();
    (await waiting)();
    expect(fourth).toBe(true);
  });

  it('retries 503 and a malformed body, and does not retry a 400', async () => {
    const replies = [{ status: 503, body: {} }, { body: '{"trunc', raw: true }, { body: { ok: true } }];
    const server = await startServer((r) =>
      r.path === '/bad' ? { status: 400, body: { error: 'no' } } : replies.shift()!,
    );
    try {
      const result = await requestJson(
        `${server.url}/ok`,
        { body: {} },
        { policy: { timeoutMs: 1000, retries: 3, baseDelayMs: 1 }, parse: (b) => b },
      );
      expect(result).toMatchObject({ value: { ok: true }, attempts: 3 });
      await expect(
        requestJson(
          `${server.url}/bad`,
          { body: {} },
          { policy: { timeoutMs: 1000, retries: 3, baseDelayMs: 1 }, parse: (b) => b },
        ),
      ).rejects.toMatchObject({
        kind: 'http',
        status: 400,
      });
      expect(server.requests.filter((r) => r.path === '/bad')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
