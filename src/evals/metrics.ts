import { mean, percentile } from './stats.js';
import type { MetricSummary, ResultFacts, RunSummary } from './types.js';

/** Metrics where less is better; all the others are scores in 0..1 where more is better. */
const lowerIsBetter = new Set(['latencyMs', 'latencyP50Ms', 'latencyP95Ms', 'tokens', 'costUsd', 'errorRate']);
const operational = new Set([
  'latencyMs',
  'latencyP50Ms',
  'latencyP95Ms',
  'tokens',
  'costUsd',
  'errorRate',
  'passRate',
]);

export const metricDirection = (name: string): 'higher' | 'lower' =>
  lowerIsBetter.has(baseName(name)) ? 'lower' : 'higher';

/** Operational metrics are measured in their own units; only 0..1 quality scores are compared absolutely. */
export const isOperational = (name: string) => operational.has(baseName(name));

const baseName = (name: string) => name.replace(/#\d+$/, '');

export function metricKind(name: string, judgeNames: ReadonlySet<string>): MetricSummary['kind'] {
  const base = baseName(name);
  if (judgeNames.has(base)) return 'judge';
  if (operational.has(base)) return 'operational';
  if (/^(hit|recall|ndcg)@\d+$/.test(base) || base === 'mrr') return 'retrieval';
  return 'assertion';
}

export interface SummaryContext {
  judgeNames: ReadonlySet<string>;
  offlineJudges: boolean;
  /** Case ids the run should have finished; the ones absent from `results` count as missing. */
  caseIds: readonly string[];
}

/** Counts and per-metric aggregates of a run. Pure. */
export function summarize(results: Iterable<ResultFacts>, context: SummaryContext): RunSummary {
  const wanted = new Set(context.caseIds);
  const counts = { passed: 0, failed: 0, errored: 0 };
  const total = context.caseIds.length;
  const values = new Map<
    string,
    { values: number[]; passes: number; judged: number; agreement: number[]; errors: number }
  >();
  const latencies: number[] = [];
  const usage = { inputTokens: 0, outputTokens: 0, embeddingTokens: 0 };
  let cost: number | null = null;
  let cachedResponses = 0;
  // One pass: the results may be a table whose rows are made on the fly.
  for (const result of results) {
    if (!wanted.has(result.caseId)) continue;
    counts[result.state]++;
    for (const [name, score] of Object.entries(result.scores)) {
      const entry = values.get(name) ?? { values: [], passes: 0, judged: 0, agreement: [], errors: 0 };
      if (score.value !== null) entry.values.push(score.value);
      if (score.pass !== undefined && score.value !== null) {
        entry.judged++;
        if (score.pass) entry.passes++;
      }
      const agreement = score.agreement ?? score.judge?.agreement;
      if (agreement !== undefined && score.value !== null) entry.agreement.push(agreement);
      if (score.error) entry.errors++;
      values.set(name, entry);
    }
    if (!result.response) continue;
    latencies.push(result.response.latencyMs);
    usage.inputTokens += result.response.usage.inputTokens;
    usage.outputTokens += result.response.usage.outputTokens;
    usage.embeddingTokens += result.response.usage.embeddingTokens;
    if (result.response.cached) cachedResponses++;
    const caseCost = result.scores.costUsd?.value;
    if (typeof caseCost === 'number') cost = (cost ?? 0) + caseCost;
  }
  const { passed, failed, errored } = counts;
  const metrics: Record<string, MetricSummary> = {};
  for (const [name, entry] of [...values].sort(([a], [b]) => a.localeCompare(b))) {
    const kind = metricKind(name, context.judgeNames);
    metrics[name] = {
      name,
      value: entry.values.length ? mean(entry.values) : null,
      count: entry.values.length,
      passRate: entry.judged ? entry.passes / entry.judged : undefined,
      direction: metricDirection(name),
      kind,
      offline: kind === 'judge' ? context.offlineJudges : undefined,
      judgeErrors: kind === 'judge' ? entry.errors : undefined,
      agreement: entry.agreement.length ? mean(entry.agreement) : undefined,
    };
  }
  if (latencies.length) {
    for (const [name, p] of [
      ['latencyP50Ms', 50],
      ['latencyP95Ms', 95],
    ] as const) {
      metrics[name] = {
        name,
        value: percentile(latencies, p),
        count: latencies.length,
        direction: 'lower',
        kind: 'operational',
      };
    }
  }
  const decided = passed + failed;
  metrics.passRate = {
    name: 'passRate',
    value: decided ? passed / decided : null,
    count: decided,
    direction: 'higher',
    kind: 'operational',
  };
  const errorRate = total ? errored / total : 0;
  metrics.errorRate = { name: 'errorRate', value: errorRate, count: total, direction: 'lower', kind: 'operational' };

  return {
    total,
    passed,
    failed,
    errored,
    missing: total - passed - failed - errored,
    errorRate,
    metrics,
    usage,
    costUsd: cost,
    cachedResponses,
  };
}
