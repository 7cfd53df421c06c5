import { z } from 'zod';
import {
  DEFAULT_ALARMS,
  DEFAULT_CACHED_INPUT_SHARE,
  DEFAULT_COMMITMENT,
  DEFAULT_CONCURRENCY_PER_TASK,
  DEFAULT_CORPUS_TOKENS,
  DEFAULT_CUSTOM_METRICS,
  DEFAULT_DASHBOARDS,
  DEFAULT_INVOCATION_LOGGING,
  DEFAULT_LOG_BYTES_PER_REQUEST,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_MAX_INCREASE_PERCENT,
  DEFAULT_MAX_PRICE_AGE_DAYS,
  DEFAULT_MIN_INSTANCES,
  DEFAULT_NODE_INSTANCE_TYPE,
  DEFAULT_NODE_VCPU,
  DEFAULT_NON_PRODUCTION_TRAFFIC_SHARE,
  DEFAULT_QUESTION_TOKENS,
  DEFAULT_REINGESTIONS_PER_MONTH,
  DEFAULT_RUNTIME_MEMORY_GB,
  DEFAULT_RUNTIME_VCPU,
  DEFAULT_SPREAD,
  DEFAULT_SYSTEM_PROMPT_TOKENS,
} from '../defaults.js';

/**
 * The `cost` section of genai.yaml: price overrides and additions, usage figures, sizing assumptions and
 * the increase that `genai cost --diff` tolerates. Owned by the cost module; the manifest schema includes
 * it. Defaults are applied by src/cost/settings.ts (one place); each is named in its description from the
 * constant in ../defaults.ts that settings.ts applies.
 */

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected an ISO date like 2025-06-30')
  .describe('ISO date (YYYY-MM-DD) the price was checked against its source.');

const priceOverride = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .describe(
        'Price id service:resource:dimension, e.g. "bedrock:meta.llama3-1-70b-instruct-v1:0:input" or "bedrock:meta.llama3-1-70b-instruct-v1:0:provisioned-1-month".',
      ),
    region: z
      .string()
      .min(1)
      .optional()
      .describe('Region the price applies to (an AWS region code, or global); every region when absent.'),
    unit: z
      .string()
      .min(1)
      .describe(
        'Unit of the price: "1M tokens" for tokens, "model-unit-hour" for provisioned throughput, "instance-hour", "GB-month"...',
      ),
    usd: z.number().nonnegative().describe('Price in US dollars per unit.'),
    source: z.string().min(1).describe('Where the figure comes from: a price page URL, a contract, a rate card.'),
    checked: isoDate,
    note: z.string().optional().describe('Anything a reader of the report should know about this price.'),
  })
  .describe('A price that replaces the catalog figure for the same id and region, or adds one the catalog lacks.');

const tokenCount = (what: string) => z.number().nonnegative().optional().describe(what);

export const costSection = z
  .strictObject({
    prices: z
      .array(priceOverride)
      .optional()
      .describe('Your own prices: negotiated rates, regions or models the catalog lacks.'),
    usage: z
      .strictObject({
        inputTokensPerRequest: tokenCount(
          'Model input tokens per request (prompt + retrieved context). Default: system prompt + question + topK × chunkSize.',
        ),
        outputTokensPerRequest: tokenCount('Model output tokens per request. Default: half of model.maxOutputTokens.'),
        embeddingTokensPerRequest: tokenCount('Embedding tokens per request (the question). Default: questionTokens.'),
        systemPromptTokens: tokenCount(
          `Tokens of the system prompt and template around the context. Default ${DEFAULT_SYSTEM_PROMPT_TOKENS}.`,
        ),
        questionTokens: tokenCount(`Tokens of a typical question. Default ${DEFAULT_QUESTION_TOKENS}.`),
        cachedInputShare: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe(
            `Share of input tokens billed at the cached-input price where the model has one (0..1). Default ${DEFAULT_CACHED_INPUT_SHARE}.`,
          ),
        corpusTokens: tokenCount(
          `Tokens of the document corpus, for ingestion embeddings and vector store size. Default ${DEFAULT_CORPUS_TOKENS.toLocaleString('en-US')}.`,
        ),
        reingestionsPerMonth: tokenCount(
          `Full re-ingestions of the corpus per month. Default ${DEFAULT_REINGESTIONS_PER_MONTH}.`,
        ),
      })
      .optional()
      .describe(
        'Usage figures; each one given here wins over defaults, and a measured eval run (--from-eval) wins over both.',
      ),
    spread: z
      .strictObject({
        low: z
          .number()
          .positive()
          .max(1)
          .optional()
          .describe(`Multiplier of tokens per request for the low estimate (0..1]. Default ${DEFAULT_SPREAD.low}.`),
        high: z
          .number()
          .min(1)
          .optional()
          .describe(`Multiplier of tokens per request for the high estimate (≥ 1). Default ${DEFAULT_SPREAD.high}.`),
      })
      .optional()
      .describe('The low/high range around expected tokens per request when they are not measured.'),
    maxPriceAgeDays: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(`Prices checked longer ago than this are flagged as stale. Default ${DEFAULT_MAX_PRICE_AGE_DAYS}.`),
    maxIncrease: z
      .strictObject({
        usd: z
          .number()
          .nonnegative()
          .optional()
          .describe('Largest monthly increase of an environment in US dollars that genai cost --diff tolerates.'),
        percent: z
          .number()
          .nonnegative()
          .optional()
          .describe(
            `Largest monthly increase of an environment in percent that genai cost --diff tolerates. Default ${DEFAULT_MAX_INCREASE_PERCENT} when usd is absent too.`,
          ),
      })
      .optional()
      .describe('The cost increase a change may bring before genai cost --diff fails.'),
    nonProductionTrafficShare: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        `Share of constraints traffic that an environment not named prod/production gets (0..1). Default ${DEFAULT_NON_PRODUCTION_TRAFFIC_SHARE}.`,
      ),
    environments: z
      .record(
        z.string(),
        z
          .strictObject({
            trafficShare: z
              .number()
              .min(0)
              .max(1)
              .optional()
              .describe('Share of constraints traffic this environment receives (0..1).'),
            requestsPerDay: z
              .number()
              .nonnegative()
              .optional()
              .describe('Requests per day of this environment; wins over trafficShare.'),
          })
          .describe('Traffic of one environment.'),
      )
      .optional()
      .describe('Traffic per environment, by environment name.'),
    model: z
      .strictObject({
        commitment: z
          .enum(['none', '1-month', '6-month'])
          .optional()
          .describe(
            `Provisioned throughput term priced for the model: none (hourly), 1-month or 6-month. Default ${DEFAULT_COMMITMENT}.`,
          ),
        provisionedTokensPerMinute: z
          .number()
          .positive()
          .optional()
          .describe(
            'Tokens per minute one provisioned model unit serves (the Bedrock console shows it per model). Without it one unit is assumed to carry the peak.',
          ),
        selfHosted: z
          .strictObject({
            instanceType: z
              .string()
              .min(1)
              .optional()
              .describe(
                'Instance type of a self-hosted endpoint, e.g. ml.g5.48xlarge (SageMaker) or g5.48xlarge (EC2 / Kubernetes GPU node).',
              ),
            outputTokensPerSecond: z
              .number()
              .positive()
              .optional()
              .describe('Output tokens per second one instance generates across its batch.'),
            inputTokensPerSecond: z
              .number()
              .positive()
              .optional()
              .describe('Input (prefill) tokens per second one instance processes.'),
            minInstances: z
              .number()
              .int()
              .positive()
              .optional()
              .describe(
                `Fewest instances kept running. Default ${DEFAULT_MIN_INSTANCES.production} in production, ${DEFAULT_MIN_INSTANCES.nonProduction} elsewhere.`,
              ),
          })
          .optional()
          .describe('Sizing of a self-hosted model endpoint (SageMaker, or vLLM on Kubernetes).'),
      })
      .optional()
      .describe('How the model is bought: provisioned throughput terms and self-hosted endpoint sizing.'),
    runtime: z
      .strictObject({
        vcpu: z
          .number()
          .positive()
          .optional()
          .describe(`vCPUs per service task or pod. Default ${DEFAULT_RUNTIME_VCPU}.`),
        memoryGb: z
          .number()
          .positive()
          .optional()
          .describe(`Memory per service task or pod in GB. Default ${DEFAULT_RUNTIME_MEMORY_GB}.`),
        concurrencyPerTask: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(
            `Requests in flight one task serves (they mostly wait on the model). Default ${DEFAULT_CONCURRENCY_PER_TASK}.`,
          ),
      })
      .optional()
      .describe('Size of the service runtime.'),
    monitoring: z
      .strictObject({
        logBytesPerRequest: z
          .number()
          .nonnegative()
          .optional()
          .describe(
            `Service log bytes per request, besides model invocation logs. Default ${DEFAULT_LOG_BYTES_PER_REQUEST}.`,
          ),
        invocationLogging: z
          .boolean()
          .optional()
          .describe(
            `Whether Bedrock model invocation logs (prompt and answer text) go to CloudWatch. Default ${DEFAULT_INVOCATION_LOGGING}.`,
          ),
        logRetentionDays: z
          .number()
          .int()
          .positive()
          .optional()
          .describe(`Log retention in days. Default ${DEFAULT_LOG_RETENTION_DAYS}.`),
        customMetrics: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .describe(`Custom metrics per environment. Default ${DEFAULT_CUSTOM_METRICS}.`),
        alarms: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .describe(`Alarms per environment. Default ${DEFAULT_ALARMS}.`),
        dashboards: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .describe(`Dashboards per environment. Default ${DEFAULT_DASHBOARDS}.`),
      })
      .optional()
      .describe('What monitoring an environment carries.'),
    kubernetes: z
      .strictObject({
        nodeUsdPerHour: z
          .number()
          .nonnegative()
          .optional()
          .describe(
            `Price of one CPU node-hour. Default: the EC2 on-demand price of an ${DEFAULT_NODE_INSTANCE_TYPE} in the cluster region.`,
          ),
        nodeVcpu: z.number().positive().optional().describe(`vCPUs of one CPU node. Default ${DEFAULT_NODE_VCPU}.`),
        gpuNodeUsdPerHour: z
          .number()
          .nonnegative()
          .optional()
          .describe(
            'Price of one GPU node-hour for vLLM. Default: the EC2 on-demand price of the self-hosted instance type.',
          ),
        region: z
          .string()
          .min(1)
          .optional()
          .describe(
            'Region whose EC2 prices stand in for node rates that are not given. Default: the first of constraints.regions.',
          ),
      })
      .optional()
      .describe('Node rates of Kubernetes environments.'),
  })
  .describe('Price overrides, usage figures, sizing assumptions and the cost increase a change may bring.');

export type CostSection = z.infer<typeof costSection>;
