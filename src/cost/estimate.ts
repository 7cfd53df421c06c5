import { usageError } from '../errors.js';
import { breakEven, optionCost, unitsAt, type BreakEven, type BuyingOption } from './break-even.js';
import { lookupPrice, nearestResources, priceId, tokenService } from './catalog.js';
import type { Price, PriceCatalog } from './price.js';
import { selfHostProfile } from './model-profiles.js';
import {
  DAYS_PER_MONTH,
  HOURS_PER_MONTH,
  isProductionName,
  type CostEnvironment,
  type CostManifest,
  type CostSettings,
} from './settings.js';
import {
  environmentTraffic,
  type Range,
  type TokensPerRequest,
  type Traffic,
  type UsageProfile,
  type WhatIf,
} from './usage.js';
import { formatNumber } from './format.js';

export const COMPONENTS = ['model', 'embeddings', 'vector store', 'service runtime', 'monitoring'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** One priced quantity of the expected scenario: what, how much, at what price. */
export interface LineItem {
  item: string;
  quantity: number;
  unit: string;
  unitUsd: number;
  usd: number;
  priceId?: string;
}

export interface ComponentEstimate extends Range {
  component: ComponentName;
  lines: LineItem[];
  note?: string;
}

/** A price the estimate used, and where it came from. */
export interface PriceUsed {
  id: string;
  region: string;
  requestedRegion: string;
  fromOtherRegion: boolean;
  usd: number;
  unit: string;
  source: string;
  checked: string;
}

export interface ModelOptionEstimate {
  kind: BuyingOption['kind'];
  label: string;
  monthlyUsd: number;
  units: number;
  unitName: string;
  configured: boolean;
  assumptions: string[];
}

export interface EnvironmentEstimate {
  name: string;
  target: CostEnvironment['target'];
  region: string;
  traffic: Traffic;
  components: ComponentEstimate[];
  total: Range;
  per1kRequests: Range | null;
  budget: { usd: number; field: string; status: 'within' | 'at-risk' | 'over' };
  modelOptions: ModelOptionEstimate[];
  breakEven: BreakEven[];
  notes: string[];
  warnings: string[];
  prices: PriceUsed[];
}

export interface EstimateInput {
  manifest: CostManifest;
  settings: CostSettings;
  catalog: PriceCatalog;
  usage: UsageProfile;
  whatIf?: WhatIf;
}

/** Records every price looked up for one environment, and says when one came from another region. */
class Pricer {
  readonly used = new Map<string, PriceUsed>();
  readonly warnings: string[] = [];
  constructor(
    private readonly catalog: PriceCatalog,
    readonly region: string,
  ) {}

  find(id: string, region = this.region): Price | undefined {
    const quote = lookupPrice(this.catalog, id, region);
    if (!quote) return undefined;
    const key = `${id}@${quote.price.region}`;
    if (!this.used.has(key)) {
      this.used.set(key, {
        id,
        region: quote.price.region,
        requestedRegion: region,
        fromOtherRegion: quote.fromOtherRegion,
        usd: quote.price.usd,
        unit: quote.price.unit,
        source: quote.price.source,
        checked: quote.price.checked,
      });
      if (quote.fromOtherRegion) {
        this.warnings.push(
          `${id}: no ${region} price in the catalog; used the ${quote.price.region} price (add one under cost.prices if the region differs)`,
        );
      }
    }
    return quote.price;
  }

  /** A price the estimate cannot go without: missing is the user's to fix, so a usage error. */
  need(id: string, fix: string, field?: string): Price {
    const price = this.find(id);
    if (!price)
      throw usageError('E_COST_NO_PRICE', `no price for ${id} in the catalog`, { fix, ...(field ? { field } : {}) });
    return price;
  }
}

const isLocalUrl = (url: string | undefined) => !!url && /^https?:\/\/(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(url);

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

/** Region whose prices apply to an environment. */
function pricingRegion(manifest: CostManifest, settings: CostSettings, env: CostEnvironment): string {
  if (env.target === 'aws') return env.region;
  if (env.target === 'kubernetes') return settings.kubernetes.region;
  return manifest.constraints.regions[0] ?? 'us-east-1';
}

interface Context {
  name: string;
  env: CostEnvironment;
  production: boolean;
  manifest: CostManifest;
  settings: CostSettings;
  catalog: PriceCatalog;
  pricer: Pricer;
  traffic: Traffic;
  notes: Set<string>;
}

interface Part {
  usd: number;
  lines: LineItem[];
  note?: string;
}

const line = (item: string, quantity: number, unit: string, price: Price | { usd: number; id?: string }): LineItem => ({
  item,
  quantity,
  unit,
  unitUsd: price.usd,
  usd: quantity * price.usd,
  ...('id' in price && price.id ? { priceId: price.id } : {}),
});

const sum = (lines: LineItem[]) => lines.reduce((total, item) => total + item.usd, 0);
const part = (lines: LineItem[], note?: string): Part => ({ usd: sum(lines), lines, ...(note ? { note } : {}) });

// ---------------------------------------------------------------- model buying options

/** Token prices of the configured model, or undefined when its provider does not bill tokens. */
function tokenRates(ctx: Context): { input: Price; output: Price; cached?: Price } | undefined {
  const { model } = ctx.manifest;
  const service = tokenService(model.provider);
  if (!service) return undefined;
  const input = ctx.pricer.find(priceId(service, model.id, 'input'));
  const output = ctx.pricer.find(priceId(service, model.id, 'output'));
  if (!input || !output) return undefined;
  const cached =
    ctx.settings.cachedInputShare > 0 ? ctx.pricer.find(priceId(service, model.id, 'cached-input')) : undefined;
  return { input, output, ...(cached ? { cached } : {}) };
}

function perRequestTokenUsd(
  rates: NonNullable<ReturnType<typeof tokenRates>>,
  tokens: TokensPerRequest,
  cachedShare: number,
): number {
  const cached = rates.cached ? tokens.inputTokens * cachedShare : 0;
  return (
    ((tokens.inputTokens - cached) * rates.input.usd +
      cached * (rates.cached?.usd ?? 0) +
      tokens.outputTokens * rates.output.usd) /
    1e6
  );
}

const requestsPerMonthAtPeak = (peakRequestsPerSecond: number, peakFactor: number) =>
  (peakRequestsPerSecond / peakFactor) * 86_400 * DAYS_PER_MONTH;

function provisionedOption(ctx: Context, tokens: TokensPerRequest): BuyingOption | undefined {
  const { model } = ctx.manifest;
  if (model.provider !== 'bedrock') return undefined;
  const order = [ctx.settings.commitment, 'none', '1-month', '6-month'].map((term) =>
    term === 'none' ? 'no-commit' : term,
  );
  for (const term of [...new Set(order)]) {
    const price = ctx.pricer.find(priceId('bedrock', model.id, `provisioned-${term}`));
    if (!price) continue;
    const tpm = ctx.settings.provisionedTokensPerMinute;
    const tokensPerRequest = tokens.inputTokens + tokens.outputTokens;
    const assumptions = [
      `${price.usd} USD per model unit-hour (${term === 'no-commit' ? 'no commitment' : `${term} commitment`})`,
    ];
    let requestsPerUnit = Infinity;
    if (tpm && tokensPerRequest > 0) {
      requestsPerUnit = requestsPerMonthAtPeak(tpm / 60 / tokensPerRequest, ctx.traffic.peakFactor);
      assumptions.push(`${formatNumber(tpm)} tokens/minute per model unit (cost.model.provisionedTokensPerMinute)`);
    } else {
      assumptions.push(
        'one model unit assumed to carry the peak: set cost.model.provisionedTokensPerMinute from the Bedrock console',
      );
    }
    return {
      kind: 'provisioned',
      label: `Bedrock provisioned throughput${term === 'no-commit' ? '' : ` (${term})`}`,
      perRequestUsd: 0,
      unitMonthlyUsd: price.usd * HOURS_PER_MONTH,
      minUnits: 1,
      requestsPerUnit,
      unitName: 'model unit',
      assumptions,
    };
  }
  return undefined;
}

function selfHostedOption(ctx: Context, tokens: TokensPerRequest): BuyingOption | undefined {
  const { model } = ctx.manifest;
  const profile = selfHostProfile(model.id);
  const own = ctx.settings.selfHosted;
  if (!profile && !own.instanceType) return undefined;
  const onKubernetes = ctx.env.target === 'kubernetes' || model.provider === 'vllm';
  const outputTps = own.outputTokensPerSecond ?? profile?.outputTokensPerSecond;
  const inputTps = own.inputTokensPerSecond ?? profile?.inputTokensPerSecond;
  if (!outputTps || !inputTps) return undefined;
  const minInstances = own.minInstances ?? (ctx.production ? 2 : 1);
  let hourly: number;
  let unitName: string;
  let where: string;
  if (onKubernetes) {
    unitName = own.instanceType ?? profile!.ec2Instance;
    const given = ctx.settings.kubernetes.gpuNodeUsdPerHour;
    if (given !== undefined) {
      hourly = given;
      where = `${given} USD per GPU node-hour (cost.kubernetes.gpuNodeUsdPerHour)`;
    } else {
      const price = ctx.pricer.find(priceId('ec2', unitName, 'on-demand'), ctx.settings.kubernetes.region);
      if (!price) return undefined;
      hourly = price.usd;
      where = `GPU node at the EC2 on-demand price of ${unitName}, ${price.usd} USD/hour (set cost.kubernetes.gpuNodeUsdPerHour)`;
    }
  } else {
    unitName = own.instanceType ?? profile!.sagemakerInstance;
    const price = ctx.pricer.find(priceId('sagemaker', unitName, 'hosting'));
    if (!price) return undefined;
    hourly = price.usd;
    where = `SageMaker ${unitName} at ${price.usd} USD/hour`;
  }
  const secondsPerRequest = tokens.outputTokens / outputTps + tokens.inputTokens / inputTps;
  const requestsPerUnit =
    secondsPerRequest > 0 ? requestsPerMonthAtPeak(1 / secondsPerRequest, ctx.traffic.peakFactor) : Infinity;
  return {
    kind: 'self-hosted',
    label: onKubernetes ? `vLLM on ${unitName} nodes` : `SageMaker endpoint (${unitName})`,
    perRequestUsd: 0,
    unitMonthlyUsd: hourly * HOURS_PER_MONTH,
    minUnits: minInstances,
    requestsPerUnit,
    unitName,
    assumptions: [
      where,
      `assumed throughput per instance: ${outputTps} output and ${inputTps} input tokens/s (${own.outputTokensPerSecond ? 'cost.model.selfHosted' : `planning figure for ${profile!.family}; measure and set cost.model.selfHosted`})`,
      `at least ${minInstances} instance${minInstances === 1 ? '' : 's'}`,
    ],
  };
}

function buyingOptions(ctx: Context, tokens: TokensPerRequest): BuyingOption[] {
  const options: BuyingOption[] = [];
  const rates = tokenRates(ctx);
  if (rates) {
    options.push({
      kind: 'on-demand',
      label: ctx.manifest.model.provider === 'bedrock' ? 'Bedrock on-demand' : 'pay per token',
      perRequestUsd: perRequestTokenUsd(rates, tokens, ctx.settings.cachedInputShare),
      unitMonthlyUsd: 0,
      minUnits: 0,
      requestsPerUnit: Infinity,
      unitName: 'request',
      assumptions: [`${rates.input.usd} USD input / ${rates.output.usd} USD output per 1M tokens`],
    });
  }
  const provisioned = provisionedOption(ctx, tokens);
  if (provisioned) options.push(provisioned);
  const selfHosted = selfHostedOption(ctx, tokens);
  if (selfHosted) options.push(selfHosted);
  return options;
}

/** Which buying option the manifest configures. */
function configuredKind(manifest: CostManifest): BuyingOption['kind'] | undefined {
  const { provider, throughput } = manifest.model;
  if (provider === 'bedrock') return throughput === 'provisioned' ? 'provisioned' : 'on-demand';
  if (provider === 'openai-compatible') return 'on-demand';
  if (provider === 'sagemaker' || provider === 'vllm') return 'self-hosted';
  return undefined;
}

// ---------------------------------------------------------------- components

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
  const price = ctx.pricer.need(priceId('ec2', 'm6i.xlarge', 'on-demand'), 'set cost.kubernetes.nodeUsdPerHour');
  return {
    usd: price.usd,
    words: `node rate assumed at the EC2 on-demand price of m6i.xlarge, ${price.usd} USD/hour; set cost.kubernetes.nodeUsdPerHour`,
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
  const { settings, traffic, production } = ctx;
  const kind = settings.vectorStore;
  if (ctx.env.target === 'local') return part([], 'PGlite on this machine: no cost');
  const dims = ctx.manifest.embeddings.dimensions;
  const { chunks } = corpus(settings);
  if (ctx.env.target === 'kubernetes' && (kind === 'pgvector' || kind === 'qdrant')) {
    const replicas = production ? 2 : 1;
    return part([
      nodeShare(ctx, `${kind} StatefulSet, ${replicas} replica${replicas === 1 ? '' : 's'} × 2 vCPU`, replicas * 2),
    ]);
  }
  const need = (id: string) => ctx.pricer.need(id, 'add the price under cost.prices');
  if (kind === 'pgvector') {
    const instances = production ? 2 : 1;
    const minAcu = production ? 1 : 0.5;
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
    // Serverless minimum: 0.5 indexing + 0.5 search OCU, doubled when redundant (production).
    const ocu = (production ? 2 : 1) + Math.max(0, Math.ceil(traffic.averageRps / 50) - 1);
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
  return ctx.production ? { min: 2, max: 10 } : { min: 1, max: 2 };
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
  if (ctx.env.target === 'kubernetes') return part([nodeShare(ctx, 'OpenTelemetry collector and Prometheus', 1)]);
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

function componentParts(ctx: Context, tokens: TokensPerRequest): Record<ComponentName, Part> {
  return {
    model: modelPart(ctx, tokens),
    embeddings: embeddingsPart(ctx, tokens),
    'vector store': vectorStorePart(ctx),
    'service runtime': runtimePart(ctx),
    monitoring: monitoringPart(ctx, tokens),
  };
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The monthly estimate of one environment: pure, from the manifest, the catalog and the usage profile. */
export function estimateEnvironment(input: EstimateInput, name: string): EnvironmentEstimate {
  const { manifest, settings, catalog, usage } = input;
  const env = manifest.environments[name];
  if (!env)
    throw usageError('E_COST_UNKNOWN_ENVIRONMENT', `no environment ${name}`, {
      fix: `use one of ${Object.keys(manifest.environments).join(', ')}`,
    });
  const region = pricingRegion(manifest, settings, env);
  const ctx: Context = {
    name,
    env,
    production: isProductionName(name),
    manifest,
    settings,
    catalog,
    pricer: new Pricer(catalog, region),
    traffic: environmentTraffic(manifest, settings, name, input.whatIf),
    notes: new Set(),
  };
  const scenarios = {
    low: componentParts(ctx, usage.low),
    expected: componentParts(ctx, usage.expected),
    high: componentParts(ctx, usage.high),
  };
  const components: ComponentEstimate[] = COMPONENTS.map((component) => {
    const expected = scenarios.expected[component];
    return {
      component,
      low: scenarios.low[component].usd,
      expected: expected.usd,
      high: scenarios.high[component].usd,
      lines: expected.lines,
      ...(expected.note ? { note: expected.note } : {}),
    };
  });
  const total = {
    low: components.reduce((acc, c) => acc + c.low, 0),
    expected: components.reduce((acc, c) => acc + c.expected, 0),
    high: components.reduce((acc, c) => acc + c.high, 0),
  };
  const thousands = ctx.traffic.requestsPerMonth / 1000;
  const budgetUsd = env.budgetUsdPerMonth ?? manifest.constraints.budgetUsdPerMonth;
  const budgetField =
    env.budgetUsdPerMonth !== undefined ? `environments.${name}.budgetUsdPerMonth` : 'constraints.budgetUsdPerMonth';

  const { modelOptions, pairs } =
    env.target === 'local' ? { modelOptions: [], pairs: [] } : compareOptions(ctx, usage.expected);
  if (env.target === 'local')
    ctx.notes.add('a local environment costs only what its model provider bills; the offline provider costs nothing');
  if (manifest.model.provider === 'bedrock' && manifest.model.throughput !== 'provisioned' && env.target !== 'local') {
    ctx.notes.add(
      'Bedrock on-demand is billed in the region that receives the request (cross-region inference included)',
    );
  }
  return {
    name,
    target: env.target,
    region,
    traffic: ctx.traffic,
    components,
    total,
    per1kRequests:
      thousands > 0
        ? { low: total.low / thousands, expected: total.expected / thousands, high: total.high / thousands }
        : null,
    budget: {
      usd: budgetUsd,
      field: budgetField,
      status: total.expected > budgetUsd ? 'over' : total.high > budgetUsd ? 'at-risk' : 'within',
    },
    modelOptions,
    breakEven: pairs,
    notes: [...ctx.notes],
    warnings: [...ctx.pricer.warnings],
    prices: [...ctx.pricer.used.values()],
  };
}

/** Each way to buy the model at this traffic, and the traffic where each pair trades places. */
function compareOptions(
  ctx: Context,
  tokens: TokensPerRequest,
): { modelOptions: ModelOptionEstimate[]; pairs: BreakEven[] } {
  if (ctx.manifest.model.provider === 'offline' || isLocalUrl(ctx.manifest.model.baseUrl))
    return { modelOptions: [], pairs: [] };
  const options = buyingOptions(ctx, tokens);
  const configured = configuredKind(ctx.manifest);
  const requests = ctx.traffic.requestsPerMonth;
  const modelOptions = options.map((option) => ({
    kind: option.kind,
    label: option.label,
    monthlyUsd: optionCost(option, requests),
    units: unitsAt(option, requests),
    unitName: option.unitName,
    configured: option.kind === configured,
    assumptions: option.assumptions,
  }));
  // Far enough to find a crossing that exists in practice: 1,000× this traffic, at least 1M requests/month.
  const searchUpTo = Math.max(requests * 1000, 1e6);
  const pairs: BreakEven[] = [];
  for (let i = 0; i < options.length; i++) {
    for (let j = i + 1; j < options.length; j++) pairs.push(breakEven(options[i]!, options[j]!, searchUpTo));
  }
  return { modelOptions, pairs };
}
