/** The shapes shared by the eval engine: cases, responses, scores, results, runs. */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type Assertion =
  | { type: 'equals'; value: string; ignoreCase?: boolean; name?: string }
  | { type: 'contains'; value: string | string[]; mode?: 'all' | 'any'; ignoreCase?: boolean; name?: string }
  | { type: 'not-contains'; value: string | string[]; ignoreCase?: boolean; name?: string }
  | { type: 'regex'; pattern: string; flags?: string; name?: string }
  | { type: 'json-schema'; schema: Record<string, unknown>; name?: string }
  | { type: 'cites'; documentIds: string[]; name?: string }
  | { type: 'refusal'; expected?: boolean; name?: string }
  | { type: 'latency'; maxMs: number; name?: string }
  | { type: 'tokens'; max: number; name?: string }
  | { type: 'cost'; maxUsd: number; name?: string };

export interface EvalCase {
  id: string;
  input: { question?: string; messages?: ChatMessage[] };
  expected?: { answer?: string; facts?: string[]; documentIds?: string[]; refusal?: boolean };
  tags?: string[];
  assert?: Assertion[];
  /** Where the case was read from, for messages: "evals/dataset.jsonl:12". */
  location: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  embeddingTokens: number;
}

export interface RetrievedContext {
  documentId: string;
  title?: string | undefined;
  text: string;
  score?: number | undefined;
}

export interface TargetResponse {
  answer: string;
  refused: boolean;
  citations: { id: string; title?: string | undefined }[];
  usage: Usage;
  latencyMs: number;
  traceId?: string | undefined;
  contexts?: RetrievedContext[] | undefined;
  /** True when the response came from the cache instead of the target. */
  cached?: boolean;
}

/** One metric of one case. `pass` is absent for informational metrics, which never fail a case. */
export interface Score {
  value: number | null;
  pass?: boolean;
  /** Why: the judge's rationale, or what a deterministic check saw. */
  reason?: string | undefined;
  /** Judge metrics: who graded, how many times, and how much the repetitions agreed. */
  judge?: { model: string; offline: boolean; repeat: number; agreement: number; raw?: (number | string)[] };
  error?: string;
}

export type CaseState = 'passed' | 'failed' | 'errored';

export interface CaseResult {
  caseId: string;
  state: CaseState;
  response?: Omit<TargetResponse, 'cached'> & { cached?: boolean };
  scores: Record<string, Score>;
  error?: { kind: 'target' | 'judge'; message: string; metric?: string } | undefined;
  finishedAt: string;
}

/** What the summary, the gate and comparisons read of a score; a full Score is one. */
export interface ScoreFacts {
  value: number | null;
  pass?: boolean;
  error?: string;
  /** The judges' agreement, kept without the rest of `judge`. */
  agreement?: number;
  judge?: { agreement: number };
}

/**
 * What the summary, the gate and comparisons read of a case's result: no answer, no contexts, no
 * rationales. A full CaseResult is one; a run holds these in memory and leaves the full results on disk.
 */
export interface ResultFacts {
  caseId: string;
  state: CaseState;
  scores: Record<string, ScoreFacts>;
  response?: { latencyMs: number; usage: Usage; cached?: boolean | undefined };
}

export interface MetricSummary {
  name: string;
  /** Mean over the cases that have a value (or the percentile, for latencyP50Ms/latencyP95Ms). */
  value: number | null;
  count: number;
  passRate?: number | undefined;
  direction: 'higher' | 'lower';
  kind: 'assertion' | 'retrieval' | 'judge' | 'operational';
  /** Judge metrics graded by the offline heuristics say so. */
  offline?: boolean | undefined;
  agreement?: number | undefined;
  judgeErrors?: number | undefined;
}

export interface RunSummary {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  missing: number;
  errorRate: number;
  metrics: Record<string, MetricSummary>;
  usage: Usage;
  costUsd: number | null;
  cachedResponses: number;
}

/** Where the cases go: a URL, an environment's endpoint, or a service started for the run. */
export type TargetSpec = { kind: 'url'; url: string } | { kind: 'env'; env: string } | { kind: 'local' };

export interface RunTarget {
  kind: 'url' | 'env' | 'local';
  url: string;
  protocol: 'answer' | 'openai';
  model?: string | undefined;
  env?: string | undefined;
}

export interface RunOptions {
  concurrency: number;
  timeoutMs: number;
  retries: number;
  repeat: number;
  cache: boolean;
  filter: string[];
  sample?: number | undefined;
  seed?: number | undefined;
  retrievalK: number;
  judges: string[];
  judgeModel: { provider: string; id: string; baseUrl?: string | undefined } | null;
  /** Keep each case's retrieved contexts in results.jsonl (a judge reads them, or --store-contexts). */
  storeContexts?: boolean | undefined;
}

/** A move of one endpoint's concurrency limit during a run (see AdaptiveLimiter). */
export interface ConcurrencyChange {
  /** Milliseconds since the requests of this run (or of this resume) began. */
  atMs: number;
  /** Whose limiter moved: the target's, or the judge model's. */
  endpoint: 'target' | 'judge';
  limit: number;
  /** throttled: a 429 opened a congestion window (decrease); recovered: a window of successes (+1). */
  reason: 'throttled' | 'recovered';
}

/** How concurrency moved in the last session of a run: the configured maximum and every change. */
export interface ConcurrencyTrace {
  max: number;
  changes: ConcurrencyChange[];
}

export interface RunMeta {
  schemaVersion: 1;
  id: string;
  startedAt: string;
  finishedAt?: string | undefined;
  status: 'running' | 'finished' | 'interrupted';
  target: RunTarget;
  dataset: { path: string; hash: string; caseIds: string[] };
  options: RunOptions;
  summary?: RunSummary;
  gate?: GateResult;
  resumedAt?: string[];
  concurrency?: ConcurrencyTrace | undefined;
}

export interface ThresholdCheck {
  metric: string;
  threshold: number;
  value: number | null;
  direction: 'higher' | 'lower';
  pass: boolean;
  reason?: string;
}

export interface MovedCase {
  caseId: string;
  baseline: number;
  current: number;
  delta: number;
}

export interface MetricComparison {
  metric: string;
  direction: 'higher' | 'lower';
  baseline: number;
  current: number;
  /** current − baseline, in the metric's own unit. */
  delta: number;
  /** The delta in "improvement" units (positive is better), relative for unbounded metrics. */
  change: number;
  ci: [number, number];
  pairs: number;
  relative: boolean;
  regression: boolean;
  moved: MovedCase[];
}

export interface GateResult {
  pass: boolean;
  rule: string;
  thresholds: ThresholdCheck[];
  baseline?: { runId: string; label: string; maxRegression: number; comparisons: MetricComparison[] } | undefined;
  errorRate: { value: number; max: number; pass: boolean };
  reasons: string[];
}
