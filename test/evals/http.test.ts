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

  it('cuts the limit once for a burst of 429s, and gives a slot back per window of answers', async () => {
    const limiter = new AdaptiveLimiter(10);
    // Ten requests sent at the full rate; four come back 429 at the same moment: one signal.
    const burst = await Promise.all(Array.from({ length: 10 }, () => limiter.acquire()));
    for (const slot of burst.slice(0, 4)) slot.release('throttled');
    expect(limiter.currentLimit).toBe(7);
    for (const slot of burst.slice(4)) slot.release('answered');
    // The window after the cut: its own 429s are the same congestion until all seven have come back.
    const window = await Promise.all(Array.from({ length: 7 }, () => limiter.acquire()));
    window[0]!.release('throttled');
    expect(limiter.currentLimit).toBe(7);
    for (const slot of window.slice(1)) slot.release('lost');
    // A 429 of a request sent after the window closed is a new signal.
    (await limiter.acquire()).release('throttled');
    expect(limiter.currentLimit).toBe(4);
    expect(limiter.throttled).toBe(6);
    // Additive increase: `limit` answers without a 429 give one slot back, up to the maximum.
    for (let i = 0; i < 4 + 5 + 6 + 7 + 8 + 9 + 50; i++) (await limiter.acquire()).release('answered');
    expect(limiter.currentLimit).toBe(10);
    expect(limiter.changes.map((c) => [c.limit, c.reason])).toEqual([
      [7, 'throttled'],
      [4, 'throttled'],
      [5, 'recovered'],
      [6, 'recovered'],
      [7, 'recovered'],
      [8, 'recovered'],
      [9, 'recovered'],
      [10, 'recovered'],
    ]);
  });

  it('holds a request beyond the limit until a slot is released, and lets an aborted waiter go', async () => {
    const limiter = new AdaptiveLimiter(2);
    const held = await Promise.all([limiter.acquire(), limiter.acquire()]);
    let third = false;
    const waiting = limiter.acquire().then((slot) => {
      third = true;
      return slot;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false);
    held[0]!.release('answered');
    (await waiting).release('answered');
    expect(third).toBe(true);
    const controller = new AbortController();
    const other = await limiter.acquire();
    const aborted = limiter.acquire(controller.signal);
    controller.abort();
    await expect(aborted).rejects.toThrow();
    held[1]!.release('answered');
    other.release('answered');
    expect(limiter.inFlight).toBe(0);
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

describe('the node:http transport', () => {
  it('times out a body that stalls after its headers, retries a body cut short, and follows a redirect', async () => {
    const { createServer } = await import('node:http');
    let cut = 0;
    const server = createServer((req, res) => {
      if (req.url === '/stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ok":');
        return; // never ends
      }
      if (req.url === '/cut' && cut++ === 0) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"ok":');
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      }
      if (req.url === '/moved') {
        res.writeHead(307, { location: '/cut' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-trace-id': 't-1' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const policy = { timeoutMs: 200, retries: 1, baseDelayMs: 1 };
    try {
      await expect(requestJson(`${url}/stall`, {}, { policy, parse: (b) => b })).rejects.toMatchObject({
        kind: 'timeout',
        attempts: 2,
      });
      const moved = await requestJson(`${url}/moved`, { body: {} }, { policy, parse: (b) => b });
      expect(moved).toMatchObject({ value: { ok: true }, attempts: 2 });
      expect(moved.headers.get('X-Trace-Id')).toBe('t-1');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
