/**
 * Where the service keeps what it observed, in its own Postgres (PGlite locally): spans of every request,
 * a summary row per trace, the interaction (redacted question and answer) and feedback on it. Plain SQL
 * that runs alike on PGlite and Postgres; applied at every start, so an older data folder gains the tables.
 */
export const observabilitySchema = `
  CREATE TABLE IF NOT EXISTS traces (
    trace_id text PRIMARY KEY,
    name text NOT NULL,
    started_at timestamptz NOT NULL,
    duration_ms double precision NOT NULL,
    status text NOT NULL,
    attributes json NOT NULL
  );
  CREATE INDEX IF NOT EXISTS traces_started_at ON traces (started_at DESC);
  CREATE TABLE IF NOT EXISTS spans (
    trace_id text NOT NULL,
    span_id text NOT NULL,
    parent_span_id text,
    name text NOT NULL,
    started_at timestamptz NOT NULL,
    start_unix_ms double precision NOT NULL,
    duration_ms double precision NOT NULL,
    status text NOT NULL,
    status_message text,
    attributes json NOT NULL,
    events json NOT NULL,
    PRIMARY KEY (trace_id, span_id)
  );
  CREATE INDEX IF NOT EXISTS spans_started_at ON spans (started_at);
  CREATE TABLE IF NOT EXISTS interactions (
    trace_id text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    api text NOT NULL,
    question text NOT NULL,
    answer text NOT NULL,
    refused boolean NOT NULL,
    refusal_reason text,
    citations json NOT NULL,
    latency_ms json NOT NULL,
    input_tokens integer NOT NULL,
    output_tokens integer NOT NULL,
    embedding_tokens integer NOT NULL,
    cost_usd double precision,
    release_id text,
    redactions json NOT NULL
  );
  CREATE INDEX IF NOT EXISTS interactions_created_at ON interactions (created_at DESC);
  CREATE TABLE IF NOT EXISTS feedback (
    id serial PRIMARY KEY,
    trace_id text NOT NULL REFERENCES interactions (trace_id) ON DELETE CASCADE,
    rating text NOT NULL CHECK (rating IN ('up', 'down')),
    comment text,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS feedback_trace_id ON feedback (trace_id);
`;
