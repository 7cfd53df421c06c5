import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { isGenaiError, usageError } from '../errors.js';
import { asReportTotals, diffReports, type MaxIncrease, type ReportTotals } from './diff.js';
import { buildReport, usd, type CostReport } from './report.js';
import { costSettings, type CostManifest } from './settings.js';
import { readEvalUsage } from './usage-sources.js';
import type { WhatIf } from './usage.js';
import type { ExtraCheck } from '../manifest/index.js';

export {
  DEFAULT_CATALOG,
  lookupPrice,
  priceId,
  requestCostUsd,
  stalePrices,
  validatePrices,
  withOverrides,
} from './catalog.js';
export type { PriceQuote, RequestCostInput } from './catalog.js';
export type { Price, PriceCatalog, PriceUnit } from './price.js';
export { buildReport, renderMarkdown, renderText, REPORT_KIND, REPORT_VERSION } from './report.js';
export type { CostReport } from './report.js';
export type { GateFailure } from './types.js';
export { diffReports, parseMaxIncrease } from './diff.js';
export type { CostDiff, MaxIncrease } from './diff.js';
export type { EnvironmentEstimate } from './estimate.js';
export type { CostManifest } from './settings.js';
export { parseWhatIfAssignment } from './usage.js';
export type { WhatIf } from './usage.js';

export interface CostRequest {
  cwd: string;
  /** Environment names; every environment when empty. */
  environments?: string[] | undefined;
  /** An eval run id, or `latest`, whose measured usage replaces token figures. */
  fromEval?: string | undefined;
  /** One override per `--what-if users=40000`; a later one wins for the same key. */
  whatIf?: readonly WhatIf[] | undefined;
  /** A saved report (path) or a git ref to compare with. */
  diff?: string | undefined;
  /** From `--max-increase 10%` or `500` (US dollars); wins over cost.maxIncrease. */
  maxIncrease?: MaxIncrease | undefined;
  now?: Date | undefined;
}

/** `genai cost`: load the manifest, read measured usage if asked, estimate, and compare with a base. */
export async function estimateCost(request: CostRequest): Promise<CostReport> {
  // An unchanged genai.yaml that passed validation before is read without loading the validator.
  const { readValidatedManifest } = await import('../manifest/validated.js');
  const { manifest, assumed } = await readValidatedManifest(request.cwd);
  const whatIf: WhatIf = Object.assign({}, ...(request.whatIf ?? []));
  const measured = request.fromEval ? await readEvalUsage(request.cwd, request.fromEval) : undefined;
  const options = { environments: request.environments, whatIf, measured, now: request.now };
  const report = buildReport(manifest, { ...options, assumed });
  if (request.diff === undefined) return report;

  const { totals, label } = await readBase(request.cwd, request.diff, (base) => buildReport(base, options));
  const names = new Set(report.environments.map((env) => env.name));
  const scoped: ReportTotals = request.environments?.length
    ? { environments: totals.environments.filter((env) => names.has(env.name)) }
    : totals;
  const maxIncrease = request.maxIncrease ?? costSettings(manifest).maxIncrease;
  const diff = diffReports(scoped, report, label, maxIncrease);
  const failures = [...report.gate.failures, ...diff.failures];
  return { ...report, diff, gate: { ok: failures.length === 0, failures } };
}

/**
 * The base of a diff: a saved `genai cost --json` report, or genai.yaml at a git ref, estimated with
 * the same usage and options as the current one so that only the manifest change shows.
 */
async function readBase(
  cwd: string,
  base: string,
  estimate: (manifest: CostManifest) => CostReport,
): Promise<{ totals: ReportTotals; label: string }> {
  const path = isAbsolute(base) ? base : resolve(cwd, base);
  const isFile = await stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
  if (isFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw usageError('E_COST_DIFF_BASE', `${base} is not JSON: ${(err as Error).message.split('\n')[0]}`, {
        fix: 'save a report with genai cost --json > base.json',
      });
    }
    return { totals: asReportTotals(parsed, base), label: base };
  }
  if (!/^[\w./@{}~^-]+$/.test(base) || base.startsWith('-')) {
    throw usageError('E_COST_DIFF_BASE', `${JSON.stringify(base)} is neither a saved report nor a git ref`, {
      fix: 'pass a path to a genai cost --json report, or a git ref like origin/main',
    });
  }
  const { execa } = await import('execa');
  const shown = await execa('git', ['show', `${base}:./genai.yaml`], { cwd, reject: false });
  if (shown.exitCode !== 0) {
    const reason = String(shown.stderr).split('\n')[0] || 'git failed';
    throw usageError(
      'E_COST_DIFF_BASE',
      `${base} is neither a saved report nor a git ref with genai.yaml (${reason})`,
      {
        fix: 'pass a path to a genai cost --json report, or a git ref like origin/main (fetch it first in CI)',
      },
    );
  }
  const { validateManifest } = await import('../manifest/index.js');
  const validation = validateManifest(String(shown.stdout), `genai.yaml@${base}`);
  if (!validation.manifest) {
    const problem = validation.problems[0]!;
    throw usageError('E_COST_DIFF_BASE', `genai.yaml at ${base} is not valid: ${problem.message}`, {
      location: problem.location,
      fix: 'compare with a ref whose genai.yaml is valid',
    });
  }
  return { totals: estimate(validation.manifest), label: base };
}

export interface BudgetFinding {
  level: 'error' | 'warning';
  code: string;
  message: string;
  fix: string;
  location?: string | undefined;
  field?: string | undefined;
}

/**
 * The budget check of `genai check`: every environment's expected monthly cost (from the manifest's own
 * usage figures, no eval run) against its budget, stale prices, and models the catalog cannot price.
 * Never throws for a user's mistake: those become findings. `locate` turns a field into `genai.yaml:L:C`.
 */
/** `genai check`'s budget check: the findings above, located in genai.yaml. */
export const budgetCheck: ExtraCheck = (loaded, locateField) =>
  budgetFindings(loaded.manifest, { locate: locateField }).map((f) => ({
    ...f,
    location: f.location ?? loaded.file,
    field: f.field ?? 'constraints.budgetUsdPerMonth',
  }));

export function budgetFindings(
  manifest: CostManifest,
  options: { now?: Date; locate?: (field: string) => string | undefined } = {},
): BudgetFinding[] {
  const where = (field: string | undefined) => ({
    location: field ? options.locate?.(field) : undefined,
    field: field || undefined,
  });
  let report: CostReport;
  try {
    report = buildReport(manifest, { now: options.now });
  } catch (err) {
    if (!isGenaiError(err)) throw err;
    return [
      {
        level: 'warning',
        code: 'W_COST_NOT_ESTIMATED',
        message: `the budget cannot be checked: ${err.message}`,
        fix: err.fix ?? 'run genai cost for details',
        ...where(err.field),
      },
    ];
  }
  const findings: BudgetFinding[] = report.gate.failures.map((failure) => ({
    level: 'error',
    code: failure.code,
    message: failure.message,
    fix: failure.fix,
    ...where(failure.field),
  }));
  for (const env of report.environments) {
    if (env.budget.status !== 'at-risk') continue;
    findings.push({
      level: 'warning',
      code: 'W_COST_BUDGET_AT_RISK',
      message: `environment ${env.name}: expected ${usd(env.total.expected)}/month is within budget, but the high estimate ${usd(env.total.high)} exceeds ${usd(env.budget.usd)}`,
      fix: 'measure tokens per request with genai eval and genai cost --from-eval latest, or leave headroom in the budget',
      ...where(env.budget.field),
    });
  }
  if (report.stalePrices.length > 0) {
    findings.push({
      level: 'warning',
      code: 'W_COST_STALE_PRICES',
      message: `${report.stalePrices.length} price(s) behind the estimate were checked more than ${report.maxPriceAgeDays} days ago (oldest ${report.stalePrices[0]!.id}, ${report.stalePrices[0]!.checked})`,
      fix: 're-check them at their source and set current figures under cost.prices',
      ...where('cost.prices'),
    });
  }
  return findings;
}
