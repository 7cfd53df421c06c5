import { trace, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { serviceName } from './config.js';

export interface Tracing {
  tracer: Tracer;
  /** Flushes the span processors and stops the provider. */
  shutdown(): Promise<void>;
}

let registered = false;

/**
 * A tracer backed by the SDK (the API alone hands out all-zero trace ids). The first provider becomes
 * the process's global one, so libraries that trace join the same traces; span processors decide where
 * spans go (none: ids and timings only).
 */
export function createTracing(spanProcessors: SpanProcessor[] = []): Tracing {
  const provider = new BasicTracerProvider({ spanProcessors });
  if (!registered) registered = trace.setGlobalTracerProvider(provider);
  return { tracer: provider.getTracer(serviceName), shutdown: () => provider.shutdown() };
}
