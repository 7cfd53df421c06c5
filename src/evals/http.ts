/**
 * HTTP with the manners an eval run needs against a real service: per-request timeouts, retries with
 * exponential backoff and full jitter, Retry-After honoured, and a limiter that slows down on 429.
 */

export type RequestFailureKind = 'unreachable' | 'timeout' | 'http' | 'malformed' | 'aborted';

export class RequestFailure extends Error {
  constructor(
    readonly kind: RequestFailureKind,
    message: string,
    readonly status?: number,
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

/** A response body that is not what the protocol promises; retried like a 5xx. */
export class MalformedResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponse';
  }
}

/**
 * Additive-increase, multiplicative-decrease concurrency for one endpoint: a 429 halves the number of
 * requests in flight and pauses new ones for Retry-After; every `limit` successes give one slot back.
 */
export class AdaptiveLimiter {
  private limit: number;
  private active = 0;
  private successes = 0;
  private pausedUntil = 0;
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  throttled = 0;

  constructor(private readonly max: number) {
    this.limit = max;
  }

  get currentLimit(): number {
    return this.limit;
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    while (this.active >= this.limit || Date.now() < this.pausedUntil) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        signal?.addEventListener('abort', () => resolve(), { once: true });
        this.schedule();
      });
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.wake();
    };
  }

  onThrottle(retryAfterMs: number): void {
    this.throttled++;
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.successes = 0;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + retryAfterMs);
    this.schedule();
  }

  onSuccess(): void {
    if (this.limit >= this.max) return;
    if (++this.successes >= this.limit) {
      this.successes = 0;
      this.limit++;
      this.wake();
    }
  }

  private schedule(): void {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) {
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.wake();
        }, wait);
      }
    } else {
      this.wake();
    }
  }

  /** Wakes waiters; each re-checks the limit, so waking too many is harmless. */
  private wake(): void {
    if (Date.now() < this.pausedUntil) return this.schedule();
    let free = this.limit - this.active;
    while (free-- > 0 && this.waiting.length) this.waiting.shift()!();
  }
}

export interface RetryPolicy {
  timeoutMs: number;
  retries: number;
  /** First backoff step; doubles per attempt, capped by maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After obeyed; longer ones are cut to this. */
  maxRetryAfterMs?: number;
}

/** Retry-After in milliseconds, from delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full-jitter exponential backoff: a random wait in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const base = policy.baseDelayMs ?? 200;
  const cap = policy.maxDelayMs ?? 10_000;
  return Math.round(random() * Math.min(cap, base * 2 ** attempt));
}

const retryableStatus = new Set([408, 425, 429, 500, 502, 503, 504]);

export interface JsonResult<T> {
  value: T;
  latencyMs: number;
  attempts: number;
  headers: Headers;
}

/**
 * POSTs (or GETs) JSON and parses the answer with `parse`, which throws MalformedResponse for a body that
 * breaks the protocol. Latency is that of the successful attempt: what the service took, not our retries.
 */
export async function requestJson<T>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> },
  options: {
    policy: RetryPolicy;
    limiter?: AdaptiveLimiter | undefined;
    signal?: AbortSignal | undefined;
    parse: (body: unknown) => T;
  },
): Promise<JsonResult<T>> {
  const { policy, limiter, signal } = options;
  let last: RequestFailure | undefined;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (signal?.aborted) throw new RequestFailure('aborted', 'stopped', undefined, attempt);
    let waitMs: number | undefined;
    const release = limiter ? await acquireOrAbort(limiter, signal, attempt) : () => {};
    const started = performance.now();
    try {
      const timeout = AbortSignal.timeout(policy.timeoutMs);
      const response = await fetch(url, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          accept: 'application/json',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        body: init.body === undefined ? null : JSON.stringify(init.body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await response.text();
      const latencyMs = Math.round(performance.now() - started);
      if (response.ok) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          throw new MalformedResponse(`body is not JSON: ${text.slice(0, 60)}`);
        }
        const value = options.parse(body);
        limiter?.onSuccess();
        return { value, latencyMs, attempts: attempt + 1, headers: response.headers };
      }
      last = new RequestFailure(
        'http',
        `HTTP ${response.status}${text ? `: ${text.slice(0, 120)}` : ''}`,
        response.status,
        attempt + 1,
      );
      if (!retryableStatus.has(response.status)) throw last;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined) waitMs = Math.min(retryAfter, policy.maxRetryAfterMs ?? 60_000);
      if (response.status === 429) limiter?.onThrottle(waitMs ?? backoffDelay(attempt, policy));
    } catch (err) {
      if (err instanceof RequestFailure && err === last && !retryableStatus.has(err.status ?? 0)) throw err;
      if (signal?.aborted) throw new RequestFailure('aborted', 'stopped', undefined, attempt + 1);
      last = classify(err, policy, attempt + 1);
    } finally {
      release();
    }
    if (attempt < policy.retries) await sleep(waitMs ?? backoffDelay(attempt, policy), signal);
  }
  throw new RequestFailure(
    last!.kind,
    `${last!.message} (after ${policy.retries + 1} attempt${policy.retries ? 's' : ''})`,
    last!.status,
    policy.retries + 1,
  );
}

async function acquireOrAbort(limiter: AdaptiveLimiter, signal: AbortSignal | undefined, attempt: number) {
  try {
    return await limiter.acquire(signal);
  } catch {
    throw new RequestFailure('aborted', 'stopped', undefined, attempt);
  }
}

function classify(err: unknown, policy: RetryPolicy, attempts: number): RequestFailure {
  if (err instanceof RequestFailure) return err;
  if (err instanceof MalformedResponse)
    return new RequestFailure('malformed', `malformed response: ${err.message}`, undefined, attempts);
  const error = err as Error & { cause?: { code?: string } };
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
    return new RequestFailure('timeout', `no answer within ${policy.timeoutMs} ms`, undefined, attempts);
  }
  const code = error?.cause?.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)) {
    return new RequestFailure('unreachable', `cannot connect (${code})`, undefined, attempts);
  }
  return new RequestFailure('http', `request failed: ${code || error?.message || String(err)}`, undefined, attempts);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
