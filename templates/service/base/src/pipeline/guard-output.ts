import type { Context, Generation } from '../providers/index.js';

/**
 * The output guard: an answer stands only on evidence. No retrieved chunk close enough to the question,
 * or an answer that cites nothing it was given, becomes a refusal; never an invented answer.
 */

export type OutputVerdict =
  { allowed: true } | { allowed: false; reason: 'weak-retrieval' | 'no-citation'; refusal: string };

export const notFoundRefusal =
  "I couldn't find this in the help centre, so I won't guess. Try rephrasing your question, or contact support.";

export function guardOutput(
  generation: Generation | undefined,
  contexts: Context[],
  minRetrievalScore: number,
): OutputVerdict {
  const best = Math.max(...contexts.map((c) => c.score), -1);
  if (!generation || best < minRetrievalScore)
    return { allowed: false, reason: 'weak-retrieval', refusal: notFoundRefusal };
  const given = new Set(contexts.map((c) => c.documentId));
  if (generation.citations.length === 0 || !generation.citations.every((id) => given.has(id))) {
    return { allowed: false, reason: 'no-citation', refusal: notFoundRefusal };
  }
  return { allowed: true };
}
