import type { RunSummary } from '../evals/index.js';
import type { Manifest } from '../manifest/index.js';
import { appendLedger } from './ledger.js';
import type { LedgerEntry } from './ledger-types.js';

/** An eval of one environment's running release, as the promotion reads it. */
export interface EnvironmentEval {
  runId: string;
  reused: boolean;
  interrupted: boolean;
  total: number;
  passed: number;
  errored: number;
  scores: Record<string, number>;
  /** Cases that passed, in dataset order: the smoke eval asks some of them again. */
  passedCaseIds: string[];
}

export interface EnvironmentEvalRequest {
  projectDir: string;
  manifest: Manifest;
  env: string;
  url: string;
  releaseId: string;
  /** A recorded eval of the same release to reuse instead of asking again. */
  reuse?: LedgerEntry<'eval.finished'> | undefined;
  /** Only these cases (the smoke eval). */
  caseIds?: string[] | undefined;
  sample?: number | undefined;
  /** False for the smoke eval: it must ask the newly deployed service, not the cache. */
  cache?: boolean | undefined;
  /** Recorded with the eval: a smoke eval is never reused as a gate's. */
  purpose: 'gate' | 'smoke';
  signal?: AbortSignal | undefined;
}

/**
 * Runs the project's eval suite against an environment's URL (or reuses a recorded run of the same
 * release) and records `eval.finished` in the ledger with the run's report path and scores.
 */
export async function runEnvironmentEval(request: EnvironmentEvalRequest): Promise<EnvironmentEval> {
  const evals = await import('../evals/index.js');
  const { projectDir, env, releaseId } = request;
  if (request.reuse) {
    const stored = await evals.readRun(projectDir, request.reuse.runId).catch(() => undefined);
    if (stored?.meta.status === 'finished' && stored.meta.summary) {
      const passed = new Set(stored.results.filter((r) => r.state === 'passed').map((r) => r.caseId));
      const passedCaseIds = stored.meta.dataset.caseIds.filter((id) => passed.has(id));
      return { ...evalOf(stored.meta.id, stored.meta.summary, passedCaseIds), reused: true, interrupted: false };
    }
  }
  const outcome = await evals.runEval({
    cwd: projectDir,
    evals: request.manifest.evals,
    maxRegression: request.manifest.promotion.maxRegression,
    target: { kind: 'env', env },
    // A local environment's service requires its API key; a cloud one has no keys file here.
    openTarget: async () => ({
      url: request.url,
      apiKey: (await import('../environments/service-env.js')).readEnvironmentKeys(projectDir, env)?.apiKey,
    }),
    filter: request.caseIds?.map((id) => `id=${id}`),
    sample: request.sample,
    cache: request.cache,
    signal: request.signal,
  });
  // The report lists the cases in dataset order, with their states: no need to read the results back.
  const { report } = outcome;
  const passedCaseIds = report.cases.filter((c) => c.state === 'passed').map((c) => c.id);
  const result = {
    ...evalOf(report.run.id, report.summary, passedCaseIds),
    reused: false,
    interrupted: outcome.interrupted,
  };
  if (!outcome.interrupted) {
    await appendLedger(projectDir, {
      kind: 'eval.finished',
      env,
      releaseId,
      runId: result.runId,
      reportPath: `.genai/evals/runs/${result.runId}/report.json`,
      pass: outcome.report.gate.pass,
      scores: result.scores,
      purpose: request.purpose,
    });
  }
  return result;
}

/** What a promotion reads of a run: counts, scores rounded for the ledger, and the cases that passed. */
function evalOf(runId: string, summary: RunSummary, passedCaseIds: string[]) {
  const scores: Record<string, number> = {};
  for (const metric of Object.values(summary.metrics)) {
    if (metric.value !== null) scores[metric.name] = Number(metric.value.toFixed(4));
  }
  return { runId, total: summary.total, passed: summary.passed, errored: summary.errored, scores, passedCaseIds };
}

export interface GateDecision {
  pass: boolean;
  reasons: string[];
  summary: string;
}

/**
 * The promotion gate over a finished run: the manifest's thresholds, and no regression beyond
 * `promotion.maxRegression` against TO's baseline (the run that admitted TO's current release), judged
 * with the eval engine's paired-bootstrap confidence intervals.
 */
export async function gateAgainstBaseline(
  projectDir: string,
  manifest: Manifest,
  runId: string,
  to: string,
): Promise<GateDecision> {
  const evals = await import('../evals/index.js');
  const baseline = await evals.readBaseline(projectDir, to);
  const gate = await evals.gateRun(projectDir, runId, {
    evals: manifest.evals,
    maxRegression: manifest.promotion.maxRegression,
    baseline: baseline ? to : undefined,
  });
  const compared = gate.baseline
    ? `against ${to}'s baseline (run ${gate.baseline.runId}, max regression ${gate.baseline.maxRegression})`
    : `no baseline for ${to} yet: regression not checked`;
  const thresholds = `${gate.thresholds.filter((t) => t.pass).length}/${gate.thresholds.length} thresholds met`;
  return {
    pass: gate.pass,
    reasons: gate.reasons,
    summary: gate.pass ? `${thresholds}; ${compared}` : `${gate.reasons.join('; ')} (${compared})`,
  };
}
