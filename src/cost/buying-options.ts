import { DEFAULT_MIN_INSTANCES } from '../manifest/defaults.js';
import { breakEven, optionCost, unitsAt, type BreakEven, type BuyingOption } from './break-even.js';
import { priceId, tokenService } from './catalog.js';
import { formatNumber } from './format.js';
import { selfHostProfile } from './model-profiles.js';
import type { Price } from './price.js';
import { DAYS_PER_MONTH, HOURS_PER_MONTH, isLocalUrl, type CostManifest } from './settings.js';
import type { Context } from './types.js';
import type { TokensPerRequest } from './usage.js';

/**
 * The ways to buy the configured model (on-demand tokens, provisioned throughput, a self-hosted
 * endpoint), each reduced to a BuyingOption so that any two can be compared at a traffic.
 */

/** One way to buy the model, priced at the environment's traffic, as the report shows it. */
export interface ModelOptionEstimate {
  kind: BuyingOption['kind'];
  label: string;
  monthlyUsd: number;
  units: number;
  unitName: string;
  configured: boolean;
  assumptions: string[];
}

/** Token prices of the configured model, or undefined when its provider does not bill tokens. */
export function tokenRates(ctx: Context): { input: Price; output: Price; cached?: Price | undefined } | undefined {
  const { model } = ctx.manifest;
  const service = tokenService(model.provider);
  if (!service) return undefined;
  const input = ctx.pricer.find(priceId(service, model.id, 'input'));
  const output = ctx.pricer.find(priceId(service, model.id, 'output'));
  if (!input || !output) return undefined;
  const cached =
    ctx.settings.cachedInputShare > 0 ? ctx.pricer.find(priceId(service, model.id, 'cached-input')) : undefined;
  return { input, output, cached };
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
  const minInstances = own.minInstances ?? DEFAULT_MIN_INSTANCES[ctx.stage];
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

export function buyingOptions(ctx: Context, tokens: TokensPerRequest): BuyingOption[] {
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
export function configuredKind(manifest: CostManifest): BuyingOption['kind'] | undefined {
  const { provider, throughput } = manifest.model;
  if (provider === 'bedrock') return throughput === 'provisioned' ? 'provisioned' : 'on-demand';
  if (provider === 'openai-compatible') return 'on-demand';
  if (provider === 'sagemaker' || provider === 'vllm') return 'self-hosted';
  return undefined;
}

/** Each way to buy the model at this traffic, and the traffic where each pair trades places. */
export function compareOptions(
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
