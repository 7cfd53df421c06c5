// defaults.ts is dependency-free: the estimator reads the manifest's defaults without loading zod.
import {
  DEFAULT_ALARMS,
  DEFAULT_CACHED_INPUT_SHARE,
  DEFAULT_CHUNK_OVERLAP,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_COMMITMENT,
  DEFAULT_CONCURRENCY_PER_TASK,
  DEFAULT_CORPUS_TOKENS,
  DEFAULT_CUSTOM_METRICS,
  DEFAULT_DASHBOARDS,
  DEFAULT_INVOCATION_LOGGING,
  DEFAULT_LOG_BYTES_PER_REQUEST,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_MAX_INCREASE_PERCENT,
  DEFAULT_MAX_OUTPUT_TOKENS,
  DEFAULT_MAX_PRICE_AGE_DAYS,
  DEFAULT_NODE_VCPU,
  DEFAULT_NON_PRODUCTION_TRAFFIC_SHARE,
  DEFAULT_PEAK_FACTOR,
  DEFAULT_QUESTION_TOKENS,
  DEFAULT_REINGESTIONS_PER_MONTH,
  DEFAULT_RUNTIME_MEMORY_GB,
  DEFAULT_RUNTIME_VCPU,
  DEFAULT_SPREAD,
  DEFAULT_SYSTEM_PROMPT_TOKENS,
  DEFAULT_TOP_K,
  DEFAULT_VECTOR_STORE,
  DEFAULT_REGIONS,
} from '../manifest/defaults.js';
// Types only: erased at run time, so reading them loads neither the manifest module nor zod.
import type { Environment } from '../manifest/index.js';
import type { CostSection } from '../manifest/sections/cost.js';

/**
 * The part of genai.yaml the estimator reads. Written as a structural type so that the pure core can be
 * tested with plain objects; the manifest module's `Manifest` satisfies it (zod types an optional field
 * `T | undefined`, hence the same here).
 */
export interface CostManifest {
  name: string;
  constraints: {
    budgetUsdPerMonth: number;
    dailyActiveUsers: number;
    requestsPerUserPerDay: number;
    peakFactor?: number | undefined;
    regions: string[];
    latencyP95Ms: number;
  };
  model: {
    provider: string;
    id: string;
    throughput?: 'on-demand' | 'provisioned' | undefined;
    baseUrl?: string | undefined;
    maxOutputTokens?: number | undefined;
  };
  embeddings: { provider: string; id: string; dimensions: number; baseUrl?: string | undefined };
  vectorStore?: { kind?: string | undefined } | undefined;
  retrieval?:
    { topK?: number | undefined; chunkSize?: number | undefined; chunkOverlap?: number | undefined } | undefined;
  cost?: CostSection | undefined;
  environments: Record<string, Environment>;
}

/** Hours in a month as AWS bills them (8,760 / 12), and the days that makes. */
export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** Production by name: it carries the traffic the constraints describe; others get a share of it. */
export const isProductionName = (name: string): boolean => /^(prod|production|prd)(-|$)/.test(name);

/** Production or not: the sizing defaults below differ between the two (redundancy, higher floors). */
export type Stage = 'production' | 'nonProduction';
type ByStage<T> = Readonly<Record<Stage, T>>;

export const stageOf = (name: string): Stage => (isProductionName(name) ? 'production' : 'nonProduction');

// ---------------------------------------------------------------- sizing defaults genai.yaml does not declare
// Each stated once, here. A default genai.yaml declares (and documents) lives in src/manifest/defaults.ts.

/** Region whose prices apply when the manifest names none: the first of the default constraints.regions. */
export const DEFAULT_REGION = DEFAULT_REGIONS[0];
/** Autoscaling bounds of the service when an environment sets no scale. */
export const DEFAULT_SCALE = {
  production: { min: 2, max: 10 },
  nonProduction: { min: 1, max: 2 },
} as const satisfies ByStage<{ min: number; max: number }>;
/** Replicas of a pgvector or qdrant StatefulSet on Kubernetes. */
export const DEFAULT_VECTOR_STORE_REPLICAS = { production: 2, nonProduction: 1 } as const satisfies ByStage<number>;
/** vCPUs of one such replica. */
export const DEFAULT_VECTOR_STORE_REPLICA_VCPU = 2;
/** Aurora Serverless v2 instances of a pgvector store. */
export const DEFAULT_AURORA_INSTANCES = { production: 2, nonProduction: 1 } as const satisfies ByStage<number>;
/** The ACU floor of each Aurora Serverless v2 instance. */
export const DEFAULT_AURORA_MIN_ACU = { production: 1, nonProduction: 0.5 } as const satisfies ByStage<number>;
/** OpenSearch Serverless floor: 0.5 indexing + 0.5 search OCU, doubled when redundant (production). */
export const DEFAULT_OPENSEARCH_MIN_OCU = { production: 2, nonProduction: 1 } as const satisfies ByStage<number>;
/** vCPUs of the OpenTelemetry collector and Prometheus of a Kubernetes environment. */
export const DEFAULT_KUBERNETES_MONITORING_VCPU = 1;

/**
 * Every setting the estimator uses, with the manifest's defaults (src/manifest/defaults.ts) applied: costSettings
 * is the one place they are applied. Sizing that depends on the stage is taken from the constants above.
 */
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
  maxIncrease: { usd?: number | undefined; percent?: number | undefined };
  nonProductionTrafficShare: number;
  commitment: 'none' | '1-month' | '6-month';
  provisionedTokensPerMinute?: number | undefined;
  selfHosted: {
    instanceType?: string | undefined;
    outputTokensPerSecond?: number | undefined;
    inputTokensPerSecond?: number | undefined;
    minInstances?: number | undefined;
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
  kubernetes: {
    nodeUsdPerHour?: number | undefined;
    nodeVcpu: number;
    gpuNodeUsdPerHour?: number | undefined;
    region: string;
  };
}

export function costSettings(manifest: CostManifest): CostSettings {
  const cost = manifest.cost ?? {};
  const usage = cost.usage ?? {};
  const maxIncrease = cost.maxIncrease ?? {};
  return {
    peakFactor: manifest.constraints.peakFactor ?? DEFAULT_PEAK_FACTOR,
    maxOutputTokens: manifest.model.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    topK: manifest.retrieval?.topK ?? DEFAULT_TOP_K,
    chunkSize: manifest.retrieval?.chunkSize ?? DEFAULT_CHUNK_SIZE,
    chunkOverlap: manifest.retrieval?.chunkOverlap ?? DEFAULT_CHUNK_OVERLAP,
    vectorStore: manifest.vectorStore?.kind ?? DEFAULT_VECTOR_STORE,
    systemPromptTokens: usage.systemPromptTokens ?? DEFAULT_SYSTEM_PROMPT_TOKENS,
    questionTokens: usage.questionTokens ?? DEFAULT_QUESTION_TOKENS,
    cachedInputShare: usage.cachedInputShare ?? DEFAULT_CACHED_INPUT_SHARE,
    corpusTokens: usage.corpusTokens ?? DEFAULT_CORPUS_TOKENS,
    reingestionsPerMonth: usage.reingestionsPerMonth ?? DEFAULT_REINGESTIONS_PER_MONTH,
    spreadLow: cost.spread?.low ?? DEFAULT_SPREAD.low,
    spreadHigh: cost.spread?.high ?? DEFAULT_SPREAD.high,
    maxPriceAgeDays: cost.maxPriceAgeDays ?? DEFAULT_MAX_PRICE_AGE_DAYS,
    maxIncrease:
      maxIncrease.usd === undefined && maxIncrease.percent === undefined
        ? { percent: DEFAULT_MAX_INCREASE_PERCENT }
        : maxIncrease,
    nonProductionTrafficShare: cost.nonProductionTrafficShare ?? DEFAULT_NON_PRODUCTION_TRAFFIC_SHARE,
    commitment: cost.model?.commitment ?? DEFAULT_COMMITMENT,
    provisionedTokensPerMinute: cost.model?.provisionedTokensPerMinute,
    selfHosted: cost.model?.selfHosted ?? {},
    runtime: {
      vcpu: cost.runtime?.vcpu ?? DEFAULT_RUNTIME_VCPU,
      memoryGb: cost.runtime?.memoryGb ?? DEFAULT_RUNTIME_MEMORY_GB,
      concurrencyPerTask: cost.runtime?.concurrencyPerTask ?? DEFAULT_CONCURRENCY_PER_TASK,
    },
    monitoring: {
      logBytesPerRequest: cost.monitoring?.logBytesPerRequest ?? DEFAULT_LOG_BYTES_PER_REQUEST,
      invocationLogging: cost.monitoring?.invocationLogging ?? DEFAULT_INVOCATION_LOGGING,
      logRetentionDays: cost.monitoring?.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
      customMetrics: cost.monitoring?.customMetrics ?? DEFAULT_CUSTOM_METRICS,
      alarms: cost.monitoring?.alarms ?? DEFAULT_ALARMS,
      dashboards: cost.monitoring?.dashboards ?? DEFAULT_DASHBOARDS,
    },
    kubernetes: {
      nodeUsdPerHour: cost.kubernetes?.nodeUsdPerHour,
      nodeVcpu: cost.kubernetes?.nodeVcpu ?? DEFAULT_NODE_VCPU,
      gpuNodeUsdPerHour: cost.kubernetes?.gpuNodeUsdPerHour,
      region: cost.kubernetes?.region ?? manifest.constraints.regions[0] ?? DEFAULT_REGION,
    },
  };
}

/** A URL on this machine: a model or embeddings served there cost nothing the estimate can price. */
export const isLocalUrl = (url: string | undefined): boolean =>
  !!url && /^https?:\/\/(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(url);
