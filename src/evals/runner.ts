import { questionOf } from './dataset.js';
import { RequestFailure } from './http.js';
import { judgeCase, type JudgePanel } from './judges/index.js';
import type { Progress } from './progress.js';
import { scoreDeterministic, type ScoreContext } from './scorers.js';
import type { TargetClient } from './target.js';
import type { CaseResult, EvalCase, Score } from './types.js';

export interface RunnerDeps {
  target: TargetClient;
  panel: JudgePanel;
  scoring: Omit<ScoreContext, 'serviceRefusalFlag'>;
  concurrency: number;
  /** Called once per finished case, in finishing order; the run awaits it (the results file append). */
  record: (result: CaseResult) => Promise<void>;
  progress: Progress;
  signal?: AbortSignal | undefined;
  /** Keep the retrieved contexts in the recorded result (a judge reads them, or --store-contexts). */
  storeContexts?: boolean | undefined;
}

/** The state a case ends in, from what happened to it. Pure. */
export function caseState(scores: Record<string, Score>, targetFailed: boolean): CaseResult['state'] {
  if (targetFailed || Object.values(scores).some((s) => s.error)) return 'errored';
  return Object.values(scores).some((s) => s.pass === false) ? 'failed' : 'passed';
}

/**
 * Evaluates one case: ask the target, score, judge. Returns undefined when the run was stopped before the
 * case finished, so that it stays missing (and a resume runs it) instead of being recorded half-done.
 */
export async function evaluateCase(evalCase: EvalCase, deps: RunnerDeps): Promise<CaseResult | undefined> {
  const finishedAt = () => new Date().toISOString();
  let response;
  try {
    response = await deps.target.ask(evalCase, deps.signal);
  } catch (err) {
    if (deps.signal?.aborted) return undefined;
    const message = err instanceof RequestFailure ? err.message : String((err as Error)?.message ?? err);
    return {
      caseId: evalCase.id,
      state: 'errored',
      scores: {},
      error: { kind: 'target', message },
      finishedAt: finishedAt(),
    };
  }
  const scores = scoreDeterministic(evalCase, response, {
    ...deps.scoring,
    serviceRefusalFlag: deps.target.reportsRefusals,
  });
  const judged = await judgeCase(deps.panel, evalCase, response, questionOf(evalCase), deps.signal);
  if (deps.signal?.aborted) return undefined;
  Object.assign(scores, judged);
  const state = caseState(scores, false);
  const judgeError = Object.entries(judged).find(([, s]) => s.error);
  // Scorers and judges have read the contexts; the record keeps them only when asked.
  const { contexts, ...rest } = response;
  return {
    caseId: evalCase.id,
    state,
    response: deps.storeContexts && contexts ? { ...rest, contexts } : rest,
    scores,
    error: judgeError ? { kind: 'judge', metric: judgeError[0], message: judgeError[1].error! } : undefined,
    finishedAt: finishedAt(),
  };
}

/** Cases to run: a list, or how many there are and how to read each (a dataset read case by case). */
export type CaseList = readonly EvalCase[] | { readonly length: number; read(index: number): Promise<EvalCase> };

/**
 * Runs the cases with at most `concurrency` in flight; each finished case is recorded before the next is counted.
 * A case is read when a worker takes it, so that only the cases in flight are held.
 */
export async function runCases(cases: CaseList, deps: RunnerDeps): Promise<{ finished: number; stopped: boolean }> {
  let next = 0;
  let finished = 0;
  // A worker that fails (a case unreadable, the results file unwritable) stops the others from taking more.
  let failed = false;
  const worker = async () => {
    try {
      while (next < cases.length && !deps.signal?.aborted && !failed) {
        const index = next++;
        const evalCase = 'read' in cases ? await cases.read(index) : cases[index]!;
        const result = await evaluateCase(evalCase, deps);
        if (!result) continue;
        await deps.record(result);
        finished++;
        deps.progress.tick(result);
      }
    } catch (err) {
      failed = true;
      throw err;
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency, cases.length) }, worker));
  return { finished, stopped: Boolean(deps.signal?.aborted) };
}
