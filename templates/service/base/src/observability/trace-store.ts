import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Database } from '../db.js';

/** How long the service keeps traces and interactions, and how many traces at most. */
export interface Retention {
  days: number;
  maxTraces: number;
}

export const retentionDefaults: Retention = { days: 14, maxTraces: 50_000 };

/** A trace in the list of recent ones (GET /admin/traces). */
export interface TraceSummary {
  traceId: string;
  time: string;
  name: string;
  /** The redacted question, at most 80 characters. */
  question: string | null;
  latencyMs: number;
  tokens: { input: number; output: number; embedding: number };
  costUsd: number | null;
  status: 'ok' | 'error';
  refused: boolean | null;
}

export interface SpanRecord {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** Milliseconds from the start of the trace's first span. */
  startOffsetMs: number;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  statusMessage: string | null;
  attributes: Attributes;
  events: { name: string; offsetMs: number; attributes: Attributes }[];
}

/** One trace as a flat list of spans with parent ids (GET /admin/traces/:id); a client draws the tree. */
export interface TraceDetail {
  traceId: string;
  time: string;
  latencyMs: number;
  status: 'ok' | 'error';
  spans: SpanRecord[];
}

const statusName = (code: SpanStatusCode): SpanRecord['status'] =>
  code === SpanStatusCode.ERROR ? 'error' : code === SpanStatusCode.OK ? 'ok' : 'unset';

/**
 * A span exporter into the service's own Postgres: every span of every request, and a summary row per
 * trace from its root span. Spans arrive in batches (a BatchSpanProcessor in front), children before their
 * root; rows are plain inserts, so the order does not matter. Old traces go by age and by count.
 */
export class StoreSpanExporter implements SpanExporter {
  private sincePrune = 0;
  private prunedAt = Date.now();
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly retention: Retention = retentionDefaults,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const write = this.write(spans).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: unknown) =>
        resultCallback({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
    this.pending = this.pending.then(() => write);
  }

  private async write(spans: ReadableSpan[]): Promise<void> {
    if (this.db.closed || spans.length === 0) return;
    const rows = spans.map((span) => {
      const context = span.spanContext();
      const start = hrTimeToMilliseconds(span.startTime);
      return {
        trace_id: context.traceId,
        span_id: context.spanId,
        parent_span_id: span.parentSpanContext?.spanId ?? null,
        name: span.name,
        start_unix_ms: start,
        duration_ms: hrTimeToMilliseconds(span.duration),
        status: statusName(span.status.code),
        status_message: span.status.message ?? null,
        attributes: span.attributes,
        events: span.events.map((e) => ({
          name: e.name,
          offsetMs: hrTimeToMilliseconds(e.time) - start,
          attributes: e.attributes ?? {},
        })),
      };
    });
    const roots = rows.filter((r) => r.parent_span_id === null);
    // A batch is one statement, whatever its size (so one step, atomic, on the database's thread): the spans
    // travel as one JSON array, and the roots among them become the traces' summary rows.
    await this.db.query(
      `WITH batch AS (
         SELECT * FROM json_to_recordset($1::json) AS r(trace_id text, span_id text, parent_span_id text, name text,
                start_unix_ms double precision, duration_ms double precision, status text, status_message text,
                attributes json, events json)
       ), stored AS (
         INSERT INTO spans (trace_id, span_id, parent_span_id, name, started_at, start_unix_ms, duration_ms,
                            status, status_message, attributes, events)
         SELECT trace_id, span_id, parent_span_id, name, to_timestamp(start_unix_ms / 1000.0), start_unix_ms,
                duration_ms, status, status_message, attributes, events
           FROM batch
         ON CONFLICT DO NOTHING
       )
       INSERT INTO traces (trace_id, name, started_at, duration_ms, status, attributes)
       SELECT trace_id, name, to_timestamp(start_unix_ms / 1000.0), duration_ms,
              CASE WHEN status = 'error' THEN 'error' ELSE 'ok' END, attributes
         FROM batch WHERE parent_span_id IS NULL
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(rows)],
    );
    // Pruning reads the tables: once a minute, or after a tenth of the cap's traces, not with every batch.
    this.sincePrune += roots.length;
    if (this.sincePrune >= Math.max(1, this.retention.maxTraces / 10) || Date.now() - this.prunedAt >= 60_000)
      await this.prune();
  }

  /**
   * Deletes traces older than the retention or beyond the cap (the oldest first), then the spans and
   * interactions older than every trace kept (a minute's grace for children whose root is in the next batch).
   * Each statement walks the started_at/created_at indexes, not the whole tables.
   */
  async prune(): Promise<void> {
    this.sincePrune = 0;
    this.prunedAt = Date.now();
    if (this.db.closed) return;
    const { days, maxTraces } = this.retention;
    await this.db.query(
      `DELETE FROM traces WHERE started_at < now() - make_interval(days => $1::int)
          OR started_at <= (SELECT started_at FROM traces ORDER BY started_at DESC OFFSET $2::int LIMIT 1)`,
      [days, maxTraces],
    );
    const before = `coalesce((SELECT min(started_at) FROM traces), now()) - interval '1 minute'`;
    await this.db.query(`DELETE FROM spans WHERE started_at < ${before}`);
    await this.db.query(
      `DELETE FROM interactions WHERE created_at < now() - make_interval(days => $1::int) OR created_at < ${before}`,
      [days],
    );
  }

  async forceFlush(): Promise<void> {
    await this.pending;
  }

  async shutdown(): Promise<void> {
    await this.pending;
  }
}

/** The newest traces, newest first. */
export async function listTraces(db: Database, limit: number): Promise<TraceSummary[]> {
  const { rows } = await db.query<{
    trace_id: string;
    name: string;
    started_at: Date;
    duration_ms: number;
    status: 'ok' | 'error';
    attributes: Attributes;
    question: string | null;
    refused: boolean | null;
  }>(
    `SELECT t.trace_id, t.name, t.started_at, t.duration_ms, t.status, t.attributes, i.question, i.refused
       FROM traces t LEFT JOIN interactions i ON i.trace_id = t.trace_id
      ORDER BY t.started_at DESC LIMIT $1`,
    [limit],
  );
  return rows.map((row) => {
    const a = row.attributes;
    const number = (key: string) => (typeof a[key] === 'number' ? (a[key] as number) : 0);
    return {
      traceId: row.trace_id,
      time: new Date(row.started_at).toISOString(),
      name: row.name,
      question: row.question === null ? null : excerpt(row.question, 80),
      latencyMs: round(row.duration_ms),
      tokens: {
        input: number('gen_ai.usage.input_tokens'),
        output: number('gen_ai.usage.output_tokens'),
        embedding: number('genai.usage.embedding_tokens'),
      },
      costUsd: typeof a['genai.cost.usd'] === 'number' ? (a['genai.cost.usd'] as number) : null,
      status: row.status,
      refused: row.refused,
    };
  });
}

/** One trace's spans in start order, or undefined when the store has none of it. */
export async function readTrace(db: Database, traceId: string): Promise<TraceDetail | undefined> {
  const { rows } = await db.query<{
    span_id: string;
    parent_span_id: string | null;
    name: string;
    start_unix_ms: number;
    duration_ms: number;
    status: SpanRecord['status'];
    status_message: string | null;
    attributes: Attributes;
    events: SpanRecord['events'];
  }>(
    `SELECT span_id, parent_span_id, name, start_unix_ms, duration_ms, status, status_message, attributes, events
       FROM spans WHERE trace_id = $1 ORDER BY start_unix_ms, span_id`,
    [traceId],
  );
  const first = rows[0];
  if (!first) return undefined;
  const root = rows.find((r) => r.parent_span_id === null);
  const spans = rows.map((r) => ({
    spanId: r.span_id,
    parentSpanId: r.parent_span_id,
    name: r.name,
    startOffsetMs: round(r.start_unix_ms - first.start_unix_ms),
    durationMs: round(r.duration_ms),
    status: r.status,
    statusMessage: r.status_message,
    attributes: r.attributes,
    events: r.events.map((e) => ({ ...e, offsetMs: round(e.offsetMs) })),
  }));
  return {
    traceId,
    time: new Date(first.start_unix_ms).toISOString(),
    latencyMs: round(
      root?.duration_ms ?? Math.max(...rows.map((r) => r.start_unix_ms + r.duration_ms)) - first.start_unix_ms,
    ),
    status: rows.some((r) => r.status === 'error') ? 'error' : 'ok',
    spans,
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export const excerpt = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
