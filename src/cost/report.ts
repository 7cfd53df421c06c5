import { usageError } from '../errors.js';
import { assumedValue } from '../manifest/assumptions.js';
import type { AssumedConstraint } from '../manifest/defaults.js';
import { DEFAULT_CATALOG, stalePrices, validatePrices, withOverrides } from './catalog.js';
import type { CostDiff } from './diff.js';
import { estimateEnvironment, type EnvironmentEstimate } from './estimate.js';
import type { Price, PriceCatalog, PriceUnit } from './price.js';
import type { PriceUsed } from './pricer.js';
import { costSettings, DAYS_PER_MONTH, type CostManifest } from './settings.js';
import type { GateFailure } from './types.js';
import {
  defaultsSource,
  evalRunSource,
  manifestSource,
  resolveUsage,
  whatIfSource,
  type MeasuredUsage,
  type UsageSource,
} from './usage-sources.js';
import type { Range, UsageProfile, WhatIf } from './usage.js';
import { formatNumber } from './format.js';

export const REPORT_KIND = 'genai-cost-report';
export const REPORT_VERSION = 1;

/** What `genai cost --json` prints; also the saved base of `genai cost --diff report.json`. */
export interface CostReport {
  kind: typeof REPORT_KIND;
  version: typeof REPORT_VERSION;
  service: string;
  generatedAt: string;
  usage: UsageProfile;
  whatIf: WhatIf;
  environments: EnvironmentEstimate[];
  total: Range;
  serviceBudget: { usd: number; status: 'within' | 'at-risk' | 'over'; complete: boolean };
  /** Constraints genai.yaml leaves out, with the default the estimate assumed for each. */
  assumptions: Array<{ field: string; value: string }>;
  maxPriceAgeDays: number;
  stalePrices: Array<Pick<PriceUsed, 'id' | 'region' | 'checked' | 'source'> & { ageDays: number }>;
  gate: { ok: boolean; failures: GateFailure[] };
  diff?: CostDiff;
}

export interface BuildOptions {
  environments?: string[] | undefined;
  measured?: MeasuredUsage | undefined;
  whatIf?: WhatIf | undefined;
  now?: Date | undefined;
  catalog?: PriceCatalog | undefined;
  /** The constraints genai.yaml leaves out (LoadedManifest.assumed). */
  assumed?: readonly AssumedConstraint[] | undefined;
}

/** The project's `cost.prices` as catalog prices, each validated like the catalog's own. */
export function projectPrices(manifest: CostManifest, now: Date): Price[] {
  const prices: Price[] = (manifest.cost?.prices ?? []).map((price) => ({
    id: price.id,
    region: price.region ?? '*',
    unit: price.unit as PriceUnit,
    usd: price.usd,
    currency: 'USD',
    source: price.source,
    checked: price.checked,
    note: price.note,
  }));
  const problems = validatePrices(prices, now);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw usageError('E_COST_PRICE', `cost.prices[${first.index}] (${first.id}): ${first.message}`, {
      field: `cost.prices.${first.index}`,
      fix: 'correct the price: a known unit for its dimension (token prices per "1M tokens"), a source and an ISO date',
    });
  }
  return prices;
}

export function usageSources(
  manifest: CostManifest,
  options: Pick<BuildOptions, 'measured' | 'whatIf'>,
): UsageSource[] {
  const settings = costSettings(manifest);
  const sources: UsageSource[] = [];
  if (options.whatIf) sources.push(whatIfSource(options.whatIf, settings));
  if (options.measured) sources.push(evalRunSource(options.measured));
  sources.push(manifestSource(manifest.cost?.usage, settings), defaultsSource(settings));
  return sources;
}

/** The whole report: pure, from a manifest and (optionally) measured usage. */
export function buildReport(manifest: CostManifest, options: BuildOptions = {}): CostReport {
  const now = options.now ?? new Date();
  const settings = costSettings(manifest);
  const catalog = withOverrides(options.catalog ?? DEFAULT_CATALOG, projectPrices(manifest, now));
  const usage = resolveUsage(usageSources(manifest, options));
  const defined = Object.keys(manifest.environments);
  const names = options.environments?.length ? options.environments : defined;
  for (const name of names) {
    if (!defined.includes(name)) {
      throw usageError('E_COST_UNKNOWN_ENVIRONMENT', `genai.yaml defines no environment ${JSON.stringify(name)}`, {
        fix: `use one of ${defined.join(', ')}`,
      });
    }
  }
  const environments = names.map((name) =>
    estimateEnvironment({ manifest, settings, catalog, usage, whatIf: options.whatIf }, name),
  );
  const total = {
    low: environments.reduce((acc, env) => acc + env.total.low, 0),
    expected: environments.reduce((acc, env) => acc + env.total.expected, 0),
    high: environments.reduce((acc, env) => acc + env.total.high, 0),
  };
  const budgetUsd = manifest.constraints.budgetUsdPerMonth;
  const complete = names.length === defined.length;
  const serviceBudget = {
    usd: budgetUsd,
    status:
      total.expected > budgetUsd
        ? ('over' as const)
        : total.high > budgetUsd
          ? ('at-risk' as const)
          : ('within' as const),
    complete,
  };
  const used = new Map<string, PriceUsed>();
  for (const env of environments) for (const price of env.prices) used.set(`${price.id}@${price.region}`, price);
  const stale = stalePrices(
    [...used.values()].map((price) => ({ ...price, currency: 'USD' as const, unit: price.unit as PriceUnit })),
    now,
    settings.maxPriceAgeDays,
  ).map(({ id, region, checked, source, ageDays }) => ({ id, region, checked, source, ageDays }));

  const failures: GateFailure[] = [];
  for (const env of environments) {
    if (env.budget.status !== 'over') continue;
    failures.push({
      code: 'E_COST_OVER_BUDGET',
      environment: env.name,
      field: env.budget.field,
      message: `environment ${env.name}: expected ${usd(env.total.expected)}/month exceeds its budget of ${usd(env.budget.usd)} (${env.budget.field})`,
      fix: 'lower tokens per request or traffic, choose a cheaper model or way to buy it, or raise the budget',
    });
  }
  if (complete && serviceBudget.status === 'over' && environments.length > 1) {
    failures.push({
      code: 'E_COST_SERVICE_OVER_BUDGET',
      field: 'constraints.budgetUsdPerMonth',
      message: `all environments together: expected ${usd(total.expected)}/month exceeds the service budget of ${usd(budgetUsd)} (constraints.budgetUsdPerMonth)`,
      fix: 'trim the non-production environments (cost.environments.<name>.trafficShare, smaller scale) or raise the budget',
    });
  }
  return {
    kind: REPORT_KIND,
    version: REPORT_VERSION,
    service: manifest.name,
    generatedAt: now.toISOString(),
    usage,
    whatIf: options.whatIf ?? {},
    environments,
    total,
    serviceBudget,
    assumptions: (options.assumed ?? []).map((key) => ({ field: `constraints.${key}`, value: assumedValue(key) })),
    maxPriceAgeDays: settings.maxPriceAgeDays,
    stalePrices: stale,
    gate: { ok: failures.length === 0, failures },
  };
}

// ---------------------------------------------------------------- rendering

export function usd(value: number): string {
  const digits = Math.abs(value) < 1 && value !== 0 ? 4 : 2;
  return `$${formatNumber(value, digits, 2)}`;
}

const signedUsd = (value: number) => `${value >= 0 ? '+' : '−'}${usd(Math.abs(value))}`;
const num = (value: number, digits = 2) => formatNumber(value, digits);
const statusWord = {
  within: 'within budget',
  'at-risk': 'at risk (high estimate over budget)',
  over: 'OVER BUDGET',
} as const;
const statusMark = { within: '✅ within', 'at-risk': '⚠️ at risk', over: '❌ over' } as const;

function breakEvenWords(env: EnvironmentEstimate): string[] {
  const label = (kind: string) => env.modelOptions.find((option) => option.kind === kind)?.label ?? kind;
  return env.breakEven.map((pair) => {
    if (pair.requestsPerMonth === null) {
      return `${label(pair.a)} vs ${label(pair.b)}: ${label(pair.cheaperBelow)} is cheaper at any traffic up to ${num(pair.searchedUpTo / DAYS_PER_MONTH, 0)} requests/day`;
    }
    const perDay = pair.requestsPerMonth / DAYS_PER_MONTH;
    return `${label(pair.a)} vs ${label(pair.b)}: break-even at ${num(perDay, 0)} requests/day (${num(pair.requestsPerMonth, 0)}/month); ${label(pair.cheaperBelow)} is cheaper below, ${label(pair.cheaperAbove!)} above`;
  });
}

function usageLines(report: CostReport): string[] {
  const { expected, provenance, measured } = report.usage;
  const lines = [
    `input ${num(expected.inputTokens, 1)} tokens/request — ${provenance.inputTokens.source}: ${provenance.inputTokens.detail}`,
    `output ${num(expected.outputTokens, 1)} tokens/request — ${provenance.outputTokens.source}: ${provenance.outputTokens.detail}`,
    `embedding ${num(expected.embeddingTokens, 1)} tokens/request — ${provenance.embeddingTokens.source}: ${provenance.embeddingTokens.detail}`,
  ];
  if (measured?.skipped) lines.push(`eval run ${measured.runId}: ${measured.skipped} case(s) without usage skipped`);
  return lines;
}

/** Warnings of all environments, each once (a region fallback repeats in every environment of that region). */
function allWarnings(report: CostReport): string[] {
  return [...new Set(report.environments.flatMap((env) => env.warnings))];
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** Human text for a terminal. */
export function renderText(report: CostReport): string {
  const out: string[] = [`genai cost — ${report.service}`, ''];
  const rows = [
    ['environment', 'target', 'requests/month', 'low', 'expected', 'high', 'per 1k req', 'budget', 'status'],
  ];
  for (const env of report.environments) {
    rows.push([
      env.name,
      env.target === 'local' ? 'local' : `${env.target} ${env.region}`,
      num(env.traffic.requestsPerMonth, 0),
      usd(env.total.low),
      usd(env.total.expected),
      usd(env.total.high),
      env.per1kRequests ? usd(env.per1kRequests.expected) : '–',
      usd(env.budget.usd),
      statusWord[env.budget.status],
    ]);
  }
  rows.push([
    'total',
    '',
    '',
    usd(report.total.low),
    usd(report.total.expected),
    usd(report.total.high),
    '',
    usd(report.serviceBudget.usd),
    report.serviceBudget.complete ? statusWord[report.serviceBudget.status] : '(some environments)',
  ]);
  out.push(...pad(rows));
  const assumed = assumptionsLine(report);
  if (assumed) out.push('', assumed);
  out.push('', 'tokens per request:', ...usageLines(report).map((text) => `  ${text}`));
  for (const env of report.environments) {
    out.push(
      '',
      `${env.name} (${env.target}${env.target === 'local' ? '' : ` ${env.region}`}): ${usd(env.total.expected)}/month expected`,
    );
    out.push(
      `  traffic: ${num(env.traffic.requestsPerDay, 0)} requests/day — ${env.traffic.basis}; peak ${num(env.traffic.peakRps)} requests/s`,
    );
    const componentRows = [['  component', 'low', 'expected', 'high']];
    for (const component of env.components)
      componentRows.push([
        `  ${component.component}`,
        usd(component.low),
        usd(component.expected),
        usd(component.high),
      ]);
    out.push(...pad(componentRows));
    for (const component of env.components) {
      for (const item of component.lines)
        out.push(
          `    ${component.component}: ${item.item}: ${num(item.quantity, 3)} ${item.unit} × ${usd(item.unitUsd)} = ${usd(item.usd)}`,
        );
      if (component.note) out.push(`    ${component.component}: ${component.note}`);
    }
    if (env.modelOptions.length > 0) {
      out.push('  ways to buy the model at this traffic:');
      for (const option of env.modelOptions) {
        out.push(
          `    ${option.label}${option.configured ? ' (configured)' : ''}: ${usd(option.monthlyUsd)}/month${option.kind === 'on-demand' ? '' : `, ${option.units} × ${option.unitName}`}`,
        );
      }
      for (const words of breakEvenWords(env)) out.push(`    ${words}`);
    }
    for (const note of env.notes) out.push(`  note: ${note}`);
  }
  const warnings = allWarnings(report);
  if (warnings.length > 0) out.push('', 'warnings:', ...warnings.map((warning) => `  ${warning}`));
  if (report.stalePrices.length > 0) {
    out.push(
      '',
      `${report.stalePrices.length} price(s) checked more than ${report.maxPriceAgeDays} days ago — re-check them at their source:`,
    );
    for (const price of report.stalePrices)
      out.push(`  ${price.id} (${price.region}) checked ${price.checked}, ${price.ageDays} days ago — ${price.source}`);
  }
  if (report.diff) out.push('', ...renderDiffText(report.diff));
  return out.join('\n');
}

/** One line naming the defaulted constraints the estimate rests on; undefined when genai.yaml sets them all. */
function assumptionsLine(report: CostReport): string | undefined {
  if (report.assumptions.length === 0) return undefined;
  const list = report.assumptions.map(({ field, value }) => `${field}: ${value}`).join(', ');
  return `assumed (not set in genai.yaml; set them under constraints): ${list}`;
}

function renderDiffText(diff: CostDiff): string[] {
  const out = [`change against ${diff.base}:`];
  for (const env of diff.environments) {
    out.push(
      `  ${env.name}: ${env.before === null ? 'new' : usd(env.before)} → ${env.after === null ? 'removed' : usd(env.after)} (${signedUsd(env.deltaUsd)}${env.deltaPercent === null ? '' : `, ${env.deltaPercent >= 0 ? '+' : ''}${num(env.deltaPercent, 1)}%`})`,
    );
  }
  out.push(`  total: ${usd(diff.total.before)} → ${usd(diff.total.after)} (${signedUsd(diff.total.deltaUsd)})`);
  return out;
}

/** Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY. */
export function renderMarkdown(report: CostReport): string {
  const out: string[] = [`## genai cost: ${report.service}`, ''];
  out.push('| environment | target | requests/month | low | expected | high | per 1k requests | budget | status |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---|');
  for (const env of report.environments) {
    out.push(
      `| ${env.name} | ${env.target === 'local' ? 'local' : `${env.target} ${env.region}`} | ${num(env.traffic.requestsPerMonth, 0)} | ${usd(env.total.low)} | ${usd(env.total.expected)} | ${usd(env.total.high)} | ${env.per1kRequests ? usd(env.per1kRequests.expected) : '–'} | ${usd(env.budget.usd)} | ${statusMark[env.budget.status]} |`,
    );
  }
  out.push(
    `| **total** | | | ${usd(report.total.low)} | **${usd(report.total.expected)}** | ${usd(report.total.high)} | | ${usd(report.serviceBudget.usd)} | ${report.serviceBudget.complete ? statusMark[report.serviceBudget.status] : 'partial'} |`,
  );
  const assumed = assumptionsLine(report);
  if (assumed) out.push('', assumed);
  if (!report.gate.ok) {
    out.push('', '**Cost gate failed:**', '');
    for (const failure of report.gate.failures) out.push(`- ${failure.message}`);
  }
  if (report.diff) {
    out.push(
      '',
      `### Change against ${report.diff.base}`,
      '',
      '| environment | before | after | change |',
      '|---|---:|---:|---:|',
    );
    for (const env of report.diff.environments) {
      out.push(
        `| ${env.name} | ${env.before === null ? 'new' : usd(env.before)} | ${env.after === null ? 'removed' : usd(env.after)} | ${signedUsd(env.deltaUsd)}${env.deltaPercent === null ? '' : ` (${env.deltaPercent >= 0 ? '+' : ''}${num(env.deltaPercent, 1)}%)`} |`,
      );
    }
    out.push(
      `| **total** | ${usd(report.diff.total.before)} | ${usd(report.diff.total.after)} | ${signedUsd(report.diff.total.deltaUsd)} |`,
    );
  }
  out.push('', '**Tokens per request**', '', ...usageLines(report).map((text) => `- ${text}`));
  for (const env of report.environments) {
    out.push('', `### ${env.name} (${env.target}${env.target === 'local' ? '' : `, ${env.region}`})`, '');
    out.push(
      `Traffic: ${num(env.traffic.requestsPerDay, 0)} requests/day (${env.traffic.basis}); peak ${num(env.traffic.peakRps)} requests/s.`,
      '',
    );
    out.push('| component | low | expected | high | basis |', '|---|---:|---:|---:|---|');
    for (const component of env.components) {
      const basis =
        component.lines
          .map((item) => `${item.item}: ${num(item.quantity, 3)} ${item.unit} × ${usd(item.unitUsd)}`)
          .join('<br>') ||
        component.note ||
        '';
      out.push(
        `| ${component.component} | ${usd(component.low)} | ${usd(component.expected)} | ${usd(component.high)} | ${basis} |`,
      );
    }
    if (env.modelOptions.length > 0) {
      out.push('', '| way to buy the model | monthly at this traffic | capacity |', '|---|---:|---|');
      for (const option of env.modelOptions) {
        out.push(
          `| ${option.label}${option.configured ? ' (configured)' : ''} | ${usd(option.monthlyUsd)} | ${option.kind === 'on-demand' ? 'per token' : `${option.units} × ${option.unitName}`} |`,
        );
      }
      out.push('', ...breakEvenWords(env).map((words) => `- ${words}`));
    }
    if (env.notes.length > 0)
      out.push('', '<details><summary>Notes</summary>', '', ...env.notes.map((text) => `- ${text}`), '', '</details>');
  }
  const warnings = allWarnings(report);
  if (warnings.length > 0) out.push('', '**Warnings**', '', ...warnings.map((warning) => `- ⚠️ ${warning}`));
  const prices = new Map<string, PriceUsed>();
  for (const env of report.environments)
    for (const price of env.prices) prices.set(`${price.id}@${price.region}`, price);
  out.push(
    '',
    `<details><summary>Prices used (${prices.size}; ${report.stalePrices.length} checked more than ${report.maxPriceAgeDays} days ago)</summary>`,
    '',
  );
  out.push('| price | region | USD | unit | checked | source |', '|---|---|---:|---|---|---|');
  const stale = new Set(report.stalePrices.map((price) => `${price.id}@${price.region}`));
  for (const [key, price] of [...prices].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(
      `| \`${price.id}\` | ${price.region} | ${price.usd} | ${price.unit} | ${price.checked}${stale.has(key) ? ' ⚠️ stale' : ''} | ${price.source} |`,
    );
  }
  out.push('', '</details>');
  return out.join('\n') + '\n';
}
