import type { CostSection } from '../manifest/sections/cost.js';

/**
 * The part of genai.yaml the estimator reads. Written as a structural type so that the pure core can be
 * tested with plain objects; the manifest module's `Manifest` satisfies it.
 */
export interface CostManifest {
  name: string;
  constraints: {
    budgetUsdPerMonth: number;
    dailyActiveUsers: number;
    requestsPerUserPerDay: number;
    peakFactor?: number;
    regions: string[];
    latencyP95Ms: number;
  };
  model: {
    provider: string;
    id: string;
    throughput?: 'on-demand' | 'provisioned';
    baseUrl?: string;
    maxOutputTokens?: number;
  };
  embeddings: { provider: string; id: string; dimensions: number; baseUrl?: string };
  vectorStore?: { kind?: string };
  retrieval?: { topK?: number; chunkSize?: number; chunkOverlap?: number };
  cost?: CostSection;
  environments: Record<string, CostEnvironment>;
}

export type CostEnvironment =
  | { target: 'local'; port?: number; budgetUsdPerMonth?: number }
  | { target: 'aws'; region: string; scale?: { min: number; max: number }; budgetUsdPerMonth?: number }
  | {
      target: 'kubernetes';
      context?: string;
      namespace?: string;
      scale?: { min: number; max: number };
      budgetUsdPerMonth?: number;
    };

/** Hours in a month as AWS bills them (8,760 / 12), and the days that makes. */
export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** Every setting the estimator uses, with defaults applied: the one place defaults live. */
export interface CostSettings {
  peakFactor: number;
  maxOutputTokens: number;
  topK: number;
  chunkSize: number;
  chunkOverlap: number;
  vectorStore: string;
  systemPromptTokens: number;
  questionTokens: number;
  cachedInputShare: number;
  corpusTokens: number;
  reingestionsPerMonth: number;
  spreadLow: number;
  spreadHigh: number;
  maxPriceAgeDays: number;
  maxIncrease: { usd?: number; percent?: number };
  nonProductionTrafficShare: number;
  commitment: 'none' | '1-month' | '6-month';
  provisionedTokensPerMinute?: number;
  selfHosted: {
    instanceType?: string;
    outputTokensPerSecond?: number;
    inputTokensPerSecond?: number;
    minInstances?: number;
  };
  runtime: { vcpu: number; memoryGb: number; concurrencyPerTask: number };
  monitoring: {
    logBytesPerRequest: number;
    invocationLogging: boolean;
    logRetentionDays: number;
    customMetrics: number;
    alarms: number;
    dashboards: number;
  };
  kubernetes: { nodeUsdPerHour?: number; nodeVcpu: number; gpuNodeUsdPerHour?: number; region: string };
}

export function costSettings(manifest: CostManifest): CostSettings {
  const cost = manifest.cost ?? {};
  const usage = cost.usage ?? {};
  const maxIncrease = cost.maxIncrease ?? {};
  return {
    peakFactor: manifest.constraints.peakFactor ?? 3,
    maxOutputTokens: manifest.model.maxOutputTokens ?? 512,
    topK: manifest.retrieval?.topK ?? 5,
    chunkSize: manifest.retrieval?.chunkSize ?? 400,
    chunkOverlap: manifest.retrieval?.chunkOverlap ?? 50,
    vectorStore: manifest.vectorStore?.kind ?? 'pgvector',
    systemPromptTokens: usage.systemPromptTokens ?? 300,
    questionTokens: usage.questionTokens ?? 50,
    cachedInputShare: usage.cachedInputShare ?? 0,
    corpusTokens: usage.corpusTokens ?? 5_000_000,
    reingestionsPerMonth: usage.reingestionsPerMonth ?? 1,
    spreadLow: cost.spread?.low ?? 0.75,
    spreadHigh: cost.spread?.high ?? 1.5,
    maxPriceAgeDays: cost.maxPriceAgeDays ?? 180,
    maxIncrease: maxIncrease.usd === undefined && maxIncrease.percent === undefined ? { percent: 10 } : maxIncrease,
    nonProductionTrafficShare: cost.nonProductionTrafficShare ?? 0.05,
    commitment: cost.model?.commitment ?? 'none',
    provisionedTokensPerMinute: cost.model?.provisionedTokensPerMinute,
    selfHosted: cost.model?.selfHosted ?? {},
    runtime: {
      vcpu: cost.runtime?.vcpu ?? 1,
      memoryGb: cost.runtime?.memoryGb ?? 2,
      concurrencyPerTask: cost.runtime?.concurrencyPerTask ?? 20,
    },
    monitoring: {
      logBytesPerRequest: cost.monitoring?.logBytesPerRequest ?? 2048,
      invocationLogging: cost.monitoring?.invocationLogging ?? true,
      logRetentionDays: cost.monitoring?.logRetentionDays ?? 30,
      customMetrics: cost.monitoring?.customMetrics ?? 20,
      alarms: cost.monitoring?.alarms ?? 10,
      dashboards: cost.monitoring?.dashboards ?? 1,
    },
    kubernetes: {
      nodeUsdPerHour: cost.kubernetes?.nodeUsdPerHour,
      nodeVcpu: cost.kubernetes?.nodeVcpu ?? 4,
      gpuNodeUsdPerHour: cost.kubernetes?.gpuNodeUsdPerHour,
      region: cost.kubernetes?.region ?? manifest.constraints.regions[0] ?? 'us-east-1',
    },
  };
}

/** Production by name: it carries the traffic the constraints describe; others get a share of it. */
export const isProductionName = (name: string): boolean => /^(prod|production|prd)(-|$)/.test(name);

/** A URL on this machine: a model or embeddings served there cost nothing the estimate can price. */
export const isLocalUrl = (url: string | undefined): boolean =>
  !!url && /^https?:\/\/(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(url);
