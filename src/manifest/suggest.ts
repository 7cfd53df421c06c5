/** Edit distance (insert, delete, substitute), used to suggest what the user probably meant. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidates closest to `word`, nearest first. Case is ignored for the distance (budgetUSDPerMonth is
 * one typo away from budgetUsdPerMonth, not three), and only reasonably close candidates are returned.
 */
export function closest(word: string, candidates: readonly string[], limit = 1): string[] {
  const lower = word.toLowerCase();
  // Short words are one typo from many others (k8s is not aws), so they get less slack.
  const allowed = Math.max(1, Math.floor(word.length / 3));
  return candidates
    .map((candidate) => ({
      candidate,
      distance: levenshtein(lower, candidate.toLowerCase()),
      exact: levenshtein(word, candidate),
    }))
    .filter(({ distance }) => distance <= allowed)
    .sort((x, y) => x.distance - y.distance || x.exact - y.exact || x.candidate.localeCompare(y.candidate))
    .slice(0, limit)
    .map(({ candidate }) => candidate);
}

/** The nearest candidates regardless of how far they are: for "did you mean one of these" lists. */
export function nearest(word: string, candidates: readonly string[], limit = 3): string[] {
  const lower = word.toLowerCase();
  return [...candidates]
    .sort((x, y) => levenshtein(lower, x.toLowerCase()) - levenshtein(lower, y.toLowerCase()) || x.localeCompare(y))
    .slice(0, limit);
}
