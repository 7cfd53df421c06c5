/**
 * `genai feedback export`: real traffic turned into candidate eval cases, in the eval dataset's JSONL format
 * (src/evals/dataset.ts). The question is the service's redacted one; nothing else of the user is kept.
 */

export interface Interaction {
  traceId: string;
  time: string;
  api: string;
  question: string;
  answer: string;
  refused: boolean;
  refusalReason: string | null;
  citations: { id: string; title?: string }[];
  latencyMs: Record<string, number>;
  tokens: { input: number; output: number; embedding: number };
  costUsd: number | null;
  releaseId: string | null;
  redactions: Record<string, number>;
  feedback: { rating: 'up' | 'down'; comment: string | null; time: string }[];
}

/** One line of an eval dataset (the fields caseSchema accepts). */
export interface CandidateCase {
  id: string;
  input: { question: string };
  expected?: { documentIds?: string[]; refusal?: boolean };
  tags: string[];
  metadata: {
    source: 'feedback';
    traceId: string;
    rating: 'up' | 'down';
    comments: string[];
    time: string;
    releaseId: string | null;
    answer: string;
    citations: string[];
    refused: boolean;
    review: string;
  };
}

/** The interaction's verdict: the latest rating, or undefined when nobody rated it. */
function ratingOf(interaction: Interaction): 'up' | 'down' | undefined {
  const sorted = [...interaction.feedback].sort((a, b) => a.time.localeCompare(b.time));
  return sorted.at(-1)?.rating;
}

/**
 * A candidate case per rated interaction (filtered by `rating` when given). An up-rated answer's citations
 * become `expected.documentIds` (what was right stays right) — or `expected.refusal` for a refusal; a
 * down-rated one has no `expected`: a person writes it, guided by `metadata.review`.
 */
export function candidateCases(interactions: Interaction[], rating?: 'up' | 'down'): CandidateCase[] {
  const seen = new Set<string>();
  const cases: CandidateCase[] = [];
  for (const interaction of interactions) {
    const verdict = ratingOf(interaction);
    if (!verdict || (rating && verdict !== rating) || seen.has(interaction.traceId)) continue;
    if (!interaction.question.trim()) continue;
    seen.add(interaction.traceId);
    const citations = interaction.citations.map((c) => c.id);
    const expected =
      verdict === 'up'
        ? interaction.refused
          ? { refusal: true }
          : citations.length
            ? { documentIds: citations }
            : undefined
        : undefined;
    cases.push({
      id: `feedback-${interaction.traceId.slice(0, 16)}`,
      input: { question: interaction.question },
      ...(expected ? { expected } : {}),
      tags: ['feedback', `rated-${verdict}`],
      metadata: {
        source: 'feedback',
        traceId: interaction.traceId,
        rating: verdict,
        comments: interaction.feedback.flatMap((f) => (f.comment ? [f.comment] : [])),
        time: interaction.time,
        releaseId: interaction.releaseId,
        answer: interaction.answer,
        citations,
        refused: interaction.refused,
        review:
          verdict === 'up'
            ? 'rated up: check expected, then move the case into the dataset'
            : 'rated down: write expected (answer, facts, documentIds or refusal), then move the case into the dataset',
      },
    });
  }
  return cases;
}

export const toJsonl = (cases: CandidateCase[]) =>
  cases.map((c) => JSON.stringify(c)).join('\n') + (cases.length ? '\n' : '');
