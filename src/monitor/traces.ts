/**
 * What `genai traces` shows: the admin API's traces as a table, and one trace as a tree of its spans with
 * a waterfall bar per step, the step's key attributes and the retrieved documents with their scores.
 * Pure functions of the API's JSON (docs/service.md §6), so they are tested without a service.
 */

export type AttributeValue = string | number | boolean | (string | number | boolean)[] | null;

export interface TraceSummary {
  traceId: string;
  time: string;
  name: string;
  question: string | null;
  latencyMs: number;
  tokens: { input: number; output: number; embedding: number };
  costUsd: number | null;
  status: string;
  refused: boolean;
}

export interface SpanEvent {
  name: string;
  offsetMs: number;
  attributes: Record<string, AttributeValue>;
}

export interface SpanRecord {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  startOffsetMs: number;
  durationMs: number;
  status: string;
  statusMessage: string | null;
  attributes: Record<string, AttributeValue>;
  events: SpanEvent[];
}

export interface TraceDetail {
  traceId: string;
  time: string;
  latencyMs: number;
  status: string;
  spans: SpanRecord[];
}

/** The five steps of the pipeline, in order (a refused question stops after guard-input). */
export const PIPELINE_STEPS = ['guard-input', 'embed', 'retrieve', 'generate', 'guard-output'] as const;

const ms = (value: number) =>
  value >= 1000 ? `${(value / 1000).toFixed(2)} s` : value >= 10 ? `${value.toFixed(0)} ms` : `${value.toFixed(1)} ms`;
const usd = (value: number | null) =>
  value === null ? '—' : value === 0 ? '$0' : `$${value.toFixed(value < 0.01 ? 5 : 4)}`;
const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const padLeft = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** The table of recent traces: newest first, as the API returns them. */
export function renderTraceList(traces: TraceSummary[], env: string): string {
  if (!traces.length)
    return `no traces in ${env} yet — ask it something (POST /v1/answer), then run genai traces again`;
  const rows = traces.map((t) => [
    time(t.time),
    t.traceId,
    ms(t.latencyMs),
    `${t.tokens.input}/${t.tokens.output}`,
    usd(t.costUsd),
    t.status === 'error' ? 'error' : t.refused ? 'refused' : t.status,
    cut((t.question ?? '—').replace(/\s+/g, ' '), 60),
  ]);
  const head = ['time', 'trace', 'latency', 'tokens in/out', 'cost', 'status', 'question'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const right = new Set([2, 3, 4]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? padLeft(c, widths[i]!) : pad(c, widths[i]!)))
      .join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

/** The attributes worth reading at a glance, per span, under short names (the prefixes dropped). */
function shortName(key: string): string {
  return key.replace(/^gen_ai\./, '').replace(/^genai\./, '');
}

const hiddenAttributes = new Set([
  'genai.retrieval.document_ids',
  'genai.retrieval.scores',
  'genai.question',
  'genai.env',
  'genai.snapshot.id',
  'gen_ai.system',
]);

function formatValue(value: AttributeValue): string {
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  if (typeof value === 'string') return cut(value, 100);
  if (typeof value === 'number' && !Number.isInteger(value)) return String(Math.round(value * 1e4) / 1e4);
  return String(value);
}

/** A waterfall bar: where the span starts and how long it runs, relative to the whole trace. */
export function latencyBar(startMs: number, durationMs: number, totalMs: number, width = 24): string {
  const total = totalMs > 0 ? totalMs : 1;
  const start = Math.min(width - 1, Math.max(0, Math.floor((startMs / total) * width)));
  const length = Math.max(1, Math.min(width - start, Math.round((durationMs / total) * width)));
  return `|${' '.repeat(start)}${'█'.repeat(length)}${' '.repeat(width - start - length)}|`;
}

/** The retrieved documents of a retrieve span, with their scores, best first as the service ranked them. */
export function retrievedDocuments(span: SpanRecord): { id: string; score: number | null }[] {
  const ids = span.attributes['genai.retrieval.document_ids'];
  const scores = span.attributes['genai.retrieval.scores'];
  if (!Array.isArray(ids)) return [];
  return ids.map((id, i) => {
    const score = Array.isArray(scores) ? scores[i] : undefined;
    return { id: String(id), score: typeof score === 'number' ? score : null };
  });
}

/** The spans as a tree: children in start order under their parent; orphans under the root. */
function childrenOf(spans: SpanRecord[]): { roots: SpanRecord[]; children: Map<string, SpanRecord[]> } {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanRecord[]>();
  const roots: SpanRecord[] = [];
  for (const span of [...spans].sort((a, b) => a.startOffsetMs - b.startOffsetMs)) {
    if (span.parentSpanId && ids.has(span.parentSpanId)) {
      children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
    } else roots.push(span);
  }
  return { roots, children };
}

/**
 * One trace as a tree: the root (the request) and its steps, each with its offset, duration, a waterfall
 * bar, the slowest step marked, key attributes, events (guard decisions, redactions) and the documents
 * retrieved with their scores.
 */
export function renderTraceTree(trace: TraceDetail): string {
  const total = trace.latencyMs || Math.max(0, ...trace.spans.map((s) => s.startOffsetMs + s.durationMs));
  const { roots, children } = childrenOf(trace.spans);
  const steps = trace.spans.filter((s) => s.parentSpanId !== null && s.parentSpanId !== undefined);
  const slowest = steps.reduce<SpanRecord | undefined>(
    (a, s) => (!a || s.durationMs > a.durationMs ? s : a),
    undefined,
  );
  const root = roots[0];
  const question = root?.attributes['genai.question'];
  const out: string[] = [
    `trace ${trace.traceId}  ${time(trace.time)}  ${ms(total)}  ${trace.status}`,
    ...(typeof question === 'string' ? [`question: ${question}`] : []),
    '',
  ];
  const nameWidth = Math.max(12, ...trace.spans.map((s) => s.name.length + 3));
  const visit = (span: SpanRecord, prefix: string, isLast: boolean, depth: number) => {
    const branch = depth === 0 ? '' : isLast ? '└─ ' : '├─ ';
    const label = pad(`${branch}${span.name}`, nameWidth);
    const share = total > 0 ? Math.round((span.durationMs / total) * 100) : 0;
    const flags = [
      span === slowest && steps.length > 1 ? '◀ slowest' : '',
      span.status === 'error' ? `ERROR${span.statusMessage ? `: ${span.statusMessage}` : ''}` : '',
    ].filter(Boolean);
    out.push(
      `${prefix}${label} ${padLeft(`+${ms(span.startOffsetMs)}`, 9)} ${padLeft(ms(span.durationMs), 8)} ${padLeft(`${share}%`, 4)} ${latencyBar(span.startOffsetMs, span.durationMs, total)}${flags.length ? `  ${flags.join('  ')}` : ''}`,
    );
    const kids = children.get(span.spanId) ?? [];
    const inner = depth === 0 ? prefix : prefix + (isLast ? '   ' : '│  ');
    const detailPrefix = inner + (kids.length ? '│  ' : '   ');
    const attributes = Object.entries(span.attributes)
      .filter(([key]) => !hiddenAttributes.has(key))
      .map(([key, value]) => `${shortName(key)}=${formatValue(value)}`);
    for (const chunk of wrap(attributes, 100)) out.push(`${detailPrefix}${chunk}`);
    for (const event of span.events) {
      const attrs = Object.entries(event.attributes).map(([k, v]) => `${shortName(k)}=${formatValue(v)}`);
      out.push(`${detailPrefix}! ${event.name}${attrs.length ? ` ${attrs.join(' ')}` : ''}`);
    }
    const documents = retrievedDocuments(span);
    if (documents.length) {
      out.push(`${detailPrefix}documents:`);
      documents.forEach((d, i) =>
        out.push(`${detailPrefix}  ${i + 1}. ${d.id}${d.score === null ? '' : `  score ${d.score.toFixed(4)}`}`),
      );
    }
    kids.forEach((kid, i) => visit(kid, inner, i === kids.length - 1, depth + 1));
  };
  roots.forEach((root) => visit(root, '', true, 0));
  const missing = PIPELINE_STEPS.filter((step) => !trace.spans.some((s) => s.name === step));
  if (missing.length && steps.length) out.push('', `steps not run: ${missing.join(', ')}`);
  return out.join('\n');
}

/** Attribute pairs on lines of at most `width` characters. */
function wrap(items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    if (line && line.length + 2 + item.length > width) {
      lines.push(line);
      line = item;
    } else line = line ? `${line}  ${item}` : item;
  }
  if (line) lines.push(line);
  return lines;
}
