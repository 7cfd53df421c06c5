import { GenaiError } from '../../errors.js';
import type { EvalsSection } from '../../manifest/sections/evals.js';
import { cacheKey, type ResponseCache } from '../cache.js';
import { RequestFailure } from '../http.js';
import type { EvalCase, Score, TargetResponse } from '../types.js';
import type { JudgeModel } from './model.js';
import { offlineVerdict } from './offline.js';
import { builtInJudges, customJudgeSpec, judgeInput, judgeMessages, type JudgeSpec } from './spec.js';
import { gradeOf, majority, MalformedVerdict, parseVerdict, type Verdict } from './verdict.js';

export { builtInJudges, customJudgeSpec, judgeMessages, type JudgeSpec } from './spec.js';
export { gradeOf, majority, MalformedVerdict, parseVerdict } from './verdict.js';
export { offlineVerdict } from './offline.js';
export { judgeModel, type JudgeModel } from './model.js';

/** The judges a run uses: the built-in ones listed in evals.judges, then the custom ones. */
export function judgeSpecs(evals: Pick<EvalsSection, 'judges' | 'custom'>, only?: string[]): JudgeSpec[] {
  const specs = [
    ...(evals.judges ?? []).map((name) => builtInJudges[name]),
    ...(evals.custom ?? []).map(customJudgeSpec),
  ];
  return only ? specs.filter((s) => only.includes(s.name)) : specs;
}

export interface JudgePanel {
  specs: JudgeSpec[];
  /** undefined: the offline heuristics grade. */
  model?: JudgeModel | undefined;
  repeat: number;
  temperature: number;
  /** Re-asks after a malformed reply before recording a judge error. */
  malformedRetries: number;
  cache: ResponseCache;
}

export const OFFLINE_MODEL = 'offline-heuristic';

/** Grades one case with every judge of the panel. A judge that cannot give a valid verdict yields an error score. */
export async function judgeCase(
  panel: JudgePanel,
  evalCase: EvalCase,
  response: TargetResponse,
  question: string,
  signal?: AbortSignal,
): Promise<Record<string, Score>> {
  const input = judgeInput(evalCase, response, question);
  const scores: Record<string, Score> = {};
  await Promise.all(
    panel.specs.map(async (spec) => {
      if (spec.skip(evalCase, input)) return;
      scores[spec.name] = await runJudge(panel, spec, input, signal);
    }),
  );
  return Object.fromEntries(panel.specs.filter((s) => scores[s.name]).map((s) => [s.name, scores[s.name]!]));
}

async function runJudge(
  panel: JudgePanel,
  spec: JudgeSpec,
  input: ReturnType<typeof judgeInput>,
  signal?: AbortSignal,
): Promise<Score> {
  const model = panel.model ? panel.model.id : OFFLINE_MODEL;
  const info = (raws: (number | string)[], agreement: number) => ({
    model,
    offline: !panel.model,
    repeat: panel.repeat,
    agreement,
    raw: raws,
  });
  if (!panel.model) {
    const verdict = offlineVerdict(spec, input);
    if (!verdict) {
      return {
        value: null,
        reason: 'not graded: a custom rubric needs evals.judgeModel (or few-shot examples offline)',
        judge: info([], 0),
      };
    }
    const grade = gradeOf(verdict.raw, spec);
    return { value: grade.value, pass: grade.pass, reason: verdict.rationale, judge: info([verdict.raw], 1) };
  }
  const verdicts: Verdict[] = [];
  for (let repetition = 0; repetition < panel.repeat; repetition++) {
    try {
      verdicts.push(await askModel(panel, spec, input, repetition, signal));
    } catch (err) {
      // The user's environment (e.g. expired AWS credentials) stops the run; it is no verdict on the case.
      if (err instanceof GenaiError) throw err;
      const message = err instanceof MalformedVerdict || err instanceof RequestFailure ? err.message : String(err);
      return {
        value: null,
        error: `judge error: ${message}`,
        judge: info(
          verdicts.map((v) => v.raw),
          0,
        ),
      };
    }
  }
  const raws = verdicts.map((v) => v.raw);
  const { raw, agreement } = majority(raws, spec);
  const grade = gradeOf(raw, spec);
  const rationale = verdicts.find((v) => v.raw === raw)?.rationale ?? '';
  return { value: grade.value, pass: grade.pass, reason: rationale, judge: info(raws, agreement) };
}

/**
 * One repetition: the cached verdict for (model, rubric version, prompt, repetition), or ask the model and
 * re-ask on a malformed reply. Only valid verdicts are cached, so a bad reply is never replayed.
 */
async function askModel(
  panel: JudgePanel,
  spec: JudgeSpec,
  input: ReturnType<typeof judgeInput>,
  repetition: number,
  signal?: AbortSignal,
) {
  const model = panel.model!;
  const messages = judgeMessages(spec, input);
  const key = cacheKey({
    v: 1,
    kind: 'judge',
    provider: model.provider,
    model: model.id,
    baseUrl: model.baseUrl,
    rubric: spec.version,
    messages,
    temperature: panel.temperature,
    repetition,
  });
  const hit = await panel.cache.get<Verdict>(key);
  if (hit) return hit;
  let last: MalformedVerdict | undefined;
  let chat = messages;
  for (let attempt = 0; attempt <= panel.malformedRetries; attempt++) {
    const reply = await model.complete(chat, { temperature: panel.temperature, signal });
    try {
      const verdict = parseVerdict(reply, spec);
      await panel.cache.set(key, verdict);
      return verdict;
    } catch (err) {
      if (!(err instanceof MalformedVerdict)) throw err;
      last = err;
      chat = [
        ...messages,
        { role: 'assistant', content: reply },
        { role: 'user', content: 'That reply was not the JSON object asked for. Reply with only the JSON object.' },
      ];
    }
  }
  throw new MalformedVerdict(`${last!.message} (after ${panel.malformedRetries + 1} replies)`);
}
