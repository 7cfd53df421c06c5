import { usageError } from '../errors.js';
import { DAYS_PER_MONTH, isProductionName, type CostManifest, type CostSettings } from './settings.js';
import { formatNumber } from './format.js';

/** Tokens one request costs. */
export interface TokensPerRequest {
  inputTokens: number;
  outputTokens: number;
  embeddingTokens: number;
}

export const TOKEN_FIELDS = ['inputTokens', 'outputTokens', 'embeddingTokens'] as const;
export type TokenField = (typeof TOKEN_FIELDS)[number];

/** Where a figure came from, in the order of preference the report states. */
export type UsageSourceName = 'what-if' | 'eval-run' | 'manifest' | 'defaults';

export interface Range {
  low: number;
  expected: number;
  high: number;
}

export interface UsageProfile {
  low: TokensPerRequest;
  expected: TokensPerRequest;
  high: TokensPerRequest;
  /** Per figure: which source gave it and how it was derived, in words. */
  provenance: Record<TokenField, { source: UsageSourceName; detail: string }>;
  measured?: { runId: string; cases: number; skipped: number } | undefined;
}

export interface Traffic {
  requestsPerDay: number;
  requestsPerMonth: number;
  averageRps: number;
  peakRps: number;
  peakFactor: number;
  /** How the figure was reached, in words, e.g. "5% of constraints (default for non-production)". */
  basis: string;
}

/** Overrides from `--what-if key=value`, applied to every environment. */
export interface WhatIf {
  dailyActiveUsers?: number;
  requestsPerUserPerDay?: number;
  peakFactor?: number;
  inputTokens?: number;
  outputTokens?: number;
  embeddingTokens?: number;
}

const WHAT_IF_KEYS: Record<string, keyof WhatIf> = {
  users: 'dailyActiveUsers',
  dailyActiveUsers: 'dailyActiveUsers',
  requestsPerUser: 'requestsPerUserPerDay',
  requestsPerUserPerDay: 'requestsPerUserPerDay',
  peakFactor: 'peakFactor',
  input: 'inputTokens',
  inputTokens: 'inputTokens',
  output: 'outputTokens',
  outputTokens: 'outputTokens',
  embedding: 'embeddingTokens',
  embeddingTokens: 'embeddingTokens',
};

/** Parses `users=40000`-style assignments, a later one winning for the same key. */
export function parseWhatIf(assignments: readonly string[]): WhatIf {
  return Object.assign({}, ...assignments.map(parseWhatIfAssignment));
}

/** Parses one `--what-if users=40000`; a bad one is a usage error naming the allowed keys. */
export function parseWhatIfAssignment(assignment: string): WhatIf {
  const match = /^([A-Za-z]+)=(.+)$/.exec(assignment.trim());
  const key = match ? WHAT_IF_KEYS[match[1]!] : undefined;
  if (!match || !key) {
    throw usageError('E_COST_WHAT_IF', `cannot read --what-if ${JSON.stringify(assignment)}`, {
      fix: 'write KEY=NUMBER with KEY one of users, requestsPerUser, peakFactor, input, output, embedding (e.g. --what-if users=40000)',
    });
  }
  const value = Number(match[2]!.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isFinite(value) || value < 0 || (key === 'peakFactor' && value < 1)) {
    throw usageError(
      'E_COST_WHAT_IF',
      `--what-if ${match[1]} must be a ${key === 'peakFactor' ? 'number ≥ 1' : 'non-negative number'}, found ${JSON.stringify(match[2])}`,
      {
        fix: `give a ${key === 'peakFactor' ? 'number ≥ 1' : 'number ≥ 0'}, e.g. --what-if ${match[1]}=${key === 'peakFactor' ? 3 : 40000}`,
      },
    );
  }
  return { [key]: value };
}

function requireNonNegative(value: number, field: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw usageError('E_COST_NEGATIVE_TRAFFIC', `${field} must be a non-negative number, found ${value}`, {
      field,
      fix: `set ${field} to 0 or more`,
    });
  }
}

/**
 * Traffic of one environment: production carries the constraints' traffic; another environment gets
 * `cost.environments.<name>.requestsPerDay`, else its `trafficShare`, else the non-production share.
 */
export function environmentTraffic(
  manifest: CostManifest,
  settings: CostSettings,
  name: string,
  whatIf: WhatIf = {},
): Traffic {
  const users = whatIf.dailyActiveUsers ?? manifest.constraints.dailyActiveUsers;
  const perUser = whatIf.requestsPerUserPerDay ?? manifest.constraints.requestsPerUserPerDay;
  const peakFactor = whatIf.peakFactor ?? settings.peakFactor;
  requireNonNegative(users, 'constraints.dailyActiveUsers');
  requireNonNegative(perUser, 'constraints.requestsPerUserPerDay');
  if (!Number.isFinite(peakFactor) || peakFactor < 1) {
    throw usageError('E_COST_PEAK_FACTOR', `constraints.peakFactor must be at least 1, found ${peakFactor}`, {
      field: 'constraints.peakFactor',
      fix: 'set peakFactor to 1 or more',
    });
  }
  const own = manifest.cost?.environments?.[name];
  const base = users * perUser;
  const baseWords = `${fmt(users)} users × ${fmt(perUser)} requests/day`;
  let requestsPerDay: number;
  let basis: string;
  if (own?.requestsPerDay !== undefined) {
    requireNonNegative(own.requestsPerDay, `cost.environments.${name}.requestsPerDay`);
    requestsPerDay = own.requestsPerDay;
    basis = `cost.environments.${name}.requestsPerDay`;
  } else if (own?.trafficShare !== undefined) {
    requestsPerDay = base * own.trafficShare;
    basis = `${pct(own.trafficShare)} of ${baseWords} (cost.environments.${name}.trafficShare)`;
  } else if (isProductionName(name)) {
    requestsPerDay = base;
    basis = `${baseWords} (constraints; production)`;
  } else {
    requestsPerDay = base * settings.nonProductionTrafficShare;
    basis = `${pct(settings.nonProductionTrafficShare)} of ${baseWords} (default share for non-production; set cost.environments.${name}.trafficShare)`;
  }
  const averageRps = requestsPerDay / 86_400;
  return {
    requestsPerDay,
    requestsPerMonth: requestsPerDay * DAYS_PER_MONTH,
    averageRps,
    peakRps: averageRps * peakFactor,
    peakFactor,
    basis,
  };
}

const fmt = (value: number) => formatNumber(value);
const pct = (share: number) => `${fmt(share * 100)}%`;
