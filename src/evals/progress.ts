import type { CaseResult, ConcurrencyChange } from './types.js';

/** Progress of a run: a redrawn bar on a terminal, a plain line per tenth in CI logs, nothing under --json. */
export interface Progress {
  start(total: number, done: number): void;
  tick(result: CaseResult): void;
  stop(): void;
}

export const silentProgress: Progress = { start() {}, tick() {}, stop() {} };

export function streamProgress(stream: NodeJS.WriteStream): Progress {
  const tty = Boolean(stream.isTTY);
  let total = 0;
  let done = 0;
  const counts = { passed: 0, failed: 0, errored: 0 };
  let started = 0;
  let lastDraw = 0;
  let nextLine = 0;
  const line = () => {
    const elapsed = (Date.now() - started) / 1000;
    return `${done}/${total} · ${counts.passed} passed · ${counts.failed} failed · ${counts.errored} errored · ${elapsed.toFixed(1)} s`;
  };
  const draw = (force: boolean) => {
    if (tty) {
      const now = Date.now();
      if (!force && now - lastDraw < 80) return;
      lastDraw = now;
      const width = 24;
      const filled = total ? Math.round((done / total) * width) : width;
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line()}`);
    } else if (done >= nextLine || force) {
      stream.write(`eval: ${line()}\n`);
      nextLine = done + Math.max(1, Math.ceil(total / 10));
    }
  };
  return {
    start(t, d) {
      total = t;
      done = d;
      started = Date.now();
      nextLine = d + Math.max(1, Math.ceil(t / 10));
      if (!tty) stream.write(`eval: ${t} case(s)${d ? `, ${d} already finished` : ''}\n`);
    },
    tick(result) {
      done++;
      counts[result.state]++;
      draw(done === total);
    },
    stop() {
      if (tty) stream.write('\n');
    },
  };
}

/** A change of a concurrency limit for people: "concurrency: target 10 (throttled: 429) at 1.234 s". */
export function concurrencyLine(change: ConcurrencyChange): string {
  const why = change.reason === 'throttled' ? 'throttled: 429' : 'recovered: a window of successes';
  return `concurrency: ${change.endpoint} ${change.limit} (${why}) at ${(change.atMs / 1000).toFixed(3)} s`;
}

/** `--verbose`: a line per change of a concurrency limit, on its own line even under a redrawn bar. */
export function concurrencyLog(stream: NodeJS.WriteStream): (change: ConcurrencyChange) => void {
  const clear = stream.isTTY ? '\r\x1b[2K' : '';
  return (change) => stream.write(`${clear}${concurrencyLine(change)}\n`);
}
