import { SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';

/**
 * Runs one pipeline step inside its own span, a child of `parent`. The context is passed by hand:
 * there is no async context manager, so nothing is implicit.
 */
export async function inSpan<T>(
  tracer: Tracer,
  name: string,
  parent: Context,
  step: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer.startSpan(name, { startTime: preciseNow() }, parent);
  try {
    return await step(span);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The time as epoch milliseconds with a fraction. The SDK stamps a span's start from Date.now() (whole
 * milliseconds), so steps a fraction of a millisecond apart would tie and a trace could list them out of order.
 */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

export const contextWith = (parent: Context, span: Span): Context => trace.setSpan(parent, span);
