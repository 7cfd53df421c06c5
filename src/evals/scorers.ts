import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import { hitAtK, ndcgAtK, reciprocalRank, recallAtK } from './retrieval.js';
import type { Assertion, EvalCase, Score, TargetResponse } from './types.js';

export interface Pricing {
  inputUsdPerMillionTokens: number;
  outputUsdPerMillionTokens: number;
  embeddingUsdPerMillionTokens?: number | undefined;
}

const refusalPatterns = [
  /\b(i|we) (can(?:no|')t|cannot|am not able to|'m not able to|am unable to|'m unable to) (help|answer|assist|provide)/i,
  /\b(i|we) (don't|do not) (know|have (enough )?information)/i,
  /\b(outside|beyond) (of )?(my|the) (scope|knowledge)/i,
  /\bnot (covered|found) in (the|my) (documents|sources|knowledge base)/i,
];

/** Whether an answer refuses: the service's own flag when it has one, otherwise the wording. */
export function isRefusal(response: Pick<TargetResponse, 'answer' | 'refused'>, serviceFlag: boolean): boolean {
  if (serviceFlag) return response.refused;
  return response.refused || refusalPatterns.some((pattern) => pattern.test(response.answer));
}

/** Cost of one response from its token usage, or null when no prices are known. */
export function costOf(response: TargetResponse, pricing?: Pricing): number | null {
  if (!pricing) return null;
  const { inputTokens, outputTokens, embeddingTokens } = response.usage;
  return (
    (inputTokens * pricing.inputUsdPerMillionTokens +
      outputTokens * pricing.outputUsdPerMillionTokens +
      embeddingTokens * (pricing.embeddingUsdPerMillionTokens ?? 0)) /
    1_000_000
  );
}

// Loaded on the first json-schema assertion only (synchronously: scoring is synchronous); most runs have none.
let ajv: Ajv | undefined;
function schemaValidator(): Ajv {
  const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  ajv ??= new AjvClass({ allErrors: false, strict: false });
  return ajv;
}
const schemaCache = new WeakMap<object, ValidateFunction>();

function fold(text: string, ignoreCase: boolean | undefined): string {
  return ignoreCase ? text.toLowerCase() : text;
}

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** Runs one per-case assertion against a response. Pure. */
export function scoreAssertion(assertion: Assertion, response: TargetResponse, context: ScoreContext): Score {
  const answer = response.answer;
  switch (assertion.type) {
    case 'equals': {
      const pass = fold(answer.trim(), assertion.ignoreCase) === fold(assertion.value.trim(), assertion.ignoreCase);
      return { value: pass ? 1 : 0, pass, reason: pass ? undefined : `answer is not "${clip(assertion.value)}"` };
    }
    case 'contains': {
      const wanted = asList(assertion.value);
      const haystack = fold(answer, assertion.ignoreCase);
      const found = wanted.filter((w) => haystack.includes(fold(w, assertion.ignoreCase)));
      const mode = assertion.mode ?? 'all';
      const pass = mode === 'all' ? found.length === wanted.length : found.length > 0;
      const missing = wanted.filter((w) => !found.includes(w));
      return {
        value: mode === 'all' ? found.length / wanted.length : pass ? 1 : 0,
        pass,
        reason: pass ? undefined : `missing ${missing.map((m) => `"${clip(m)}"`).join(', ')}`,
      };
    }
    case 'not-contains': {
      const haystack = fold(answer, assertion.ignoreCase);
      const present = asList(assertion.value).filter((w) => haystack.includes(fold(w, assertion.ignoreCase)));
      const pass = present.length === 0;
      return {
        value: pass ? 1 : 0,
        pass,
        reason: pass ? undefined : `contains ${present.map((m) => `"${clip(m)}"`).join(', ')}`,
      };
    }
    case 'regex': {
      const pass = new RegExp(assertion.pattern, assertion.flags).test(answer);
      return {
        value: pass ? 1 : 0,
        pass,
        reason: pass ? undefined : `does not match /${assertion.pattern}/${assertion.flags ?? ''}`,
      };
    }
    case 'json-schema': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer);
      } catch {
        return { value: 0, pass: false, reason: 'answer is not JSON' };
      }
      let validate = schemaCache.get(assertion.schema);
      if (!validate) {
        validate = schemaValidator().compile(assertion.schema);
        schemaCache.set(assertion.schema, validate);
      }
      const pass = validate(parsed) === true;
      const first = validate.errors?.[0];
      return {
        value: pass ? 1 : 0,
        pass,
        reason: pass ? undefined : `schema: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}`,
      };
    }
    case 'cites':
      return citationScore(response, assertion.documentIds);
    case 'refusal': {
      const expected = assertion.expected ?? true;
      const refused = isRefusal(response, context.serviceRefusalFlag);
      const pass = refused === expected;
      return {
        value: pass ? 1 : 0,
        pass,
        reason: pass ? undefined : expected ? 'answered instead of refusing' : 'refused',
      };
    }
    case 'latency': {
      const pass = response.latencyMs <= assertion.maxMs;
      return {
        value: pass ? 1 : 0,
        pass,
        reason: `${response.latencyMs} ms ${pass ? '≤' : '>'} ${assertion.maxMs} ms`,
      };
    }
    case 'tokens': {
      const total = response.usage.inputTokens + response.usage.outputTokens;
      const pass = total <= assertion.max;
      return { value: pass ? 1 : 0, pass, reason: `${total} tokens ${pass ? '≤' : '>'} ${assertion.max}` };
    }
    case 'cost': {
      const cost = costOf(response, context.pricing);
      if (cost === null)
        return { value: null, pass: false, reason: 'no token prices: set evals.pricing in genai.yaml' };
      const pass = cost <= assertion.maxUsd;
      return { value: pass ? 1 : 0, pass, reason: `$${cost.toFixed(6)} ${pass ? '≤' : '>'} $${assertion.maxUsd}` };
    }
  }
}

function citationScore(response: TargetResponse, expected: string[]): Score {
  const cited = new Set(response.citations.map((c) => c.id));
  const missing = expected.filter((id) => !cited.has(id));
  const value = (expected.length - missing.length) / expected.length;
  return {
    value,
    pass: missing.length === 0,
    reason: missing.length ? `not cited: ${missing.join(', ')}` : undefined,
  };
}

export interface ScoreContext {
  retrievalK: number;
  pricing?: Pricing | undefined;
  /** True when the target reports refusals itself (our /v1/answer); otherwise the wording decides. */
  serviceRefusalFlag: boolean;
}

/**
 * Every deterministic metric of one case: its assertions, the checks implied by `expected`
 * (citations, refusal), retrieval metrics when contexts came back, and latency, tokens and cost.
 */
export function scoreDeterministic(
  evalCase: EvalCase,
  response: TargetResponse,
  context: ScoreContext,
): Record<string, Score> {
  const scores: Record<string, Score> = {};
  const put = (name: string, score: Score) => {
    let key = name;
    for (let i = 2; key in scores; i++) key = `${name}#${i}`;
    scores[key] = score;
  };
  const expected = evalCase.expected ?? {};
  const refused = isRefusal(response, context.serviceRefusalFlag);
  if (expected.refusal !== undefined) {
    const pass = refused === expected.refusal;
    put('refusal', {
      value: pass ? 1 : 0,
      pass,
      reason: pass ? undefined : expected.refusal ? 'answered instead of refusing' : 'refused',
    });
  }
  if (expected.documentIds?.length && expected.refusal !== true) {
    put('citations', citationScore(response, expected.documentIds));
    if (response.contexts) {
      const ranked = response.contexts.map((c) => c.documentId);
      const k = context.retrievalK;
      put(`hit@${k}`, { value: hitAtK(ranked, expected.documentIds, k) });
      put(`recall@${k}`, { value: recallAtK(ranked, expected.documentIds, k) });
      put('mrr', { value: reciprocalRank(ranked, expected.documentIds) });
      put(`ndcg@${k}`, { value: ndcgAtK(ranked, expected.documentIds, k) });
    }
  }
  for (const assertion of evalCase.assert ?? [])
    put(assertion.name ?? assertion.type, scoreAssertion(assertion, response, context));
  scores.latencyMs ??= { value: response.latencyMs };
  scores.tokens ??= { value: response.usage.inputTokens + response.usage.outputTokens };
  const cost = costOf(response, context.pricing);
  if (cost !== null) scores.costUsd ??= { value: cost };
  return scores;
}

function clip(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
