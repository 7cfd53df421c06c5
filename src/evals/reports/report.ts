import type { CaseResult, EvalCase, GateResult, ResultFacts, RunMeta, RunSummary, Score } from '../types.js';
import { questionOf } from '../dataset.js';

export const REPORT_SCHEMA = 'genai-eval-report';
export const REPORT_SCHEMA_VERSION = 1;

export interface ReportCase {
  id: string;
  tags: string[];
  question: string;
  expected?: EvalCase['expected'] | undefined;
  state: CaseResult['state'] | 'missing';
  answer?: string | undefined;
  refused?: boolean | undefined;
  citations?: { id: string; title?: string | undefined }[] | undefined;
  contexts?: { documentId: string; title?: string | undefined; text: string; score?: number | undefined }[] | undefined;
  traceId?: string | undefined;
  latencyMs?: number | undefined;
  usage?: { inputTokens: number; outputTokens: number; embeddingTokens: number } | undefined;
  cached?: boolean | undefined;
  scores: Record<string, Score>;
  error?: CaseResult['error'];
}

/**
 * Runs with more cases than this keep, in the report held in memory (what --json prints and the Markdown,
 * HTML and JUnit reports render), only the facts (id, question, state, latency, usage, and scores when it did
 * not pass) of the first LISTED_PROBLEM_CASES cases that failed or errored and of the first
 * PASSED_SAMPLE_CASES passed ones; the other cases, and those that did not finish, are counted in `omitted`. report.json and results.jsonl always
 * hold every case in full.
 */
export const FULL_REPORT_CASES = 2000;

/** Of a run above FULL_REPORT_CASES, the report in memory (and so the HTML report) keeps this many passed cases. */
export const PASSED_SAMPLE_CASES = 100;

/** Of a run above FULL_REPORT_CASES, the report in memory keeps at most this many cases that failed or errored. */
export const LISTED_PROBLEM_CASES = 2000;

/** The cases a report for people or CI leaves out of a large run, counted instead (report.json lists them). */
export interface OmittedCases {
  passed: number;
  failed: number;
  errored: number;
  missing: number;
}

/** The omitted failed and errored cases in words ("12 more failed and 3 more errored case(s)"), or ''. */
export function omittedProblems(omitted: OmittedCases | undefined): string {
  if (!omitted) return '';
  const parts = [
    omitted.failed ? `${formatCount(omitted.failed)} more failed` : '',
    omitted.errored ? `${formatCount(omitted.errored)} more errored` : '',
  ].filter(Boolean);
  return parts.length ? `${parts.join(' and ')} case(s)` : '';
}

/** The full record of a run (report.json): versioned, everything the other reports render. */
export interface EvalReport {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  run: Pick<RunMeta, 'id' | 'startedAt' | 'finishedAt' | 'status' | 'target' | 'options' | 'concurrency'> & {
    dataset: { path: string; hash: string };
  };
  judges: { names: string[]; model: string; offline: boolean; note?: string | undefined };
  summary: RunSummary;
  gate: GateResult;
  cases: ReportCase[];
  /** Set when `cases` carry only facts (more than FULL_REPORT_CASES cases): where the full cases are. */
  detail?: { cases: 'facts'; note: string } | undefined;
  /** Of a run above FULL_REPORT_CASES, the cases `cases` leaves out, counted (never in report.json, which lists all). */
  omitted?: OmittedCases | undefined;
}

export const OFFLINE_NOTE =
  'No judge model is configured (evals.judgeModel): judged metrics come from the offline heuristic judges (word overlap and patterns), not from a model.';

export function buildReport(input: {
  meta: RunMeta;
  cases: readonly EvalCase[];
  results: readonly (CaseResult | ResultFacts)[];
  summary: RunSummary;
  gate: GateResult;
  judgeNames: string[];
  detail?: EvalReport['detail'];
}): EvalReport {
  const byId = new Map(input.results.map((r) => [r.caseId, r]));
  const offline = !input.meta.options.judgeModel || input.meta.options.judgeModel.provider === 'offline';
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    run: {
      id: input.meta.id,
      startedAt: input.meta.startedAt,
      finishedAt: input.meta.finishedAt,
      status: input.meta.status,
      target: input.meta.target,
      dataset: { path: input.meta.dataset.path, hash: input.meta.dataset.hash },
      options: input.meta.options,
      concurrency: input.meta.concurrency,
    },
    judges: {
      names: input.judgeNames,
      model: offline
        ? 'offline-heuristic'
        : `${input.meta.options.judgeModel!.provider}:${input.meta.options.judgeModel!.id}`,
      offline,
      note: offline && input.judgeNames.length ? OFFLINE_NOTE : undefined,
    },
    summary: input.summary,
    gate: input.gate,
    cases: input.cases.map((c) => reportCase(c, byId.get(c.id))),
    ...(input.detail ? { detail: input.detail } : {}),
  };
}

/** A case of the report: what was asked and expected, and what came back (as much as `result` holds). */
export function reportCase(c: EvalCase, result: CaseResult | ResultFacts | undefined): ReportCase {
  const response = result?.response as Partial<NonNullable<CaseResult['response']>> | undefined;
  return {
    id: c.id,
    tags: c.tags ?? [],
    question: questionOf(c),
    expected: c.expected,
    state: result?.state ?? 'missing',
    answer: response?.answer,
    refused: response?.refused,
    citations: response?.citations,
    contexts: response?.contexts,
    // An empty trace id is none; `cached` is said only when true.
    traceId: response?.traceId || undefined,
    latencyMs: response?.latencyMs,
    usage: response?.usage,
    cached: response?.cached || undefined,
    scores: (result?.scores ?? {}) as Record<string, Score>,
    error: (result as CaseResult | undefined)?.error,
  };
}

/** Cases ordered worst first: errored, then failed by how many metrics failed, then the lowest mean score. */
export function worstCases(report: EvalReport, limit: number): ReportCase[] {
  const rank = { errored: 0, missing: 1, failed: 2, passed: 3 } as const;
  const failing = (c: ReportCase) => Object.values(c.scores).filter((s) => s.pass === false).length;
  const lowest = (c: ReportCase) =>
    Math.min(1, ...Object.values(c.scores).flatMap((s) => (s.pass !== undefined && s.value !== null ? [s.value] : [])));
  return report.cases
    .filter((c) => c.state !== 'passed')
    .sort(
      (a, b) =>
        rank[a.state] - rank[b.state] || failing(b) - failing(a) || lowest(a) - lowest(b) || a.id.localeCompare(b.id),
    )
    .slice(0, limit);
}

/** A metric value for people: percentages for 0..1 scores, units for the rest. */
export function formatMetric(name: string, value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (/Ms$/.test(name)) return `${Math.round(value)} ms`;
  if (name === 'tokens') return value.toFixed(0);
  if (name === 'costUsd') return `$${value.toFixed(value < 0.01 ? 5 : 3)}`;
  return value.toFixed(3);
}

/** A change for people: signed, in points for scores and percent for relative metrics. */
export function formatChange(value: number, relative: boolean): string {
  const sign = value > 0 ? '+' : value < 0 ? '−' : '±';
  return relative ? `${sign}${Math.abs(value * 100).toFixed(1)}%` : `${sign}${Math.abs(value).toFixed(3)}`;
}

/** A comparison in words: "0.333 worse", "15.6% better", "no change". */
export function describeChange(comparison: { change: number; relative: boolean }): string {
  if (Math.abs(comparison.change) < 1e-9) return 'no change';
  const size = comparison.relative
    ? `${Math.abs(comparison.change * 100).toFixed(1)}%`
    : Math.abs(comparison.change).toFixed(3);
  return `${size} ${comparison.change > 0 ? 'better' : 'worse'}`;
}

/** "1,234": counts for people. */
export const formatCount = (n: number) => n.toLocaleString('en-US');

/** Failing metrics of a case, with reasons, in one line. */
export function caseProblems(c: ReportCase): string {
  if (c.error) return `${c.error.kind} error${c.error.metric ? ` (${c.error.metric})` : ''}: ${c.error.message}`;
  if (c.state === 'missing') return 'did not finish';
  return Object.entries(c.scores)
    .filter(([, s]) => s.pass === false)
    .map(([name, s]) => `${name}: ${s.reason ?? formatMetric(name, s.value)}`)
    .join('; ');
}
