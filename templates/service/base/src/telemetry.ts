import { trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { serviceName } from './config.js';

export interface Tracing {
  tracer: Tracer;
  /** Hands every ended span to its processors and waits until they have exported it. */
  flush(): Promise<void>;
  /** Flushes the span processors and stops the provider. */
  shutdown(): Promise<void>;
}

let registered = false;

/**
 * A tracer backed by the SDK (the API alone hands out all-zero trace ids). The first provider becomes
 * the process's global one, so libraries that trace join the same traces; span processors decide where
 * spans go (none: ids and timings only). `resource` labels every span (environment, release).
 */
export function createTracing(spanProcessors: SpanProcessor[] = [], resource: Attributes = {}): Tracing {
  const provider = new BasicTracerProvider({
    spanProcessors,
    resource: resourceFromAttributes({ 'service.name': serviceName, ...resource }),
  });
  if (!registered) registered = trace.setGlobalTracerProvider(provider);
  return {
    tracer: provider.getTracer(serviceName),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
