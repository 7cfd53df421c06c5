/**
 * The defaults genai.yaml declares, each stated once: the schema (and the cost section's descriptions)
 * and the code that applies them read the same constant. Dependency-free, so that `genai cost` can use
 * them without loading zod.
 */

// ---------------------------------------------------------------- constraints, model, vector store, retrieval

/** constraints.budgetUsdPerMonth: monthly budget of the whole service in US dollars. */
export const DEFAULT_BUDGET_USD_PER_MONTH = 1000;
/** constraints.dailyActiveUsers. */
export const DEFAULT_DAILY_ACTIVE_USERS = 1000;
/** constraints.requestsPerUserPerDay. */
export const DEFAULT_REQUESTS_PER_USER_PER_DAY = 5;
/** constraints.regions: where the service and its data may live; also the region whose prices apply. */
export const DEFAULT_REGIONS: readonly [string, ...string[]] = ['us-east-1'];
/** constraints.latencyP95Ms: 95th percentile latency objective in milliseconds. */
export const DEFAULT_LATENCY_P95_MS = 3000;
/** constraints.dataClass: not public, but neither personal nor health data. */
export const DEFAULT_DATA_CLASS = 'internal' as const;
/** constraints.peakFactor: peak traffic as a multiple of the average. */
export const DEFAULT_PEAK_FACTOR = 3;

/**
 * The constraints a manifest may leave out, with the value assumed for each: `genai check` warns about
 * each one left out and `genai cost` lists them. peakFactor is a sizing knob, defaulted silently.
 */
export const ASSUMED_CONSTRAINTS = {
  budgetUsdPerMonth: DEFAULT_BUDGET_USD_PER_MONTH,
  dailyActiveUsers: DEFAULT_DAILY_ACTIVE_USERS,
  requestsPerUserPerDay: DEFAULT_REQUESTS_PER_USER_PER_DAY,
  regions: DEFAULT_REGIONS,
  latencyP95Ms: DEFAULT_LATENCY_P95_MS,
  dataClass: DEFAULT_DATA_CLASS,
} as const;
export type AssumedConstraint = keyof typeof ASSUMED_CONSTRAINTS;

/** model: the deterministic offline model, for dev and CI. */
export const DEFAULT_MODEL = { provider: 'offline', id: 'offline-extractive' } as const;
/** embeddings: the offline hashed-feature embeddings. */
export const DEFAULT_EMBEDDINGS = { provider: 'offline', id: 'offline-hash-384', dimensions: 384 } as const;
/** evals.dataset: path of the eval dataset, relative to genai.yaml. */
export const DEFAULT_EVAL_DATASET = 'evals/dataset.jsonl';
/** model.throughput: pay per token. */
export const DEFAULT_THROUGHPUT = 'on-demand' as const;
/** model.maxOutputTokens: upper bound on generated tokens per answer. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 512;
/** vectorStore.kind: PGlite locally, Aurora in AWS. */
export const DEFAULT_VECTOR_STORE = 'pgvector' as const;
/** retrieval.topK: chunks retrieved per question. */
export const DEFAULT_TOP_K = 5;
/** retrieval.chunkSize: chunk length in tokens. */
export const DEFAULT_CHUNK_SIZE = 400;
/** retrieval.chunkOverlap: tokens shared by consecutive chunks. */
export const DEFAULT_CHUNK_OVERLAP = 50;

// ---------------------------------------------------------------- cost section

/** cost.usage.systemPromptTokens: tokens of the system prompt and template around the context. */
export const DEFAULT_SYSTEM_PROMPT_TOKENS = 300;
/** cost.usage.questionTokens: tokens of a typical question. */
export const DEFAULT_QUESTION_TOKENS = 50;
/** cost.usage.cachedInputShare: share of input tokens billed at the cached-input price. */
export const DEFAULT_CACHED_INPUT_SHARE = 0;
/** cost.usage.corpusTokens: tokens of the document corpus. */
export const DEFAULT_CORPUS_TOKENS = 5_000_000;
/** cost.usage.reingestionsPerMonth: full re-ingestions of the corpus per month. */
export const DEFAULT_REINGESTIONS_PER_MONTH = 1;
/** cost.spread: multipliers of tokens per request for the low and the high estimate. */
export const DEFAULT_SPREAD = { low: 0.75, high: 1.5 } as const;
/** cost.maxPriceAgeDays: prices checked longer ago are flagged as stale. */
export const DEFAULT_MAX_PRICE_AGE_DAYS = 180;
/** cost.maxIncrease.percent, when cost.maxIncrease gives neither usd nor percent. */
export const DEFAULT_MAX_INCREASE_PERCENT = 10;
/** cost.nonProductionTrafficShare: share of constraints traffic an environment not named prod gets. */
export const DEFAULT_NON_PRODUCTION_TRAFFIC_SHARE = 0.05;
/** cost.model.commitment: provisioned throughput priced by the hour. */
export const DEFAULT_COMMITMENT = 'none' as const;
/** cost.model.selfHosted.minInstances: fewest instances of a self-hosted endpoint kept running. */
export const DEFAULT_MIN_INSTANCES = { production: 2, nonProduction: 1 } as const;
/** cost.runtime.vcpu: vCPUs per service task or pod. */
export const DEFAULT_RUNTIME_VCPU = 1;
/** cost.runtime.memoryGb: memory per service task or pod in GB. */
export const DEFAULT_RUNTIME_MEMORY_GB = 2;
/** cost.runtime.concurrencyPerTask: requests in flight one task serves. */
export const DEFAULT_CONCURRENCY_PER_TASK = 20;
/** cost.monitoring.logBytesPerRequest: service log bytes per request. */
export const DEFAULT_LOG_BYTES_PER_REQUEST = 2048;
/** cost.monitoring.invocationLogging: Bedrock model invocation logs go to CloudWatch. */
export const DEFAULT_INVOCATION_LOGGING = true;
/** cost.monitoring.logRetentionDays. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;
/** cost.monitoring.customMetrics: custom metrics per environment. */
export const DEFAULT_CUSTOM_METRICS = 20;
/** cost.monitoring.alarms: alarms per environment. */
export const DEFAULT_ALARMS = 10;
/** cost.monitoring.dashboards: dashboards per environment. */
export const DEFAULT_DASHBOARDS = 1;
/** The CPU node whose EC2 on-demand price stands in for cost.kubernetes.nodeUsdPerHour. */
export const DEFAULT_NODE_INSTANCE_TYPE = 'm6i.xlarge';
/** cost.kubernetes.nodeVcpu: vCPUs of one CPU node (an m6i.xlarge has 4). */
export const DEFAULT_NODE_VCPU = 4;

// The defaults of an eval run (evals section): the engine applies them, `genai eval --help` shows them.

/** Cases in flight at once. */
export const DEFAULT_CONCURRENCY = 8;
/** Timeout of one request to the target or a judge, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Retries of a failed request. */
export const DEFAULT_RETRIES = 3;
/** Share of errored cases above which a run fails with exit code 3. */
export const DEFAULT_MAX_ERROR_RATE = 0.1;
/** Seed of --sample and of the bootstrap confidence intervals. */
export const DEFAULT_SEED = 1;
/** k of hit@k, recall@k and nDCG@k. */
export const DEFAULT_RETRIEVAL_K = 5;
/** Largest drop of a quality metric against the baseline that is not a regression (promotion.maxRegression). */
export const DEFAULT_MAX_REGRESSION = 0.02;

// ---------------------------------------------------------------- cloud environments (aws, kubernetes)

/** environments.<aws>.vpcCidr: the address range of the VPC an AWS environment's stack creates. */
export const DEFAULT_VPC_CIDR = '10.0.0.0/16';
/** environments.<kubernetes>.storageSize: the vector store's volume. */
export const DEFAULT_STORAGE_SIZE = '20Gi';
/** environments.<kubernetes>.ciServiceAccount: the CI identity given deploy rights in the namespace. */
export const DEFAULT_CI_SERVICE_ACCOUNT = 'genai-ci';
/** environments.<cloud>.scale: instances of the service when genai.yaml gives none (production: the last environment). */
export const DEFAULT_CLOUD_SCALE = { production: { min: 2, max: 10 }, nonProduction: { min: 1, max: 2 } } as const;
/** model.serving.gpus: GPUs per self-hosted model server. */
export const DEFAULT_SERVING_GPUS = 1;
/** model.serving.scale: instances of a self-hosted model server. */
export const DEFAULT_SERVING_SCALE = { min: 1, max: 1 } as const;
/** model.modelUnits: Bedrock provisioned throughput units bought when throughput is provisioned. */
export const DEFAULT_MODEL_UNITS = 1;
/** state.backend: Pulumi state as files in the project (relative to genai.yaml). */
export const DEFAULT_STATE_BACKEND = 'file://.genai/state';
/** state.secretsProvider: stack secrets encrypted with PULUMI_CONFIG_PASSPHRASE. */
export const DEFAULT_SECRETS_PROVIDER = 'passphrase';
/** Alarm on the share of requests answered 5xx over 5 minutes when evals.thresholds has no errorRate. */
export const DEFAULT_ALARM_ERROR_RATE = 0.05;
/** Alarm on the online judge score when evals.thresholds names no judge score. */
export const DEFAULT_ALARM_JUDGE_SCORE = 0.7;
/**
 * The longest a cloud environment keeps logs, traces and invocation logs, by data class (days): the more
 * sensitive the data, the shorter it may sit in logs. cost.monitoring.logRetentionDays (default
 * DEFAULT_LOG_RETENTION_DAYS) asks for a retention; the environment gets the smaller of the two.
 */
export const MAX_LOG_RETENTION_DAYS = { public: 365, internal: 90, pii: 30, phi: 30 } as const;
