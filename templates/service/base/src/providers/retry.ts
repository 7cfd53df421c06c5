import { setTimeout as sleep } from 'node:timers/promises';

/**
 * One retry policy for every model endpoint (the clients' own retries are off, so the policy, its
 * timeouts and its delays are ours and visible in the trace): a per-attempt timeout, then retries of
 * throttling (429) and server errors (5xx) or timeouts, after the server's Retry-After when it sends one,
 * else exponential backoff with full jitter.
 */
export interface RetryPolicy {
  /** Milliseconds one attempt may take (for a stream: until its first chunk and between chunks). */
  timeoutMs: number;
  /** Attempts after the first. */
  maxRetries: number;
  /** First backoff ceiling; doubles per retry up to `maxDelayMs`. */
  baseDelayMs: number;
  /** The longest wait between attempts, Retry-After included. */
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  timeoutMs: 30_000,
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
};

/** What an adapter says about a failed attempt. */
export interface AttemptFailure {
  retryable: boolean;
  /** The server's Retry-After, in milliseconds. */
  retryAfterMs?: number | undefined;
  /** For the trace: "429", "503", "timeout", "ThrottlingException". */
  reason: string;
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  reason: string;
}

/** A timed-out attempt: retryable, and named so in the error that reaches the operator. */
export class AttemptTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'AttemptTimeout';
  }
}

/** Retry-After as seconds or an HTTP date, and OpenAI's retry-after-ms; undefined when absent or unusable. */
export function parseRetryAfter(header: string | null | undefined, headerMs?: string | null): number | undefined {
  if (headerMs && /^\d+(\.\d+)?$/.test(headerMs.trim())) return Number(headerMs);
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The wait before retry `attempt` (1-based): Retry-After when given, else full jitter up to base × 2^(attempt-1). */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return Math.round(random() * ceiling);
}

/**
 * Runs `attempt` with an abort signal that fires after the policy's timeout (restarted by `progress`),
 * retrying as `classify` says. A stream is buffered by its caller, so a
 * stream that breaks half-way is retried whole.
 * The last failure is rethrown; `onRetry` hears every wait (the pipeline puts it on the step's span).
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (signal: AbortSignal, progress: () => void) => Promise<T>,
  classify: (error: unknown) => AttemptFailure,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  for (let n = 0; ; n++) {
    const controller = new AbortController();
    const expire = () => controller.abort(new AttemptTimeout(policy.timeoutMs));
    let timer = setTimeout(expire, policy.timeoutMs);
    // A stream that keeps delivering is alive: each chunk restarts the clock.
    const progress = () => {
      clearTimeout(timer);
      timer = setTimeout(expire, policy.timeoutMs);
    };
    try {
      return await attempt(controller.signal, progress);
    } catch (caught) {
      const error = controller.signal.aborted ? controller.signal.reason : caught;
      const failure = error instanceof AttemptTimeout ? { retryable: true, reason: 'timeout' } : classify(error);
      if (!failure.retryable || n >= policy.maxRetries) throw error;
      const delayMs = retryDelay(policy, n + 1, 'retryAfterMs' in failure ? failure.retryAfterMs : undefined);
      onRetry?.({ attempt: n + 1, delayMs, reason: failure.reason });
      await sleep(delayMs);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** 429, 408, 409 (OpenAI's lock timeout) and 5xx are worth another attempt; other 4xx are not. */
export const retryableStatus = (status: number | undefined): boolean =>
  status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
