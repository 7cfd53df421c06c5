import { usageError } from '../errors.js';
import { AdminHttpError, checkTraceId, openAdmin } from './admin.js';
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
