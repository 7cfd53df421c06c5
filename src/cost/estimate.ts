import { usageError } from '../errors.js';
import type { Environment } from '../manifest/index.js';
import type { BreakEven } from './break-even.js';
import { compareOptions, type ModelOptionEstimate } from './buying-options.js';
import { componentParts, COMPONENTS, type ComponentName } from './components.js';
import type { PriceCatalog } from './price.js';
import { Pricer, type PriceUsed } from './pricer.js';
import { DEFAULT_REGION, stageOf, type CostManifest, type CostSettings } from './settings.js';
import type { Context, LineItem } from './types.js';
import { environmentTraffic, type Range, type Traffic, type UsageProfile, type WhatIf } from './usage.js';

export interface ComponentEstimate extends Range {
  component: ComponentName;
  lines: LineItem[];
  note?: string | undefined;
}

export interface EnvironmentEstimate {
  name: string;
  target: Environment['target'];
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
  whatIf?: WhatIf | undefined;
}

/** Region whose prices apply to an environment. */
function pricingRegion(manifest: CostManifest, settings: CostSettings, env: Environment): string {
  if (env.target === 'aws') return env.region;
  if (env.target === 'kubernetes') return settings.kubernetes.region;
  return manifest.constraints.regions[0] ?? DEFAULT_REGION;
}

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
    stage: stageOf(name),
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
      note: expected.note,
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
