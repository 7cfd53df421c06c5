/**
 * The claim check of the output guard: every sentence of an answer (a claim) must carry a citation marker
 * `[n]` that points to a document of the retrieved set. Uncited claims are stripped (or, configured so,
 * the whole answer is refused); what stays is renumbered so that `[n]` is the n-th citation of the answer.
 */

/** What the guard does with an uncited claim: drop the sentence, or refuse the whole answer. */
export type UncitedClaims = 'strip' | 'refuse';
export const uncitedClaimsModes: readonly UncitedClaims[] = ['strip', 'refuse'];
export const defaultUncitedClaims: UncitedClaims = 'strip';

export interface ClaimCheck {
  /** Sentences that state something (contain a letter or digit). */
  claims: number;
  /** Claims without a marker that resolves to a retrieved document. */
  uncited: number;
  /** The cited claims, renumbered; empty when nothing is cited. */
  answer: string;
  /** Document ids in order of first citation in `answer`. */
  citations: string[];
}

const marker = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

/**
 * Sentences with the markers that follow their full stop: "Open Settings. [1] Tap Export [2]." gives
 * "Open Settings. [1]" and "Tap Export [2].". A line break ends a sentence too (list items).
 */
export function splitClaims(answer: string): string[] {
  const pattern = /[^.!?\n]+(?:[.!?]+|(?=\n)|$)(?:[ \t]*\[\d+(?:\s*,\s*\d+)*\])*/g;
  return (answer.match(pattern) ?? []).map((s) => s.trim()).filter((s) => /[\p{L}\p{N}]/u.test(s.replace(marker, '')));
}

/**
 * Checks each claim of `answer`, whose `[n]` markers refer to `cited[n-1]`, against the ids of the
 * retrieved documents.
 */
export function checkClaims(answer: string, cited: string[], retrieved: Iterable<string>): ClaimCheck {
  const known = new Set(retrieved);
  const resolve = (n: string) => {
    const id = cited[Number(n.trim()) - 1];
    return id !== undefined && known.has(id) ? id : undefined;
  };
  const claims = splitClaims(answer);
  const kept = claims.filter((claim) =>
    [...claim.matchAll(marker)].some((m) => (m[1] ?? '').split(',').some((n) => resolve(n) !== undefined)),
  );
  const citations: string[] = [];
  const renumbered = kept.map((claim) =>
    claim
      .replace(marker, (_whole, numbers: string) => {
        const ids = [...new Set(numbers.split(',').map(resolve))].filter((id): id is string => id !== undefined);
        for (const id of ids) if (!citations.includes(id)) citations.push(id);
        return ids.length === 0 ? '' : `[${ids.map((id) => citations.indexOf(id) + 1).join(', ')}]`;
      })
      .replace(/\s+([.!?])/g, '$1')
      .replace(/\s{2,}/g, ' ')
      .trim(),
  );
  return { claims: claims.length, uncited: claims.length - kept.length, answer: renumbered.join(' '), citations };
}
