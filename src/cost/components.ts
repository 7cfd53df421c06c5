import { usageError } from '../errors.js';
import { DEFAULT_NODE_INSTANCE_TYPE } from '../manifest/defaults.js';
import { unitsAt } from './break-even.js';
import { buyingOptions, configuredKind, tokenRates } from './buying-options.js';
import { nearestResources, priceId, tokenService } from './catalog.js';
import { formatNumber } from './format.js';
import type { Price, PriceCatalog } from './price.js';
import {
  DAYS_PER_MONTH,
  DEFAULT_AURORA_INSTANCES,
  DEFAULT_AURORA_MIN_ACU,
  DEFAULT_KUBERNETES_MONITORING_VCPU,
  DEFAULT_OPENSEARCH_MIN_OCU,
  DEFAULT_SCALE,
  DEFAULT_VECTOR_STORE_REPLICA_VCPU,
  DEFAULT_VECTOR_STORE_REPLICAS,
  HOURS_PER_MONTH,
  isLocalUrl,
  type CostSettings,
} from './settings.js';
import type { Context, LineItem, Part } from './types.js';
import type { TokensPerRequest } from './usage.js';

/** The five components of an environment's monthly cost, each priced from its context for one scenario. */
export const COMPONENTS = ['model', 'embeddings', 'vector store', 'service runtime', 'monitoring'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

const line = (item: string, quantity: number, unit: string, price: Price | { usd: number; id?: string }): LineItem => ({
  item,
  quantity,
  unit,
  unitUsd: price.usd,
  usd: quantity * price.usd,
  priceId: price.id,
});

const sum = (lines: LineItem[]) => lines.reduce((total, item) => total + item.usd, 0);
const part = (lines: LineItem[], note?: string): Part => ({ usd: sum(lines), lines, note });

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function unknownModel(service: string, id: string, catalog: PriceCatalog, field: string): never {
  const nearest = nearestResources(catalog, service, id);
  throw usageError(
    'E_COST_UNKNOWN_MODEL',
    `the price catalog has no ${service} model ${JSON.stringify(id)}; nearest: ${nearest.join(', ')}`,
    {
      field,
      fix: `use one of ${nearest.join(', ')}, or add its prices under cost.prices (ids ${service}:${id}:input${field === 'model.id' ? ` and ${service}:${id}:output` : ''})`,
    },
  );
}

function modelPart(ctx: Context, tokens: TokensPerRequest): Part {
  const { model } = ctx.manifest;
  if (model.provider === 'offline') return part([], 'offline provider: no model cost');
  if (model.provider === 'openai-compatible' && isLocalUrl(model.baseUrl))
    return part([], `served at ${model.baseUrl} on your own machine: not priced`);
  if (ctx.env.target === 'local' && model.provider !== 'openai-compatible') {
    return part(
      [],
      `the local target runs the offline provider or an OpenAI-compatible URL, not ${model.provider}: no model cost`,
    );
  }
  const kind = configuredKind(ctx.manifest)!;
  const option = buyingOptions(ctx, tokens).find((candidate) => candidate.kind === kind);
  if (!option) {
    if (kind === 'on-demand') unknownModel(tokenService(model.provider)!, model.id, ctx.catalog, 'model.id');
    if (kind === 'provisioned') {
      throw usageError('E_COST_NO_PRICE', `the price catalog has no provisioned throughput price for ${model.id}`, {
        field: 'model.throughput',
        fix: `add it under cost.prices (id bedrock:${model.id}:provisioned-no-commit, unit model-unit-hour) from the Bedrock console`,
      });
    }
    throw usageError('E_COST_UNKNOWN_MODEL', `no self-hosting profile or instance price for ${model.id}`, {
      field: 'model.id',
      fix: 'set cost.model.selfHosted (instanceType, outputTokensPerSecond, inputTokensPerSecond) and, if the catalog lacks that instance, its price under cost.prices',
    });
  }
  const requests = ctx.traffic.requestsPerMonth;
  if (option.kind === 'on-demand') {
    const rates = tokenRates(ctx)!;
    const cachedShare = rates.cached ? ctx.settings.cachedInputShare : 0;
    const millions = (count: number) => (count * requests) / 1e6;
    const lines = [line('input tokens', millions(tokens.inputTokens * (1 - cachedShare)), '1M tokens', rates.input)];
    if (rates.cached && cachedShare > 0)
      lines.push(line('cached input tokens', millions(tokens.inputTokens * cachedShare), '1M tokens', rates.cached));
    lines.push(line('output tokens', millions(tokens.outputTokens), '1M tokens', rates.output));
    return part(lines);
  }
  const units = unitsAt(option, requests);
  return part([
    line(
      `${option.label}: ${units} × ${option.unitName}`,
      units * HOURS_PER_MONTH,
      option.kind === 'provisioned' ? 'model-unit-hour' : 'instance-hour',
      { usd: option.unitMonthlyUsd / HOURS_PER_MONTH },
    ),
  ]);
}

interface Corpus {
  chunks: number;
  embeddedTokensPerMonth: number;
}

function corpus(settings: CostSettings): Corpus {
  const stride = settings.chunkSize - settings.chunkOverlap;
  const chunks = Math.ceil(settings.corpusTokens / Math.max(1, stride));
  return { chunks, embeddedTokensPerMonth: chunks * settings.chunkSize * settings.reingestionsPerMonth };
}

function embeddingsPart(ctx: Context, tokens: TokensPerRequest): Part {
  const { embeddings } = ctx.manifest;
  if (embeddings.provider === 'offline') return part([], 'offline embeddings: no cost');
  if (isLocalUrl(embeddings.baseUrl))
    return part([], `served at ${embeddings.baseUrl} on your own machine: not priced`);
  if (ctx.env.target === 'local' && embeddings.provider !== 'openai-compatible') {
    return part(
      [],
      `the local target computes embeddings offline or at an OpenAI-compatible URL, not ${embeddings.provider}: no cost`,
    );
  }
  const service = tokenService(embeddings.provider)!;
  const price = ctx.pricer.find(priceId(service, embeddings.id, 'input'));
  if (!price) unknownModel(service, embeddings.id, ctx.catalog, 'embeddings.id');
  const { embeddedTokensPerMonth } = corpus(ctx.settings);
  return part([
    line('query embedding tokens', (tokens.embeddingTokens * ctx.traffic.requestsPerMonth) / 1e6, '1M tokens', price),
    line('ingestion embedding tokens', embeddedTokensPerMonth / 1e6, '1M tokens', price),
  ]);
}

function nodeRate(ctx: Context): { usd: number; words: string } {
  const given = ctx.settings.kubernetes.nodeUsdPerHour;
  if (given !== undefined) return { usd: given, words: `${given} USD per node-hour (cost.kubernetes.nodeUsdPerHour)` };
  const price = ctx.pricer.need(
    priceId('ec2', DEFAULT_NODE_INSTANCE_TYPE, 'on-demand'),
    'set cost.kubernetes.nodeUsdPerHour',
  );
  return {
    usd: price.usd,
    words: `node rate assumed at the EC2 on-demand price of ${DEFAULT_NODE_INSTANCE_TYPE}, ${price.usd} USD/hour; set cost.kubernetes.nodeUsdPerHour`,
  };
}

/** A share of Kubernetes nodes, priced by node-hour. */
function nodeShare(ctx: Context, item: string, vcpu: number): LineItem {
  const rate = nodeRate(ctx);
  ctx.notes.add(rate.words);
  return line(
    `${item}: ${vcpu} vCPU of ${ctx.settings.kubernetes.nodeVcpu}-vCPU nodes`,
    (vcpu / ctx.settings.kubernetes.nodeVcpu) * HOURS_PER_MONTH,
    'node-hour',
    { usd: rate.usd },
  );
}

function vectorStorePart(ctx: Context): Part {
  const { settings, traffic, stage } = ctx;
  const kind = settings.vectorStore;
  if (ctx.env.target === 'local') return part([], 'PGlite on this machine: no cost');
  const dims = ctx.manifest.embeddings.dimensions;
  const { chunks } = corpus(settings);
  if (ctx.env.target === 'kubernetes' && (kind === 'pgvector' || kind === 'qdrant')) {
    const replicas = DEFAULT_VECTOR_STORE_REPLICAS[stage];
    const vcpu = DEFAULT_VECTOR_STORE_REPLICA_VCPU;
    return part([
      nodeShare(
        ctx,
        `${kind} StatefulSet, ${replicas} replica${replicas === 1 ? '' : 's'} × ${vcpu} vCPU`,
        replicas * vcpu,
      ),
    ]);
  }
  const need = (id: string) => ctx.pricer.need(id, 'add the price under cost.prices');
  if (kind === 'pgvector') {
    const instances = DEFAULT_AURORA_INSTANCES[stage];
    const minAcu = DEFAULT_AURORA_MIN_ACU[stage];
    // Vector plus HNSW graph (about the same again), the chunk text (~4 bytes a token) and row overhead.
    const bytesPerChunk = dims * 4 * 2 + settings.chunkSize * 4 + 512;
    const storageGb = (chunks * bytesPerChunk) / 1e9;
    // An ACU has 2 GiB; keeping the index within half of it keeps queries in memory. ~20 queries/s per ACU.
    const acu = Math.max(minAcu, storageGb, traffic.averageRps / 20);
    ctx.notes.add(
      `Aurora Serverless v2: ${instances} instance${instances === 1 ? '' : 's'} at ${round(acu, 2)} ACU on average (minimum ${minAcu}); I/O not priced (index held in memory)`,
    );
    return part([
      line(
        `Aurora Serverless v2, ${instances} × ${round(acu, 2)} ACU`,
        instances * acu * HOURS_PER_MONTH,
        'ACU-hour',
        need('aurora:serverless-v2:acu'),
      ),
      line(`Aurora storage (${formatNumber(chunks)} chunks)`, storageGb, 'GB-month', need('aurora:storage:standard')),
    ]);
  }
  if (kind === 'opensearch') {
    // One more OCU for each further 50 requests/s on average.
    const ocu = DEFAULT_OPENSEARCH_MIN_OCU[stage] + Math.max(0, Math.ceil(traffic.averageRps / 50) - 1);
    const storageGb = (chunks * (dims * 4 * 2 + settings.chunkSize * 4 + 512)) / 1e9;
    return part([
      line(`OpenSearch Serverless, ${ocu} OCU`, ocu * HOURS_PER_MONTH, 'OCU-hour', need('opensearch:serverless:ocu')),
      line('OpenSearch managed storage', storageGb, 'GB-month', need('opensearch:serverless:storage')),
    ]);
  }
  if (kind === 's3vectors') {
    const vectorGb = (chunks * (dims * 4 + 1024)) / 1e9;
    return part([
      line('S3 Vectors storage', vectorGb, 'GB-month', need('s3vectors:vectors:storage')),
      line('S3 Vectors uploads', vectorGb * settings.reingestionsPerMonth, 'GB', need('s3vectors:vectors:put')),
      line(
        'S3 Vectors queries',
        traffic.requestsPerMonth / 1e6,
        '1M requests',
        need('s3vectors:vectors:query-requests'),
      ),
      line(
        'S3 Vectors data processed',
        (traffic.requestsPerMonth * vectorGb) / 1000,
        'TB',
        need('s3vectors:vectors:query-data'),
      ),
    ]);
  }
  return part([], `${kind} runs on the kubernetes target; not priced on ${ctx.env.target}`);
}

function scaleOf(ctx: Context): { min: number; max: number } {
  const env = ctx.env;
  if (env.target !== 'local' && env.scale) return env.scale;
  return DEFAULT_SCALE[ctx.stage];
}

/** Tasks busy on average: requests in flight (rate × time in flight, bounded by the p95 objective) over what one task serves. */
function averageTasks(ctx: Context): number {
  const { min, max } = scaleOf(ctx);
  const inFlight = ctx.traffic.averageRps * (ctx.manifest.constraints.latencyP95Ms / 1000);
  return Math.min(max, Math.max(min, Math.ceil(inFlight / ctx.settings.runtime.concurrencyPerTask)));
}

function runtimePart(ctx: Context): Part {
  if (ctx.env.target === 'local') return part([], 'a Node process on this machine: no cost');
  const tasks = averageTasks(ctx);
  const { vcpu, memoryGb } = ctx.settings.runtime;
  if (ctx.env.target === 'kubernetes')
    return part([nodeShare(ctx, `service, ${tasks} pod${tasks === 1 ? '' : 's'} × ${vcpu} vCPU`, tasks * vcpu)]);
  const need = (id: string) => ctx.pricer.need(id, 'add the price under cost.prices');
  // An LCU is 25 new connections/s or 1 GB/hour processed; ~8 KB per request and answer.
  const lcu = Math.max(ctx.traffic.averageRps / 25, (ctx.traffic.averageRps * 3600 * 8192) / 1e9);
  return part([
    line(
      `Fargate vCPU, ${tasks} task${tasks === 1 ? '' : 's'} × ${vcpu} vCPU`,
      tasks * vcpu * HOURS_PER_MONTH,
      'vCPU-hour',
      need('fargate:linux-x86:vcpu'),
    ),
    line(
      `Fargate memory, ${tasks} task${tasks === 1 ? '' : 's'} × ${memoryGb} GB`,
      tasks * memoryGb * HOURS_PER_MONTH,
      'GB-hour',
      need('fargate:linux-x86:memory'),
    ),
    line('Application Load Balancer', HOURS_PER_MONTH, 'ALB-hour', need('alb:application:hour')),
    line('ALB capacity units', lcu * HOURS_PER_MONTH, 'LCU-hour', need('alb:application:lcu')),
  ]);
}

function monitoringPart(ctx: Context, tokens: TokensPerRequest): Part {
  if (ctx.env.target === 'local') return part([], 'traces in the local store: no cost');
  if (ctx.env.target === 'kubernetes')
    return part([nodeShare(ctx, 'OpenTelemetry collector and Prometheus', DEFAULT_KUBERNETES_MONITORING_VCPU)]);
  const { monitoring } = ctx.settings;
  const need = (id: string) => ctx.pricer.need(id, 'add the price under cost.prices');
  // Invocation logs hold the prompt and the answer: about 4 bytes a token.
  const invocationBytes =
    monitoring.invocationLogging && ctx.manifest.model.provider === 'bedrock'
      ? 4 * (tokens.inputTokens + tokens.outputTokens)
      : 0;
  const ingestGb = (ctx.traffic.requestsPerMonth * (monitoring.logBytesPerRequest + invocationBytes)) / 1e9;
  const storedGb = ingestGb * Math.min(monitoring.logRetentionDays / DAYS_PER_MONTH, 120);
  return part([
    line(
      `logs ingested (${formatNumber(Math.round(monitoring.logBytesPerRequest + invocationBytes))} bytes/request)`,
      ingestGb,
      'GB',
      need('cloudwatch:logs:ingest'),
    ),
    line(
      `logs stored (${monitoring.logRetentionDays} days retention)`,
      storedGb,
      'GB-month',
      need('cloudwatch:logs:storage'),
    ),
    line('custom metrics', monitoring.customMetrics, 'metric-month', need('cloudwatch:metrics:custom')),
    line('alarms', monitoring.alarms, 'alarm-month', need('cloudwatch:alarms:standard')),
    line('dashboards', monitoring.dashboards, 'dashboard-month', need('cloudwatch:dashboards:dashboard')),
  ]);
}

export function componentParts(ctx: Context, tokens: TokensPerRequest): Record<ComponentName, Part> {
  return {
    model: modelPart(ctx, tokens),
    embeddings: embeddingsPart(ctx, tokens),
    'vector store': vectorStorePart(ctx),
    'service runtime': runtimePart(ctx),
    monitoring: monitoringPart(ctx, tokens),
  };
}
