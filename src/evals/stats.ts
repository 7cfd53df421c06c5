import { seededRandom } from './random.js';

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Percentile by linear interpolation between closest ranks (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export interface BootstrapOptions {
  seed: number;
  resamples?: number | undefined;
  /** Two-sided confidence level, 0.95 by default. */
  confidence?: number | undefined;
}

/**
 * Percentile bootstrap confidence interval of a statistic over paired observations: resamples the pairs
 * (not each side alone), so that case difficulty cancels out. Seeded, hence reproducible.
 */
export function pairedBootstrap(
  pairs: readonly (readonly [number, number])[],
  statistic: (baseline: number[], current: number[]) => number,
  options: BootstrapOptions,
): [number, number] {
  const n = pairs.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  const resamples = options.resamples ?? 2000;
  const alpha = 1 - (options.confidence ?? 0.95);
  const random = seededRandom(options.seed);
  const estimates = new Float64Array(resamples);
  const baseline = new Array<number>(n);
  const current = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const pair = pairs[Math.floor(random() * n)]!;
      baseline[i] = pair[0];
      current[i] = pair[1];
    }
    estimates[r] = statistic(baseline, current);
  }
  estimates.sort();
  const at = (q: number) => estimates[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return [at(alpha / 2), at(1 - alpha / 2)];
}
