import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { EvalsSection } from '../manifest/sections/evals.js';
import { ResponseCache } from './cache.js';
import { ResultTable } from './facts.js';
import { openDataset, selectIndexes, type OpenedDataset } from './dataset.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_MAX_REGRESSION,
  DEFAULT_RETRIES,
  DEFAULT_RETRIEVAL_K,
  DEFAULT_SEED,
  DEFAULT_TIMEOUT_MS,
} from './defaults.js';
import { targetFromFlags, type EvalFlags } from './flags.js';
import { compareRuns, decideGate } from './gate.js';
import { AdaptiveLimiter, type RetryPolicy } from './http.js';
import { judgeModel, judgeSpecs, type JudgePanel } from './judges/index.js';
import { summarize } from './metrics.js';
import { silentProgress, type Progress } from './progress.js';
import {
  buildReport,
  FULL_REPORT_CASES,
  LISTED_PROBLEM_CASES,
  PASSED_SAMPLE_CASES,
  reportCase,
  type EvalReport,
  type ReportCase,
} from './reports/report.js';
import { runCases } from './runner.js';
import {
  cacheDir,
  newRunId,
  readResultFacts,
  readRunMeta,
  repairResults,
  resolveBaseline,
  ResultsReader,
  ResultsWriter,
  runDir,
  writeBaseline,
  writeRunMeta,
} from './store.js';
import { resolveTarget, targetClient, type Protocol } from './target.js';
import type {
  ConcurrencyChange,
  GateResult,
  ResultFacts,
  RunMeta,
  RunOptions,
  RunSummary,
  RunTarget,
  TargetSpec,
} from './types.js';

export { readRun, listRuns, readBaseline, writeBaseline, type StoredRun } from './store.js';
export { loadDataset, openDataset, selectCases } from './dataset.js';
export { datasetCheck } from './dataset-check.js';
export type { EvalReport, ReportCase } from './reports/report.js';
export type * from './types.js';
export { parseShare, targetFromFlags, type EvalFlags } from './flags.js';
export { renderSummary, verdictOf, type EvalSummary, type EvalVerdict } from './reports/summary.js';

/** A target ready for requests; `stop` is called after the run (for --local). */
export interface OpenedTarget {
  url: string;
  /** The API key a local environment's service requires (sent as Authorization: Bearer). */
  apiKey?: string | undefined;
  stop?: () => Promise<void>;
}

/** Fields are `T | undefined` where the command passes a flag that may be absent: undefined means "not given". */
export interface EvalRequest {
  /** The project folder: .genai/ lives here, and relative paths resolve from here. */
  cwd: string;
  /** The manifest's evals section, when there is a genai.yaml. */
  evals?: EvalsSection | undefined;
  maxRegression?: number | undefined;
  /** Overrides evals.dataset. */
  dataset?: string | undefined;
  /** Absent only with `resume`, which reuses the run's target. */
  target?: TargetSpec | undefined;
  /** Turns a target spec into a base URL; default `openTarget`. */
  openTarget?: ((spec: TargetSpec) => Promise<OpenedTarget>) | undefined;
  protocol?: Protocol | 'auto' | undefined;
  model?: string | undefined;
  concurrency?: number | undefined;
  timeoutMs?: number | undefined;
  retries?: number | undefined;
  repeat?: number | undefined;
  cache?: boolean | undefined;
  filter?: string[] | undefined;
  sample?: number | undefined;
  seed?: number | undefined;
  maxErrorRate?: number | undefined;
  baseline?: string | undefined;
  resume?: string | undefined;
  saveBaseline?: string | undefined;
  /** Keep each case's retrieved contexts in results.jsonl even when no judge reads them. */
  storeContexts?: boolean | undefined;
  /** Extra copies of the reports. */
  outputs?:
    | {
        json?: string | undefined;
        junit?: string | undefined;
        markdown?: string | undefined;
        html?: string | undefined;
      }
    | undefined;
  /** Appended Markdown summary, e.g. $GITHUB_STEP_SUMMARY. */
  stepSummary?: string | undefined;
  signal?: AbortSignal | undefined;
  progress?: Progress | undefined;
  /** Told of every change of a concurrency limit as it happens (`--verbose`). */
  onConcurrencyChange?: ((change: ConcurrencyChange) => void) | undefined;
}

export interface EvalOutcome {
  report: EvalReport;
  /** Files written: the run folder's reports and any requested copies. */
  files: { runDir: string; json: string; junit: string; markdown: string; html: string; extra: string[] };
  interrupted: boolean;
  baselineSaved?: string | undefined;
}

/**
 * `genai eval`: reads the evals section of genai.yaml (unless only --dataset is given), then runs the
 * target the flags name. What a terminal adds (Ctrl-C, progress, the CI step summary) comes in `session`.
 */
export async function evaluate(
  flags: EvalFlags,
  session: Pick<EvalRequest, 'signal' | 'progress' | 'stepSummary' | 'onConcurrencyChange'> = {},
): Promise<EvalOutcome> {
  let project: { evals: EvalsSection | undefined; maxRegression: number } | undefined;
  // A run given its dataset (--dataset, or the run resumed) needs no genai.yaml; with one, its evals section counts.
  if (existsSync(join(flags.cwd, 'genai.yaml')) || !(flags.dataset || flags.resume)) {
    // The validated-manifest cache `genai cost` uses: zod and yaml load only when genai.yaml changed.
    const { readValidatedManifest } = await import('../manifest/validated.js');
    const { manifest } = await readValidatedManifest(flags.cwd);
    project = { evals: manifest.evals, maxRegression: manifest.promotion.maxRegression };
  }
  const target = targetFromFlags(flags);
  if (!target && !flags.resume) {
    throw usageError('E_EVAL_NO_TARGET', 'no target to evaluate', { fix: 'pass --url URL, --env ENV or --local' });
  }
  return runEval({
    cwd: flags.cwd,
    evals: project?.evals,
    maxRegression: project?.maxRegression,
    dataset: flags.dataset,
    target,
    protocol: flags.protocol,
    model: flags.model,
    concurrency: flags.concurrency,
    timeoutMs: flags.timeout,
    retries: flags.retries,
    repeat: flags.repeat,
    cache: flags.cache,
    filter: flags.filter,
    sample: flags.sample,
    seed: flags.seed,
    maxErrorRate: flags['max-error-rate'],
    baseline: flags.baseline,
    resume: flags.resume,
    saveBaseline: flags['save-baseline'],
    storeContexts: flags['store-contexts'],
    outputs: { json: flags.report, junit: flags.junit, markdown: flags.markdown, html: flags.html },
    stepSummary: session.stepSummary,
    signal: session.signal,
    progress: session.progress,
    onConcurrencyChange: session.onConcurrencyChange,
  });
}

/** Opens a target: a URL as it is, a running environment's endpoint, or the service started for the run. */
export async function openTarget(cwd: string, spec: TargetSpec): Promise<OpenedTarget> {
  if (spec.kind === 'url') return { url: spec.url };
  const environments = await import('../environments/index.js');
  if (spec.kind === 'env') {
    const { readEnvironmentKeys } = await import('../environments/service-env.js');
    const url = await environments.environmentEndpoint(cwd, spec.env);
    return { url, apiKey: readEnvironmentKeys(resolve(cwd), spec.env)?.apiKey };
  }
  return environments.startEphemeralService(cwd);
}

/** Runs (or resumes) an eval: selects cases, asks the target, scores and judges, stores, gates, reports. */
export async function runEval(request: EvalRequest): Promise<EvalOutcome> {
  const cwd = resolve(request.cwd);
  const evals = request.evals;
  const previous = request.resume ? await readRunMeta(cwd, request.resume) : undefined;

  // An empty --dataset or --model counts as not given.
  const datasetPath = previous?.meta.dataset.path ?? (request.dataset || evals?.dataset);
  if (!datasetPath) {
    throw usageError('E_EVAL_NO_DATASET', 'no eval dataset', {
      fix: 'set evals.dataset in genai.yaml or pass --dataset FILE',
    });
  }
  // Validated in one streaming pass (located errors before any request); the cases are read again one by one.
  const dataset = await openDataset(isAbsolute(datasetPath) ? datasetPath : join(cwd, datasetPath), cwd);
  try {
    return await runOpened(request, cwd, previous, dataset);
  } finally {
    await dataset.cases.close();
  }
}

async function runOpened(
  request: EvalRequest,
  cwd: string,
  previous: { meta: RunMeta } | undefined,
  dataset: OpenedDataset,
): Promise<EvalOutcome> {
  const evals = request.evals;
  if (previous && previous.meta.dataset.hash !== dataset.hash) {
    throw usageError('E_EVAL_RESUME_DATASET', `the dataset changed since run ${previous.meta.id} started`, {
      fix: 'start a new run (without --resume), or restore the dataset',
      location: dataset.path,
    });
  }
  const options: RunOptions = previous
    ? {
        ...previous.meta.options,
        concurrency: request.concurrency ?? previous.meta.options.concurrency,
        timeoutMs: request.timeoutMs ?? previous.meta.options.timeoutMs,
        retries: request.retries ?? previous.meta.options.retries,
      }
    : {
        concurrency: request.concurrency ?? evals?.concurrency ?? DEFAULT_CONCURRENCY,
        timeoutMs: request.timeoutMs ?? evals?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        retries: request.retries ?? evals?.retries ?? DEFAULT_RETRIES,
        repeat: request.repeat ?? 1,
        cache: request.cache ?? true,
        filter: request.filter ?? [],
        sample: request.sample,
        seed: request.seed,
        retrievalK: evals?.retrievalK ?? DEFAULT_RETRIEVAL_K,
        judges: judgeSpecs(evals ?? {}).map((s) => s.name),
        judgeModel:
          evals?.judgeModel && evals.judgeModel.provider !== 'offline'
            ? {
                provider: evals.judgeModel.provider,
                id: evals.judgeModel.id,
                baseUrl: evals.judgeModel.baseUrl,
              }
            : null,
        storeContexts: request.storeContexts || undefined,
      };
  const source = dataset.cases;
  // The run's cases as positions in the dataset: the cases themselves are read when a worker takes one.
  let selected: number[];
  if (previous) {
    const indexOf = new Map<string, number>();
    for (let i = 0; i < source.size; i++) indexOf.set(source.id(i), i);
    selected = previous.meta.dataset.caseIds.map((id) => indexOf.get(id)!);
  } else selected = selectIndexes(source, { filter: options.filter, sample: options.sample, seed: options.seed });

  const specs = judgeSpecs(evals ?? {}, options.judges);
  // Retrieved contexts are most of a result's size: kept only when a judge reads them or when asked.
  options.storeContexts ||= specs.some((spec) => spec.shows.includes('contexts'));
  const missingJudges = options.judges.filter((name) => !specs.some((s) => s.name === name));
  if (missingJudges.length) {
    throw usageError(
      'E_EVAL_RESUME_JUDGES',
      `run ${previous?.meta.id} used judges no longer in genai.yaml: ${missingJudges.join(', ')}`,
      {
        fix: 'restore them in evals.judges/evals.custom, or start a new run',
      },
    );
  }

  // A wrong --baseline is a usage error before any request is made.
  const baselineRef = request.baseline ? await resolveBaseline(cwd, request.baseline) : undefined;

  // The judge model's client checks its credentials here, before a target is opened or a run recorded.
  const policy: RetryPolicy = { timeoutMs: options.timeoutMs, retries: options.retries };
  const limits = concurrencyTrace(options.concurrency, request.onConcurrencyChange);
  const judgeConfig = evals?.judgeModel && evals.judgeModel.provider !== 'offline' ? evals.judgeModel : undefined;
  const judge = judgeConfig ? await judgeModel(judgeConfig, { policy, limiter: limits.limiter('judge') }) : undefined;

  const targetSpec: TargetSpec | undefined = request.target ?? (previous ? specOf(previous.meta.target) : undefined);
  if (!targetSpec)
    throw usageError('E_EVAL_NO_TARGET', 'no target to evaluate', { fix: 'pass --url URL, --env ENV or --local' });
  const opened = await (request.openTarget ?? ((spec) => openTarget(cwd, spec)))(targetSpec);
  try {
    const target = await resolveTarget(opened.url, {
      protocol: request.protocol ?? previous?.meta.target.protocol ?? 'auto',
      model: request.model || previous?.meta.target.model,
      timeoutMs: options.timeoutMs,
      kind: targetSpec.kind,
      env: targetSpec.kind === 'env' ? targetSpec.env : undefined,
    });
    const { fingerprint: _fingerprint, ...runTarget } = target;

    const meta: RunMeta = previous
      ? {
          ...previous.meta,
          status: 'running',
          target: runTarget,
          resumedAt: [...(previous.meta.resumedAt ?? []), new Date().toISOString()],
        }
      : {
          schemaVersion: 1,
          id: newRunId(),
          startedAt: new Date().toISOString(),
          status: 'running',
          target: runTarget,
          dataset: { path: dataset.path, hash: dataset.hash, caseIds: selected.map((i) => source.id(i)) },
          options,
        };
    delete meta.finishedAt;
    delete meta.summary;
    delete meta.gate;
    delete meta.concurrency;
    await writeRunMeta(cwd, meta);
    if (previous) await repairResults(cwd, meta.id);
    // What the summary and gate need of every result stays in memory; the results themselves on disk.
    // With each result's facts, the table keeps where its line sits, to read it back for the reports.
    const facts = previous
      ? (await readResultFacts(cwd, meta.id, selected.length)).facts
      : new ResultTable(selected.length);
    const todo = selected.filter((i) => !facts.has(source.id(i)));

    const cache = new ResponseCache(cacheDir(cwd), options.cache);
    const panel: JudgePanel = {
      specs,
      model: judge,
      repeat: options.repeat,
      temperature: judgeConfig?.temperature ?? (options.repeat > 1 ? 0.7 : 0),
      malformedRetries: 2,
      cache,
    };
    const writer = await ResultsWriter.open(cwd, meta.id);
    const progress = request.progress ?? silentProgress;
    progress.start(selected.length, selected.length - todo.length);
    let stopped = false;
    try {
      ({ stopped } = await runCases(
        { length: todo.length, read: (k) => source.read(todo[k]!) },
        {
          target: targetClient(target, { policy, limiter: limits.limiter('target'), cache, apiKey: opened.apiKey }),
          panel,
          scoring: { retrievalK: options.retrievalK, pricing: evals?.pricing },
          concurrency: options.concurrency,
          record: async (result) => {
            facts.add(result, await writer.append(result));
          },
          storeContexts: options.storeContexts ?? false,
          progress,
          signal: request.signal,
        },
      ));
    } finally {
      progress.stop();
      await writer.close();
    }

    const summary = summarize(facts, {
      judgeNames: new Set(specs.map((s) => s.name)),
      offlineJudges: !panel.model,
      caseIds: meta.dataset.caseIds,
    });
    const gate = await gateResults(cwd, meta.id, facts, summary, {
      evals,
      maxRegression: request.maxRegression,
      maxErrorRate: request.maxErrorRate,
      baseline: baselineRef,
      seed: options.seed,
    });
    const finalMeta: RunMeta = {
      ...meta,
      status: stopped ? 'interrupted' : 'finished',
      finishedAt: stopped ? undefined : new Date().toISOString(),
      summary,
      gate,
      concurrency: limits.trace,
    };
    await writeRunMeta(cwd, finalMeta);
    // One pass over the cases, in dataset order: each case and its result are read back (by byte offset) and
    // streamed into report.json. Of a large run, the report held in memory (what --json prints and the other
    // reports render) keeps the facts of the first LISTED_PROBLEM_CASES cases that failed or errored and of the
    // first PASSED_SAMPLE_CASES passed ones, and counts the rest in `omitted`.
    const full = selected.length <= FULL_REPORT_CASES;
    const report = buildReport({
      meta: finalMeta,
      cases: [],
      results: [],
      summary,
      gate,
      judgeNames: specs.map((s) => s.name),
      detail: full
        ? undefined
        : {
            cases: 'facts',
            note: `${selected.length} cases: this report lists the first ${LISTED_PROBLEM_CASES} cases that failed or errored (state, latency, usage and scores) and the first ${PASSED_SAMPLE_CASES} passed ones (state, latency and usage), and counts the others in \`omitted\`; report.json and results.jsonl hold every case in full`,
          },
    });
    const reader = await ResultsReader.open(cwd, meta.id);
    let files: EvalOutcome['files'];
    try {
      files = await writeReports(cwd, report, request, async (write) => {
        const omitted = { passed: 0, failed: 0, errored: 0, missing: 0 };
        let passed = 0;
        let problems = 0;
        for (const i of selected) {
          const c = await source.read(i);
          const where = facts.where(c.id);
          const shown = reportCase(c, where ? await reader.read(where) : undefined);
          await write(shown);
          if (full) report.cases.push(shown);
          else if (shown.state === 'missing') omitted.missing++;
          else if (shown.state === 'passed' && passed++ >= PASSED_SAMPLE_CASES) omitted.passed++;
          else if (shown.state !== 'passed' && problems++ >= LISTED_PROBLEM_CASES) omitted[shown.state]++;
          else report.cases.push(factsCase(shown, facts.get(c.id), source.tags(i)));
        }
        // Set once report.json's head is written: report.json lists every case and has no `omitted`.
        if (!full) report.omitted = omitted;
      });
    } finally {
      await reader.close();
    }
    let baselineSaved: string | undefined;
    if (request.saveBaseline && gate.pass && !stopped) {
      await writeBaseline(cwd, request.saveBaseline, meta.id);
      baselineSaved = request.saveBaseline;
    }
    return { report, files, interrupted: stopped, baselineSaved };
  } finally {
    await opened.stop?.();
  }
}

/** One limiter per endpoint, whose changes land, stamped from one clock, in the run's trace. */
function concurrencyTrace(max: number, onChange: ((change: ConcurrencyChange) => void) | undefined) {
  const startedAt = performance.now();
  const trace = { max, changes: [] as ConcurrencyChange[] };
  return {
    trace,
    limiter: (endpoint: ConcurrencyChange['endpoint']) =>
      new AdaptiveLimiter(max, {
        onChange: ({ limit, reason }) => {
          const change = { atMs: Math.round(performance.now() - startedAt), endpoint, limit, reason };
          trace.changes.push(change);
          onChange?.(change);
        },
      }),
  };
}

/**
 * A case of a large run's report in memory: what it asked, its state, latency and usage; the expected answer
 * and scores only when it did not pass (the full case is in report.json).
 */
function factsCase(
  shown: ReportCase,
  caseFacts: ResultFacts | undefined,
  tags: readonly string[] | undefined,
): ReportCase {
  const passed = shown.state === 'passed';
  const response = caseFacts?.response;
  return {
    id: shown.id,
    tags: (tags ?? NO_TAGS) as string[],
    question: shown.question,
    expected: passed ? undefined : shown.expected,
    state: shown.state,
    latencyMs: response?.latencyMs,
    usage: response?.usage,
    cached: response?.cached || undefined,
    scores: passed || !caseFacts ? {} : (caseFacts.scores as ReportCase['scores']),
    ...(shown.error ? { error: shown.error } : {}),
  };
}

const NO_TAGS: readonly string[] = Object.freeze([]);

function specOf(target: RunTarget): TargetSpec {
  if (target.kind === 'env' && target.env) return { kind: 'env', env: target.env };
  if (target.kind === 'local') return { kind: 'local' };
  return { kind: 'url', url: target.url };
}

/**
 * Writes the run folder's reports and the requested copies. report.json is streamed case by case
 * (`writeCases`), so that it holds every case in full however many there are; the other reports are
 * rendered one at a time from `report`, so that only one of them is a string in memory at once.
 */
async function writeReports(
  cwd: string,
  report: EvalReport,
  request: EvalRequest,
  writeCases: (write: (c: ReportCase) => Promise<void>) => Promise<void>,
): Promise<EvalOutcome['files']> {
  const dir = runDir(cwd, report.run.id);
  const files = {
    runDir: dir,
    json: join(dir, 'report.json'),
    junit: join(dir, 'junit.xml'),
    markdown: join(dir, 'report.md'),
    html: join(dir, 'report.html'),
    extra: [] as string[],
  };
  const copy = async (format: 'json' | 'junit' | 'markdown' | 'html') => {
    const target = request.outputs?.[format];
    if (!target) return;
    const path = resolve(cwd, target);
    await mkdir(dirname(path), { recursive: true });
    await copyFile(files[format], path);
    files.extra.push(path);
  };
  await writeReportJson(files.json, report, writeCases);
  await copy('json');
  // Of a large run, the HTML report renders the report held in memory (the cases that did not pass, a sample of
  // the passed ones, the others counted); Markdown and JUnit leave the sample out.
  const html = report;
  const shown: EvalReport = report.omitted
    ? {
        ...report,
        cases: report.cases.filter((c) => c.state !== 'passed'),
        omitted: { ...report.omitted, passed: report.summary.passed },
      }
    : report;
  const { renderJunit } = await import('./reports/junit.js');
  await writeFile(files.junit, renderJunit(shown));
  await copy('junit');
  const { renderMarkdown } = await import('./reports/markdown.js');
  const markdown = renderMarkdown(shown);
  await writeFile(files.markdown, markdown);
  await copy('markdown');
  if (request.stepSummary) await appendFile(request.stepSummary, markdown);
  const { renderHtml } = await import('./reports/html.js');
  await writeFile(files.html, renderHtml(html));
  await copy('html');
  return files;
}

/**
 * report.json as JSON.stringify(report, null, 2) would write it, but with the cases streamed one by one
 * from `writeCases` instead of from `report.cases`.
 */
async function writeReportJson(
  file: string,
  report: EvalReport,
  writeCases: (write: (c: ReportCase) => Promise<void>) => Promise<void>,
): Promise<void> {
  const marker = '\u0000cases\u0000';
  const [head, tail] = JSON.stringify({ ...report, cases: [marker] }, null, 2).split(
    `    ${JSON.stringify(marker)}`,
  ) as [string, string];
  const handle = await open(file, 'w');
  try {
    let buffered = head;
    let first = true;
    await writeCases(async (c) => {
      buffered += `${first ? '' : ',\n'}    ${JSON.stringify(c, null, 2).replace(/\n/g, '\n    ')}`;
      first = false;
      if (buffered.length > 1 << 20) {
        await handle.write(buffered);
        buffered = '';
      }
    });
    await handle.write(first ? `${head.replace(/\[\n$/, '[')}${tail.replace(/^\n\s*/, '')}\n` : `${buffered}${tail}\n`);
  } finally {
    await handle.close();
  }
}

interface GateOptions {
  evals?: EvalsSection | undefined;
  maxRegression?: number | undefined;
  maxErrorRate?: number | undefined;
  baseline?: { runId: string; label: string } | undefined;
  seed?: number | undefined;
}

/** The gate over a run's results: thresholds, error rate, and regression against a baseline run. */
async function gateResults(
  cwd: string,
  runId: string,
  results: Iterable<ResultFacts>,
  summary: RunSummary,
  options: GateOptions,
): Promise<GateResult> {
  const maxRegression = options.maxRegression ?? DEFAULT_MAX_REGRESSION;
  let baseline: { runId: string; label: string; comparisons: ReturnType<typeof compareRuns> } | undefined;
  if (options.baseline && options.baseline.runId !== runId) {
    const stored = await readResultFacts(cwd, options.baseline.runId);
    baseline = {
      ...options.baseline,
      comparisons: compareRuns(stored.facts, results, { maxRegression, seed: options.seed ?? DEFAULT_SEED }),
    };
  }
  return decideGate({
    summary,
    thresholds: options.evals?.thresholds ?? {},
    maxErrorRate: options.maxErrorRate ?? options.evals?.maxErrorRate ?? DEFAULT_MAX_ERROR_RATE,
    maxRegression,
    baseline,
  });
}

/**
 * The gate of a finished run, decided again with today's thresholds and against `baseline` (a run id,
 * "latest", or an environment with a saved baseline): how `genai promote` judges a reused eval.
 */
export async function gateRun(
  cwd: string,
  runId: string,
  options: { evals?: EvalsSection | undefined; maxRegression?: number | undefined; baseline?: string | undefined },
): Promise<GateResult> {
  const run = await readRunMeta(cwd, runId);
  if (!run.meta.summary) {
    throw usageError('E_EVAL_RUN_UNFINISHED', `eval run ${runId} did not finish`, {
      fix: `finish it with genai eval --resume ${runId}, or run a new one`,
    });
  }
  const { facts } = await readResultFacts(cwd, run.meta.id);
  return gateResults(cwd, runId, facts, run.meta.summary, {
    evals: options.evals,
    maxRegression: options.maxRegression,
    baseline: options.baseline ? await resolveBaseline(cwd, options.baseline) : undefined,
    seed: run.meta.options.seed,
  });
}
