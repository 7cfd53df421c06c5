import { usageError } from '../errors.js';
import { AdminHttpError } from './admin-api.js';
import { checkTraceId, openAdmin } from './admin.js';
import type { TraceDetail, TraceSummary } from './traces.js';

export type { TraceDetail, TraceSummary } from './traces.js';

export type TracesResult = { env: string; traces: TraceSummary[] } | { env: string; trace: TraceDetail };

/** `genai traces [ID]`: recent traces of ENV, or one of them with its spans, read through the admin API. */
export async function readTraces(
  cwd: string,
  options: { env?: string | undefined; id?: string | undefined; limit: number },
): Promise<TracesResult> {
  const id = options.id === undefined ? undefined : checkTraceId(options.id);
  const admin = await openAdmin(cwd, options.env);
  if (id === undefined) {
    const { traces } = await admin.get<{ traces: TraceSummary[] }>(`/admin/traces?limit=${options.limit}`);
    return { env: admin.env, traces };
  }
  try {
    return { env: admin.env, trace: await admin.get<TraceDetail>(`/admin/traces/${id}`) };
  } catch (err) {
    if (err instanceof AdminHttpError && err.status === 404) {
      throw usageError('E_UNKNOWN_TRACE', `${admin.env} has no trace ${id} (it may have expired)`, {
        field: 'TRACE_ID',
        fix: `list the stored ones with genai traces --env ${admin.env}`,
      });
    }
    throw err;
  }
}

export interface FeedbackExport {
  env: string;
  out: string;
  cases: number;
  interactions: number;
  rating: 'up' | 'down' | null;
}

/**
 * `genai feedback export`: rated interactions of ENV as candidate eval cases (JSONL), written atomically to
 * `out`; an existing file is kept unless `force`.
 */
export async function exportFeedback(
  cwd: string,
  options: { env?: string | undefined; rating?: 'up' | 'down' | undefined; out: string; force: boolean; limit: number },
): Promise<FeedbackExport> {
  const { existsSync } = await import('node:fs');
  const { mkdir } = await import('node:fs/promises');
  const { dirname, relative, resolve } = await import('node:path');
  const out = resolve(cwd, options.out);
  if (existsSync(out) && !options.force) {
    throw usageError('E_EXPORT_EXISTS', `${relative(cwd, out) || out} exists`, {
      field: '--out',
      fix: 'choose another file with --out, or pass --force to replace it',
    });
  }
  const { candidateCases, toJsonl } = await import('./feedback.js');
  const admin = await openAdmin(cwd, options.env);
  const query = new URLSearchParams({ limit: String(options.limit) });
  if (options.rating) query.set('rating', options.rating);
  const { interactions } = await admin.get<{ interactions: import('./feedback.js').Interaction[] }>(
    `/admin/interactions?${query.toString()}`,
  );
  const cases = candidateCases(interactions, options.rating);
  const { writeFileAtomic } = await import('../atomic-write.js');
  await mkdir(dirname(out), { recursive: true });
  await writeFileAtomic(out, toJsonl(cases));
  return {
    env: admin.env,
    out,
    cases: cases.length,
    interactions: interactions.length,
    rating: options.rating ?? null,
  };
}
