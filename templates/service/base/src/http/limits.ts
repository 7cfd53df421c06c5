/**
 * Admission control: at most `maxInflight` requests run the pipeline at once and `maxQueue` wait for a
 * turn; one more is turned away at once (the HTTP layer answers 503 with Retry-After) instead of waiting
 * behind a queue that only grows. PGlite serves one query at a time, so a deep queue only adds latency.
 */
export class Admission {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly maxInflight: number,
    readonly maxQueue: number,
  ) {}

  get inflight(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** A release function once admitted (maybe after waiting), or undefined when the queue is full. */
  enter(): Promise<() => void> | undefined {
    if (this.running < this.maxInflight) {
      this.running += 1;
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxQueue) return undefined;
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next in line; `running` stays the same.
      if (next) next();
      else this.running -= 1;
    };
  }
}

/**
 * A fixed-window counter per caller (an API key's index, or the client address): enough to stop one
 * caller from starving the others; a gateway in front does the finer work.
 */
export class RateLimit {
  private window = -1;
  private readonly counts = new Map<string, number>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until the caller may try again, or 0 when this request is within the limit. */
  take(caller: string): number {
    if (this.perMinute <= 0) return 0;
    const time = this.now();
    const window = Math.floor(time / 60_000);
    if (window !== this.window) {
      this.window = window;
      this.counts.clear();
    }
    const count = (this.counts.get(caller) ?? 0) + 1;
    this.counts.set(caller, count);
    return count > this.perMinute ? Math.ceil(((window + 1) * 60_000 - time) / 1000) : 0;
  }
}
