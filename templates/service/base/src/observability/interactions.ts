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

/** An interaction as a row of the interactions table, keyed by column name. */
function interactionRow(outcome: PipelineOutcome, api: string, releaseId: string | null) {
  const { result } = outcome;
  return {
    trace_id: result.traceId,
    created_at: new Date().toISOString(),
    api,
    question: outcome.question,
    answer: redactPii(result.answer).text,
    refused: result.refused,
    refusal_reason: outcome.refusalReason,
    citations: result.citations,
    latency_ms: outcome.latencyMs,
    input_tokens: result.usage.inputTokens,
    output_tokens: result.usage.outputTokens,
    embedding_tokens: result.usage.embeddingTokens,
    cost_usd: outcome.costUsd ?? null,
    release_id: releaseId,
    redactions: outcome.redaction,
  };
}

type InteractionRow = ReturnType<typeof interactionRow>;

/**
 * Records requests a batch at a time: a request adds its row and returns; rows are written together by one
 * INSERT a second later (or sooner, at `maxBatch` rows: a statement of a few milliseconds, so no search waits
 * long behind it), so the one PGlite connection answers questions instead of writing one row per request.
 * Whatever reads interactions (feedback, the admin API) flushes first; a crash loses at most the last second,
 * as it does the spans still in their batch.
 */
export class InteractionLog {
  private pending: InteractionRow[] = [];
  private written: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: { maxBatch: number; delayMs: number } = { maxBatch: 64, delayMs: 1000 },
  ) {}

  /** Queues one request's interaction; the question in it is already redacted, the answer is redacted here. */
  add(outcome: PipelineOutcome, api: string, releaseId: string | null): void {
    this.pending.push(interactionRow(outcome, api, releaseId));
    if (this.pending.length >= this.options.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.delayMs).unref();
  }

  /** Writes what is queued; resolves when every interaction added before the call is stored. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending.splice(0);
    if (rows.length > 0) {
      this.written = this.written.then(() =>
        this.write(rows).catch((error: unknown) =>
          console.error(`could not record ${rows.length} interactions: ${(error as Error)?.message ?? error}`),
        ),
      );
    }
    return this.written;
  }

  private async write(rows: InteractionRow[]): Promise<void> {
    if (this.db.closed) return;
    await this.db.query(
      `INSERT INTO interactions (trace_id, created_at, api, question, answer, refused, refusal_reason, citations,
                                 latency_ms, input_tokens, output_tokens, embedding_tokens, cost_usd, release_id,
                                 redactions)
       SELECT * FROM json_to_recordset($1::json) AS r(trace_id text, created_at timestamptz, api text,
              question text, answer text, refused boolean, refusal_reason text, citations json, latency_ms json,
              input_tokens integer, output_tokens integer, embedding_tokens integer, cost_usd double precision,
              release_id text, redactions json)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }
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
