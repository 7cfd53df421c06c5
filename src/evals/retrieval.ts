/**
 * Retrieval metrics over a ranked list of retrieved document ids and the set of relevant ones.
 * Duplicates in the ranking (several chunks of one document) count once, at their best rank.
 */
function dedupe(ranked: readonly string[]): string[] {
  return [...new Set(ranked)];
}

/** 1 when any relevant document is in the top k. */
export function hitAtK(ranked: readonly string[], relevant: readonly string[], k: number): number {
  const top = dedupe(ranked).slice(0, k);
  return relevant.some((id) => top.includes(id)) ? 1 : 0;
}

/** Share of the relevant documents found in the top k. */
export function recallAtK(ranked: readonly string[], relevant: readonly string[], k: number): number {
  if (relevant.length === 0) return 0;
  const top = new Set(dedupe(ranked).slice(0, k));
  return new Set(relevant).size === 0
    ? 0
    : [...new Set(relevant)].filter((id) => top.has(id)).length / new Set(relevant).size;
}

/** Reciprocal rank of the first relevant document (0 when none is retrieved). */
export function reciprocalRank(ranked: readonly string[], relevant: readonly string[]): number {
  const index = dedupe(ranked).findIndex((id) => relevant.includes(id));
  return index === -1 ? 0 : 1 / (index + 1);
}

/** nDCG@k with binary relevance: DCG of the ranking over the DCG of the ideal ranking. */
export function ndcgAtK(ranked: readonly string[], relevant: readonly string[], k: number): number {
  const wanted = new Set(relevant);
  if (wanted.size === 0) return 0;
  const dcg = dedupe(ranked)
    .slice(0, k)
    .reduce((sum, id, i) => sum + (wanted.has(id) ? 1 / Math.log2(i + 2) : 0), 0);
  let ideal = 0;
  for (let i = 0; i < Math.min(k, wanted.size); i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}
