import type { Context } from '../providers/index.js';

/**
 * The out-of-scope guard: when no retrieved chunk is at least `minScore` similar to the question, the corpus
 * does not cover it and the service refuses before any model is called (no ungrounded answers, no cost).
 * The threshold is the provider's default or GENAI_MIN_RETRIEVAL_SCORE.
 */
export interface ScopeVerdict {
  inScope: boolean;
  topScore: number;
  minScore: number;
}

export function checkScope(contexts: Context[], minScore: number): ScopeVerdict {
  const topScore = Math.max(...contexts.map((c) => c.score), -1);
  return { inScope: topScore >= minScore, topScore, minScore };
}
