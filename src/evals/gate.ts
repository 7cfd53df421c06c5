import { isOperational, metricDirection } from './metrics.js';
import { mean, pairedBootstrap } from './stats.js';
import type { GateResult, ResultFacts, MetricComparison, MovedCase, RunSummary, ThresholdCheck } from './types.js';

export const CONFIDENCE = 0.95;

/** The rule, in the words every report prints. */
export function gateRule(maxRegression: number): string {
  return (
    `Thresholds: each metric in evals.thresholds must be at or above its minimum (at or below, for latency, ` +
    `tokens, cost and error rate). Baseline: a quality metric fails only when the whole ${Math.round(CONFIDENCE * 100)}% ` +
    `paired-bootstrap confidence interval of its change (current − baseline, over cases present in both runs) ` +
    `lies below −${maxRegression}; latency, tokens and cost are compared and shown, gated only by thresholds.`
  );
}

export function checkThresholds(summary: RunSummary, thresholds: Record<string, number>): ThresholdCheck[] {
  return Object.entries(thresholds).map(([metric, threshold]) => {
    const direction = metricDirection(metric);
    const value = summary.metrics[metric]?.value ?? null;
    if (value === null) {
      return { metric, threshold, value, direction, pass: false, reason: 'no case produced this metric' };
    }
    const pass = direction === 'higher' ? value >= threshold : value <= threshold;
    return { metric, threshold, value, direction, pass };
  });
}

/** Per-case values of one metric, by case id, skipping errored cases and null values. */
function valuesByCase(results: Iterable<ResultFacts>, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const result of results) {
    const value = result.scores[metric]?.value;
    if (result.state !== 'errored' && typeof value === 'number') out.set(result.caseId, value);
  }
  return out;
}

export interface CompareOptions {
  maxRegression: number;
  seed: number;
  resamples?: number;
  /** How many moved cases to list per metric. */
  movedLimit?: number;
}

/**
 * Compares every metric both runs have, paired by case id. Quality scores (0..1) compare absolutely;
 * latency, tokens and cost compare relatively to the baseline and are never a regression here.
 */
export function compareRuns(
  baseline: Iterable<ResultFacts>,
  current: Iterable<ResultFacts>,
  options: CompareOptions,
): MetricComparison[] {
  const metrics = new Set<string>();
  for (const result of current) for (const name of Object.keys(result.scores)) metrics.add(name);
  const comparisons: MetricComparison[] = [];
  for (const metric of [...metrics].sort()) {
    const before = valuesByCase(baseline, metric);
    const after = valuesByCase(current, metric);
    const ids = [...after.keys()].filter((id) => before.has(id)).sort();
    if (ids.length === 0) continue;
    const pairs = ids.map((id) => [before.get(id)!, after.get(id)!] as const);
    const direction = metricDirection(metric);
    const relative = isOperational(metric);
    const sign = direction === 'higher' ? 1 : -1;
    const statistic = (b: number[], c: number[]) => {
      const delta = mean(c) - mean(b);
      if (!relative) return sign * delta;
      const base = mean(b);
      return base === 0 ? 0 : (sign * delta) / base;
    };
    const baseMean = mean(pairs.map((p) => p[0]));
    const curMean = mean(pairs.map((p) => p[1]));
    const change = statistic(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    );
    const ci = pairedBootstrap(pairs, statistic, {
      seed: options.seed,
      resamples: options.resamples,
      confidence: CONFIDENCE,
    });
    const moved: MovedCase[] = ids
      .map((caseId) => ({
        caseId,
        baseline: before.get(caseId)!,
        current: after.get(caseId)!,
        delta: after.get(caseId)! - before.get(caseId)!,
      }))
      .filter((m) => Math.abs(m.delta) > 1e-9)
      .sort((a, b) => sign * a.delta - sign * b.delta || a.caseId.localeCompare(b.caseId))
      .slice(0, options.movedLimit ?? 20);
    comparisons.push({
      metric,
      direction,
      baseline: baseMean,
      current: curMean,
      delta: curMean - baseMean,
      change,
      ci,
      pairs: pairs.length,
      relative,
      regression: !relative && ci[1] < -options.maxRegression,
      moved,
    });
  }
  return comparisons;
}

export interface GateInput {
  summary: RunSummary;
  thresholds: Record<string, number>;
  maxErrorRate: number;
  maxRegression: number;
  baseline?: { runId: string; label: string; comparisons: MetricComparison[] } | undefined;
}

/** The verdict of a run. Pure: the same inputs give the same gate. */
export function decideGate(input: GateInput): GateResult {
  const thresholds = checkThresholds(input.summary, input.thresholds);
  const errorRate = {
    value: input.summary.errorRate,
    max: input.maxErrorRate,
    pass: input.summary.errorRate <= input.maxErrorRate,
  };
  const reasons: string[] = [];
  if (!errorRate.pass) {
    reasons.push(`${pct(errorRate.value)} of cases errored (max ${pct(errorRate.max)})`);
  }
  if (input.summary.missing > 0) reasons.push(`${input.summary.missing} case(s) did not finish`);
  for (const check of thresholds.filter((t) => !t.pass)) {
    reasons.push(
      check.value === null
        ? `${check.metric}: ${check.reason}`
        : `${check.metric} ${fmt(check.value)} ${check.direction === 'higher' ? '<' : '>'} threshold ${fmt(check.threshold)}`,
    );
  }
  for (const comparison of input.baseline?.comparisons.filter((c) => c.regression) ?? []) {
    reasons.push(
      `${comparison.metric} regressed from ${fmt(comparison.baseline)} to ${fmt(comparison.current)} ` +
        `(by ${fmt(-comparison.change)}) vs ${input.baseline!.label} ` +
        `(${Math.round(CONFIDENCE * 100)}% CI of change [${fmt(comparison.ci[0])}, ${fmt(comparison.ci[1])}], max regression ${input.maxRegression})`,
    );
  }
  return {
    pass: reasons.length === 0,
    rule: gateRule(input.maxRegression),
    thresholds,
    baseline: input.baseline ? { ...input.baseline, maxRegression: input.maxRegression } : undefined,
    errorRate,
    reasons,
  };
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const fmt = (value: number) =>
  Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 0 : 3);
