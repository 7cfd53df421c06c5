import type { Database } from '../db.js';
import { redactPii } from '../guardrails/pii.js';
import type { PipelineOutcome } from '../pipeline/index.js';

export type Rating = 'up' | 'down';

export interface FeedbackRecord {
  rating: Rating;
  comment: string | null;
  time: string;
}

/** A recorded request with its feedback (GET /admin/interactions): the shape `genai feedback export` reads. */
export interface InteractionRecord {
  traceId: string;
  time: string;
  api: string;
  /** Redacted before it was stored. */
  question: string;
  answer: string;
  refused: boolean;
  refusalReason: string | null;
  citations: { id: string; title: string }[];
  latencyMs: Record<string, number>;
  tokens: { input: number; output: number; embedding: number };
  costUsd: number | null;
  releaseId: string | null;
  /** Kinds of personal data found and replaced in the question, with counts. */
  redactions: Record<string, number>;
  feedback: FeedbackRecord[];
}

/** Stores one request; the question in it is already redacted, the answer is redacted here. */
export async function recordInteraction(
  db: Database,
  outcome: PipelineOutcome,
  api: string,
  releaseId: string | null,
): Promise<void> {
  const { result } = outcome;
  await db.query(
    `INSERT INTO interactions (trace_id, api, question, answer, refused, refusal_reason, citations, latency_ms,
                               input_tokens, output_tokens, embedding_tokens, cost_usd, release_id, redactions)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING`,
    [
      result.traceId,
      api,
      outcome.question,
      redactPii(result.answer).text,
      result.refused,
      outcome.refusalReason,
      JSON.stringify(result.citations),
      JSON.stringify(outcome.latencyMs),
      result.usage.inputTokens,
      result.usage.outputTokens,
      result.usage.embeddingTokens,
      outcome.costUsd ?? null,
      releaseId,
      JSON.stringify(outcome.redaction),
    ],
  );
}

/** Stores feedback on a recorded request; false when no interaction has that trace id. */
export async function addFeedback(
  db: Database,
  feedback: { traceId: string; rating: Rating; comment?: string | undefined },
): Promise<boolean> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO feedback (trace_id, rating, comment)
     SELECT trace_id, $2, $3 FROM interactions WHERE trace_id = $1 RETURNING id`,
    [feedback.traceId, feedback.rating, feedback.comment === undefined ? null : redactPii(feedback.comment).text],
  );
  return rows.length > 0;
}

/** The newest interactions, with their feedback; `rating` keeps those with at least one such rating. */
export async function listInteractions(
  db: Database,
  options: { limit: number; rating?: Rating | undefined },
): Promise<InteractionRecord[]> {
  const { rows } = await db.query<{
    trace_id: string;
    created_at: Date;
    api: string;
    question: string;
    answer: string;
    refused: boolean;
    refusal_reason: string | null;
    citations: InteractionRecord['citations'];
    latency_ms: Record<string, number>;
    input_tokens: number;
    output_tokens: number;
    embedding_tokens: number;
    cost_usd: number | null;
    release_id: string | null;
    redactions: Record<string, number>;
    feedback: { rating: Rating; comment: string | null; time: string }[] | null;
  }>(
    `SELECT i.*, (SELECT json_agg(json_build_object('rating', f.rating, 'comment', f.comment, 'time', f.created_at)
                                  ORDER BY f.created_at)
                    FROM feedback f WHERE f.trace_id = i.trace_id) AS feedback
       FROM interactions i
      WHERE $2::text IS NULL OR EXISTS (SELECT 1 FROM feedback f WHERE f.trace_id = i.trace_id AND f.rating = $2)
      ORDER BY i.created_at DESC, i.trace_id LIMIT $1`,
    [options.limit, options.rating ?? null],
  );
  return rows.map((row) => ({
    traceId: row.trace_id,
    time: new Date(row.created_at).toISOString(),
    api: row.api,
    question: row.question,
    answer: row.answer,
    refused: row.refused,
    refusalReason: row.refusal_reason,
    citations: row.citations,
    latencyMs: row.latency_ms,
    tokens: { input: row.input_tokens, output: row.output_tokens, embedding: row.embedding_tokens },
    costUsd: row.cost_usd,
    releaseId: row.release_id,
    redactions: row.redactions,
    feedback: (row.feedback ?? []).map((f) => ({ ...f, time: new Date(f.time).toISOString() })),
  }));
}
