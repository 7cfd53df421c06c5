import { usageError } from '../errors.js';
import { formatNumber } from './format.js';
import type { GateFailure } from './types.js';

/** The part of a saved report that a diff reads: enough to accept reports of older kit versions. */
export interface ReportTotals {
  environments: Array<{ name: string; total: { expected: number } }>;
}

export interface EnvironmentChange {
  name: string;
  before: number | null;
  after: number | null;
  deltaUsd: number;
  /** Null when there was nothing before (a new environment). */
  deltaPercent: number | null;
}

/** The increase per environment a diff tolerates: US dollars, a percent, or both (past either fails). */
export interface MaxIncrease {
  usd?: number | undefined;
  percent?: number | undefined;
}

export interface CostDiff {
  base: string;
  environments: EnvironmentChange[];
  total: { before: number; after: number; deltaUsd: number; deltaPercent: number | null };
  maxIncrease: MaxIncrease;
  failures: GateFailure[];
}

/** Checks that parsed JSON is a cost report; a wrong file is the user's to fix. */
export function asReportTotals(value: unknown, label: string): ReportTotals {
  const environments = (value as { environments?: unknown } | null)?.environments;
  const ok =
    Array.isArray(environments) &&
    environments.every(
      (env) =>
        typeof (env as { name?: unknown }).name === 'string' &&
        typeof (env as { total?: { expected?: unknown } }).total?.expected === 'number',
    );
  if (!ok) {
    throw usageError('E_COST_DIFF_BASE', `${label} is not a genai cost report`, {
      fix: 'save one with genai cost --json > base.json, or pass a git ref',
    });
  }
  return value as ReportTotals;
}

const dollars = (value: number) => `$${formatNumber(value, 2, 2)}`;
const percent = (before: number, after: number) => (before > 0 ? ((after - before) / before) * 100 : null);

/**
 * The change from a base report to the current one, per environment, and the gate: an environment fails
 * when its expected monthly cost rises by more than `maxIncrease.usd` dollars or `maxIncrease.percent`
 * percent; a new environment that costs anything fails a percent limit (an unbounded increase).
 */
export function diffReports(
  base: ReportTotals,
  current: ReportTotals,
  baseLabel: string,
  maxIncrease: MaxIncrease,
): CostDiff {
  const beforeByName = new Map(base.environments.map((env) => [env.name, env.total.expected]));
  const afterByName = new Map(current.environments.map((env) => [env.name, env.total.expected]));
  const names = [
    ...new Set([...current.environments.map((env) => env.name), ...base.environments.map((env) => env.name)]),
  ];
  const environments = names.map((name): EnvironmentChange => {
    const before = beforeByName.get(name) ?? null;
    const after = afterByName.get(name) ?? null;
    return {
      name,
      before,
      after,
      deltaUsd: (after ?? 0) - (before ?? 0),
      deltaPercent: before === null ? null : percent(before, after ?? 0),
    };
  });
  const failures: GateFailure[] = [];
  for (const env of environments) {
    if (env.deltaUsd <= 0) continue;
    const overUsd = maxIncrease.usd !== undefined && env.deltaUsd > maxIncrease.usd;
    const overPercent =
      maxIncrease.percent !== undefined && (env.deltaPercent === null ? true : env.deltaPercent > maxIncrease.percent);
    if (!overUsd && !overPercent) continue;
    const limit = [
      maxIncrease.usd !== undefined ? `$${maxIncrease.usd}` : '',
      maxIncrease.percent !== undefined ? `${maxIncrease.percent}%` : '',
    ]
      .filter(Boolean)
      .join(' / ');
    const rise =
      env.deltaPercent === null
        ? `a new environment at ${dollars(env.deltaUsd)}/month`
        : `+${dollars(env.deltaUsd)}/month (+${env.deltaPercent.toFixed(1)}%)`;
    failures.push({
      code: 'E_COST_INCREASE',
      environment: env.name,
      field: 'cost.maxIncrease',
      message: `environment ${env.name}: ${rise} against ${baseLabel} is past the allowed increase (${limit})`,
      fix: 'reduce the change, or raise cost.maxIncrease (or --max-increase) if it is intended',
    });
  }
  const before = base.environments.reduce((acc, env) => acc + env.total.expected, 0);
  const after = current.environments.reduce((acc, env) => acc + env.total.expected, 0);
  return {
    base: baseLabel,
    environments,
    total: { before, after, deltaUsd: after - before, deltaPercent: percent(before, after) },
    maxIncrease,
    failures,
  };
}

/** Reads `--max-increase 10%` (percent) or `--max-increase 500` (US dollars). */
export function parseMaxIncrease(value: string): MaxIncrease {
  const match = /^\s*\$?(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(value);
  if (!match)
    throw usageError('E_COST_MAX_INCREASE', `cannot read --max-increase ${JSON.stringify(value)}`, {
      fix: 'write a percent like 10% or US dollars like 500',
    });
  const amount = Number(match[1]);
  return match[2] ? { percent: amount } : { usd: amount };
}
