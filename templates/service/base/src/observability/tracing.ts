import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Store } from '../store.js';
import { createTracing, type Tracing } from '../telemetry.js';
import { StoreSpanExporter, type Retention } from './trace-store.js';

export interface ServiceTracing extends Tracing {
  /** The exporter into the service's own store; the admin API reads what it wrote. */
  store: StoreSpanExporter;
}

export interface TracingOptions {
  store: Store;
  env: string;
  release: string | null;
  retention: Retention;
  /** OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-specific variable): spans also go there over OTLP/HTTP. */
  otlpEndpoint: string | undefined;
  /** More processors, e.g. an in-memory exporter in tests. */
  extra?: SpanProcessor[];
}

/**
 * Every span goes to the service's own store; with an OTLP endpoint configured, also there (Langfuse,
 * Jaeger, Tempo, an ADOT collector). The OTLP exporter reads the standard OTEL_EXPORTER_OTLP_* variables
 * (headers, timeout) itself, and is loaded only when an endpoint is set.
 */
export async function openTracing(options: TracingOptions): Promise<ServiceTracing> {
  const store = new StoreSpanExporter(options.store.db, options.retention);
  await store.prune();
  const processors: SpanProcessor[] = [
    // Batches of at most 128 spans (about 20 requests): one statement of a few milliseconds on the database's
    // thread, so no request waits long behind a write, and one batch after another while traffic keeps the
    // queue full (room for 8,192 spans before any is dropped); at most a second between writes otherwise.
    new BatchSpanProcessor(store, { scheduledDelayMillis: 1000, maxExportBatchSize: 128, maxQueueSize: 8192 }),
    ...(options.extra ?? []),
  ];
  if (options.otlpEndpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const tracing = createTracing(processors, {
    'deployment.environment.name': options.env,
    ...(options.release ? { 'service.version': options.release } : {}),
  });
  return { ...tracing, store };
}
