import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { GenaiError } from '../errors.js';

/**
 * HTTP with the manners an eval run needs against a real service: per-request timeouts, retries with
 * exponential backoff and full jitter, Retry-After honoured, and a limiter that slows down on 429 and recovers.
 */

export type RequestFailureKind = 'unreachable' | 'timeout' | 'http' | 'malformed' | 'aborted';

export class RequestFailure extends Error {
  constructor(
    readonly kind: RequestFailureKind,
    message: string,
    readonly status?: number,
    public attempts = 1,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }

  /** What the server asked us to wait (Retry-After) before trying again, when it said. */
  retryAfterMs?: number;
}

/** A response body that is not what the protocol promises; retried like a 5xx. */
export class MalformedResponse extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponse';
  }
}

/** Why the limit moved: a 429 opened a new congestion window, or a window of successes gave a slot back. */
export type LimitChangeReason = 'throttled' | 'recovered';

/** One move of a limiter: when (ms since the limiter was made), to what, and why. */
export interface LimitChange {
  atMs: number;
  limit: number;
  reason: LimitChangeReason;
}

/**
 * How a request held by the limiter ended: `answered` (any answer but a 429: a success, a 5xx, a broken
 * body), `throttled` (a 429), or `lost` (a timeout or a network error, which says nothing about load).
 */
export type SlotOutcome = 'answered' | 'throttled' | 'lost';

/** A place among the requests in flight; `release` once, with how the request ended. */
export interface Slot {
  release(outcome: SlotOutcome): void;
}

/**
 * The share of the limit kept on a decrease: CUBIC's β, also the AWS SDKs' adaptive retry mode's. Reno's
 * 0.5 settles near four requests in flight when one request in ten meets a 429 at random, however many
 * the endpoint could take (bench/eval-faults.js: 33 s against 22 s for the 500-case fault workload).
 */
export const LIMIT_DECREASE_FACTOR = 0.7;

/**
 * Additive-increase, multiplicative-decrease concurrency for one endpoint, as TCP does it: a 429 cuts the
 * limit by LIMIT_DECREASE_FACTOR at most once per congestion window. After a decrease, the window lasts
 * until the first `limit` requests started after it have come back; a 429 before then (from a request
 * sent at the old rate, or from the window itself) is the same signal and is not counted again. Every
 * `limit` answers without a 429 give one slot back, up to `max`. Retry-After is not a global pause: the
 * request that got it waits it out before its retry (requestJson); new starts wait for nothing but a
 * free slot under the lowered limit.
 */
export class AdaptiveLimiter {
  private limit: number;
  private active = 0;
  /** Sequence number of the next request to start. */
  private started = 0;
  /** The requests of the open congestion window, [start, end) by sequence, and how many came back. */
  private window = { start: 0, end: 0, back: 0, open: false };
  private answered = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly createdAt = performance.now();
  /** Every change of the limit, in order. */
  readonly changes: LimitChange[] = [];
  throttled = 0;

  constructor(
    readonly max: number,
    private readonly options: { onChange?: ((change: LimitChange) => void) | undefined } = {},
  ) {
    this.limit = max;
  }

  get currentLimit(): number {
    return this.limit;
  }

  get inFlight(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<Slot> {
    while (this.active >= this.limit) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', wake);
          const index = this.waiting.indexOf(wake);
          if (index >= 0) this.waiting.splice(index, 1);
          resolve();
        };
        this.waiting.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
    signal?.throwIfAborted();
    this.active++;
    const sequence = this.started++;
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        this.active--;
        this.onReturn(sequence, outcome);
        this.wake();
      },
    };
  }

  private onReturn(sequence: number, outcome: SlotOutcome): void {
    const window = this.window;
    if (window.open && sequence >= window.start && sequence < window.end && ++window.back >= window.end - window.start)
      window.open = false;
    if (outcome === 'throttled') {
      this.throttled++;
      // Sent before the last decrease, or while its window is open: the same congestion, already answered.
      if (window.open || sequence < window.start) return;
      this.answered = 0;
      this.change(Math.max(1, Math.floor(this.limit * LIMIT_DECREASE_FACTOR)), 'throttled');
      this.window = { start: this.started, end: this.started + this.limit, back: 0, open: true };
    } else if (outcome === 'answered' && this.limit < this.max && ++this.answered >= this.limit) {
      this.answered = 0;
      this.change(this.limit + 1, 'recovered');
    }
  }

  private change(limit: number, reason: LimitChangeReason): void {
    if (limit === this.limit) return;
    this.limit = limit;
    const change = { atMs: Math.round(performance.now() - this.createdAt), limit, reason };
    this.changes.push(change);
    this.options.onChange?.(change);
  }

  /** Wakes as many waiters as there are free slots; each re-checks the limit. */
  private wake(): void {
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

/** The response headers a caller reads (names in lower case). */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface JsonResult<T> {
  value: T;
  latencyMs: number;
  attempts: number;
  headers: ResponseHeaders;
}

/**
 * POSTs (or GETs) JSON and parses the answer with `parse`, which throws MalformedResponse for a body that
 * breaks the protocol. Latency is that of the successful attempt: what the service took, not our retries.
 * An attempt past `policy.timeoutMs` (headers or body) is aborted and retried like any transient failure.
 * Requests go through node:http(s) with a keep-alive agent per origin (`limiter.max` sockets), not through
 * global fetch: undici's per-request allocations made a 100,000-case run peak near 800 MB of RSS.
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
  const payload = init.body === undefined ? undefined : Buffer.from(JSON.stringify(init.body));
  const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(payload ? { 'content-type': 'application/json' } : {}),
    ...init.headers,
  };
  const result = await withRetries(async (signal) => {
    const response = await send(url, method, headers, payload, signal, options.limiter?.max);
    if (response.status < 200 || response.status > 299)
      throw httpFailure(response.status, response.text, response.headers.get('retry-after'));
    let body: unknown;
    try {
      body = JSON.parse(response.text);
    } catch {
      throw new MalformedResponse(`body is not JSON: ${response.text.slice(0, 60)}`);
    }
    return { value: options.parse(body), headers: response.headers };
  }, options);
  return {
    value: result.value.value,
    headers: result.value.headers,
    latencyMs: result.latencyMs,
    attempts: result.attempts,
  };
}

interface RawResponse {
  status: number;
  text: string;
  headers: ResponseHeaders;
}

/** Keep-alive agents, one per origin and socket count; idle sockets do not keep the process alive. */
const agents = new Map<string, HttpAgent>();

function agentFor(url: URL, maxSockets: number | undefined): HttpAgent {
  const key = `${url.protocol}//${url.host}#${maxSockets ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    const options = { keepAlive: true, ...(maxSockets ? { maxSockets } : {}) };
    agent = url.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options);
    agents.set(key, agent);
  }
  return agent;
}

const MAX_REDIRECTS = 20;

/**
 * One HTTP exchange: the whole body as text (decompressed when the server compressed it anyway), redirects
 * followed as fetch follows them (303, and 301/302 after a POST, turn into a GET without a body). `signal`
 * aborts it at any point, headers or body; network errors carry their code (ECONNREFUSED, …).
 */
async function send(
  href: string,
  method: string,
  headers: Record<string, string>,
  payload: Buffer | undefined,
  signal: AbortSignal,
  maxSockets: number | undefined,
  redirects = 0,
): Promise<RawResponse> {
  const url = new URL(href);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError(`unsupported protocol ${url.protocol}`);
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method,
      headers: payload ? { ...headers, 'content-length': String(payload.length) } : headers,
      agent: agentFor(url, maxSockets),
      signal,
    });
    request.once('response', resolve);
    request.on('error', reject);
    request.end(payload);
  });
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if ([301, 302, 303, 307, 308].includes(status) && location && redirects < MAX_REDIRECTS) {
    response.resume();
    const toGet = status === 303 ? method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST';
    const next = new URL(location, url).href;
    if (!toGet) return send(next, method, headers, payload, signal, maxSockets, redirects + 1);
    const { 'content-type': _type, ...rest } = headers;
    return send(next, 'GET', rest, undefined, signal, maxSockets, redirects + 1);
  }
  const text = await readBody(response, signal);
  const raw = response.headers;
  return {
    status,
    text,
    headers: {
      get: (name) => {
        const value = raw[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
  };
}

async function readBody(response: IncomingMessage, signal: AbortSignal): Promise<string> {
  const encoding = String(response.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  let source: NodeJS.ReadableStream = response;
  if (encoding && encoding !== 'identity') {
    const zlib = await import('node:zlib');
    const decoder =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? zlib.createGunzip()
        : encoding === 'deflate'
          ? zlib.createInflate()
          : encoding === 'br'
            ? zlib.createBrotliDecompress()
            : undefined;
    if (decoder) {
      response.on('error', (err) => decoder.destroy(err));
      source = response.pipe(decoder);
    }
  }
  const chunks: Buffer[] = [];
  return new Promise<string>((resolve, reject) => {
    // Past the timeout (or a stop), whatever error the torn-down connection raises is the abort's.
    const fail = (err: unknown) => {
      signal.removeEventListener('abort', aborted);
      reject(signal.aborted ? (signal.reason ?? err) : err);
    };
    const aborted = () => {
      response.destroy();
      fail(signal.reason ?? new DOMException('aborted', 'AbortError'));
    };
    if (signal.aborted) return aborted();
    signal.addEventListener('abort', aborted, { once: true });
    source.on('data', (chunk: Buffer) => chunks.push(chunk));
    source.on('error', fail);
    // A connection closed before the body's end (a truncated answer) is a lost request, as fetch has it.
    response.once('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
    source.once('end', () => {
      signal.removeEventListener('abort', aborted);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/**
 * The failure of an HTTP answer that is not a success. A 413 says so in words, with a fix: the case's input
 * (or the judge's prompt with the retrieved contexts) is larger than the server accepts.
 */
export function httpFailure(status: number, text: string, retryAfter?: string | null): RequestFailure {
  const failure =
    status === 413
      ? new RequestFailure(
          'http',
          "request too large (413): the server refused the request body — fix: shorten the case's input, or raise the body size limit of the service",
          status,
        )
      : new RequestFailure('http', `HTTP ${status}${text ? `: ${text.slice(0, 120)}` : ''}`, status);
  const waitMs = parseRetryAfter(retryAfter ?? null);
  if (waitMs !== undefined) failure.retryAfterMs = waitMs;
  return failure;
}

/**
 * The attempt loop shared by every client (node:http, the AWS SDK): a slot of the limiter per attempt, a timeout
 * per attempt (its signal is handed to `send`), retries with backoff on transient failures, Retry-After
 * honoured for the request that got it. `send` throws RequestFailure (kind http, with the status) for an
 * answer that is not a success, MalformedResponse for a broken body, anything else for a lost request.
 * A GenaiError (a problem of the user's environment, e.g. missing credentials) ends the loop at once.
 */
export async function withRetries<T>(
  send: (signal: AbortSignal) => Promise<T>,
  options: { policy: RetryPolicy; limiter?: AdaptiveLimiter | undefined; signal?: AbortSignal | undefined },
): Promise<{ value: T; latencyMs: number; attempts: number }> {
  const { policy, limiter } = options;
  // The run's signal is shared by every request in flight: listen on a dependant of it, one per call, so
  // that the run's signal itself never collects listeners (MaxListenersExceededWarning).
  const signal = options.signal ? AbortSignal.any([options.signal]) : undefined;
  let last: RequestFailure | undefined;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (signal?.aborted) throw new RequestFailure('aborted', 'stopped', undefined, attempt);
    let waitMs: number | undefined;
    const slot = limiter ? await acquireOrAbort(limiter, signal, attempt) : undefined;
    let outcome: SlotOutcome = 'lost';
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new DOMException(`no answer within ${policy.timeoutMs} ms`, 'TimeoutError')),
      policy.timeoutMs,
    );
    const stop = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', stop, { once: true });
    const started = performance.now();
    try {
      const value = await send(controller.signal);
      outcome = 'answered';
      return { value, latencyMs: Math.round(performance.now() - started), attempts: attempt + 1 };
    } catch (err) {
      if (err instanceof GenaiError) throw err;
      if (signal?.aborted) throw new RequestFailure('aborted', 'stopped', undefined, attempt + 1);
      const failure = classify(err, policy, attempt + 1);
      outcome =
        failure.status === 429
          ? 'throttled'
          : failure.status !== undefined || failure.kind === 'malformed'
            ? 'answered'
            : 'lost';
      if (failure.kind === 'http' && failure.status !== undefined && !retryableStatus.has(failure.status)) {
        failure.attempts = attempt + 1;
        throw failure;
      }
      last = failure;
      if (failure.retryAfterMs !== undefined) waitMs = Math.min(failure.retryAfterMs, policy.maxRetryAfterMs ?? 60_000);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      slot?.release(outcome);
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
  // fetch puts the network code on `cause`; Node's http (ours, the AWS SDK's handler) on the error itself.
  const code = error?.cause?.code ?? (error as { code?: string })?.code ?? '';
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
