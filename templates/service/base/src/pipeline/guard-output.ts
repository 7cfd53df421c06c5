import { checkClaims, defaultUncitedClaims, type UncitedClaims } from '../guardrails/citations.js';
import type { Context, Generation } from '../providers/index.js';

/**
 * The output guard: an answer stands only on evidence. Every claim (sentence) must cite a document of the
 * retrieved set; uncited claims are stripped, or the whole answer refused (GENAI_UNCITED_CLAIMS=refuse).
 * An answer left with no cited claim is refused, never sent as it came from the model.
 */

export type OutputVerdict =
  | {
      allowed: true;
      decision: 'pass' | 'stripped';
      /** The answer as it is sent: the cited claims, markers renumbered to `citations`. */
      answer: string;
      citations: string[];
      claims: number;
      uncited: number;
    }
  | { allowed: false; decision: 'refused'; reason: 'no-citation'; refusal: string; claims: number; uncited: number };

export const notFoundRefusal =
  "I couldn't find this in the help centre, so I won't guess. Try rephrasing your question, or contact support.";

export function guardOutput(
  generation: Generation,
  contexts: Context[],
  uncitedClaims: UncitedClaims = defaultUncitedClaims,
): OutputVerdict {
  const check = checkClaims(
    generation.answer,
    generation.citations,
    contexts.map((c) => c.documentId),
  );
  const { claims, uncited } = check;
  if (check.citations.length === 0 || (uncited > 0 && uncitedClaims === 'refuse')) {
    return { allowed: false, decision: 'refused', reason: 'no-citation', refusal: notFoundRefusal, claims, uncited };
  }
  return {
    allowed: true,
    decision: uncited > 0 ? 'stripped' : 'pass',
    answer: check.answer,
    citations: check.citations,
    claims,
    uncited,
  };
}
