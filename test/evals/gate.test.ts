import { describe, expect, it } from 'vitest';
import { compareRuns, decideGate } from '../../src/evals/gate.js';
import { summarize } from '../../src/evals/metrics.js';
import { pairedBootstrap, percentile } from '../../src/evals/stats.js';
import type { CaseResult } from '../../src/evals/types.js';

/** A run where case i has `score(i)` on metric "correctness" and latency `latency(i)`. */
function run(n: number, score: (i: number) => number, latency = (i: number) => 100 + i): CaseResult[] {
  return Array.from({ length: n }, (_, i) => ({
    caseId: `c${i}`,
    state: score(i) >= 0.75 ? 'passed' : 'failed',
    response: {
      answer: '',
      refused: false,
      citations: [],
      usage: { inputTokens: 10, outputTokens: 5, embeddingTokens: 0 },
      latencyMs: latency(i),
    },
    scores: { correctness: { value: score(i), pass: score(i) >= 0.75 }, latencyMs: { value: latency(i) } },
    finishedAt: '2025-01-01T00:00:00Z',
  }));
}
const ids = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);

describe('statistics', () => {
  it('percentiles interpolate between ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95)).toBeCloseTo(95.5);
  });
  it('the paired bootstrap is reproducible with a seed and brackets the observed difference', () => {
    const pairs = Array.from({ length: 50 }, (_, i) => [i % 2, (i % 2) * 0.9] as const);
    const stat = (b: number[], c: number[]) =>
      c.reduce((s, v) => s + v, 0) / c.length - b.reduce((s, v) => s + v, 0) / b.length;
    const a = pairedBootstrap(pairs, stat, { seed: 3 });
    expect(pairedBootstrap(pairs, stat, { seed: 3 })).toEqual(a);
    expect(a[0]).toBeLessThanOrEqual(-0.05);
    expect(a[1]).toBeGreaterThanOrEqual(-0.05);
    expect(a[1]).toBeLessThan(0);
  });
});

describe('the gate', () => {
  const base = run(60, (i) => (i % 4 === 0 ? 0.5 : 1));

  it('fails a clear regression beyond maxRegression and names the cases that moved', () => {
    // 12 of 60 cases drop from 1 to 0.25: the mean drops by 0.15, far beyond 0.02.
    const current = run(60, (i) => (i % 4 === 0 ? 0.5 : i % 5 === 1 ? 0.25 : 1));
    const comparisons = compareRuns(base, current, { maxRegression: 0.02, seed: 1 });
    const correctness = comparisons.find((c) => c.metric === 'correctness')!;
    expect(correctness.regression).toBe(true);
    expect(correctness.ci[1]).toBeLessThan(-0.02);
    expect(correctness.moved.map((m) => m.caseId)).toContain('c1');
    expect(correctness.moved.every((m) => m.delta < 0)).toBe(true);
    const summary = summarize(current, {
      judgeNames: new Set(['correctness']),
      offlineJudges: false,
      caseIds: ids(60),
    });
    const gate = decideGate({
      summary,
      thresholds: {},
      maxErrorRate: 0.1,
      maxRegression: 0.02,
      baseline: { runId: 'b', label: 'prod baseline', comparisons },
    });
    expect(gate.pass).toBe(false);
    expect(gate.reasons[0]).toMatch(
      /^correctness regressed from 0\.\d+ to 0\.\d+ \(by 0\.1\d+\) vs prod baseline \(95% CI of change \[/,
    );
    expect(gate.rule).toContain('whole 95% paired-bootstrap confidence interval');
  });

  it('lets a change pass when its interval still reaches above −maxRegression (noise is not a regression)', () => {
    // One case of 60 moves down by 0.5: the mean drops by 0.008, within noise of a 0.02 tolerance.
    const current = run(60, (i) => (i === 3 ? 0.5 : i % 4 === 0 ? 0.5 : 1));
    const noisy = compareRuns(base, current, { maxRegression: 0.02, seed: 1 }).find((c) => c.metric === 'correctness')!;
    expect(noisy.change).toBeLessThan(0);
    expect(noisy.regression).toBe(false);
    expect(noisy.moved).toEqual([{ caseId: 'c3', baseline: 1, current: 0.5, delta: -0.5 }]);
  });

  it('compares latency relatively and never fails on it without a threshold', () => {
    const slower = run(
      60,
      (i) => (i % 4 === 0 ? 0.5 : 1),
      (i) => 200 + i,
    );
    const latency = compareRuns(base, slower, { maxRegression: 0.02, seed: 1 }).find((c) => c.metric === 'latencyMs')!;
    expect(latency.relative).toBe(true);
    expect(latency.change).toBeLessThan(-0.5);
    expect(latency.regression).toBe(false);
  });

  it('checks thresholds in the right direction and fails a threshold whose metric is absent', () => {
    const summary = summarize(base, { judgeNames: new Set(['correctness']), offlineJudges: true, caseIds: ids(60) });
    expect(summary.metrics.correctness).toMatchObject({ value: 0.875, kind: 'judge', offline: true, passRate: 0.75 });
    const gate = decideGate({
      summary,
      thresholds: { correctness: 0.8, latencyP95Ms: 160, groundedness: 0.9 },
      maxErrorRate: 0.1,
      maxRegression: 0.02,
    });
    expect(gate.thresholds.map((t) => [t.metric, t.pass])).toEqual([
      ['correctness', true],
      ['latencyP95Ms', true],
      ['groundedness', false],
    ]);
    expect(gate.reasons).toEqual(['groundedness: no case produced this metric']);
    const strict = decideGate({ summary, thresholds: { latencyP95Ms: 100 }, maxErrorRate: 0.1, maxRegression: 0.02 });
    expect(strict.reasons[0]).toBe('latencyP95Ms 156 > threshold 100');
  });

  it('counts every case once, and errors and missing cases fail the gate', () => {
    const results = run(10, () => 1);
    results[2] = {
      caseId: 'c2',
      state: 'errored',
      scores: {},
      error: { kind: 'target', message: 'HTTP 500' },
      finishedAt: '',
    };
    results.pop();
    const summary = summarize(results, { judgeNames: new Set(), offlineJudges: true, caseIds: ids(10) });
    expect(summary).toMatchObject({ total: 10, passed: 8, failed: 0, errored: 1, missing: 1, errorRate: 0.1 });
    const gate = decideGate({ summary, thresholds: {}, maxErrorRate: 0.05, maxRegression: 0.02 });
    expect(gate.errorRate.pass).toBe(false);
    expect(gate.reasons).toEqual(['10.0% of cases errored (max 5.0%)', '1 case(s) did not finish']);
  });
});
