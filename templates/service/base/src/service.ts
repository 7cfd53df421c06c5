import { createApp } from './app.js';
import type { ServiceConfig } from './config.js';
import { ExitCode, ServiceError, exitWithError } from './errors.js';
import { InteractionLog } from './observability/interactions.js';
import { openTracing } from './observability/tracing.js';
import { defaultCorpusDir, ingest } from './ingest.js';
import { createProvider } from './providers/index.js';
import { openStore, type Store } from './store.js';

export interface RunningService {
  app: ReturnType<typeof createApp>;
  /** The store behind the app (PGlite on its own thread, or Postgres with DATABASE_URL). */
  store: Store;
  /** Stores what is still batched (interactions, spans) and closes the store; the HTTP server is closed by its owner first. */
  close(): Promise<void>;
}

/**
 * Everything the server runs behind its port, wired from the configuration: the store, the provider,
 * tracing and the HTTP app. server.ts owns the port and the signals; this owns the rest.
 */
export async function openService(config: ServiceConfig, build: string): Promise<RunningService> {
  const provider = createProvider(config.provider);
  // PGlite on its own thread: its queries run beside the HTTP work of other requests, not in its way. If
  // that thread dies the service cannot answer: it exits, and its supervisor (genai up, ECS, Kubernetes)
  // starts a new one.
  const store = await openStore(config, {
    thread: true,
    onFailure: (error) =>
      exitWithError(
        new ServiceError(
          'database_failed',
          `the database thread stopped: ${error.message}`,
          'see the lines above in the log; the service restarts under its supervisor, or start it again',
          ExitCode.environment,
        ),
      ),
  });
  if (config.ingestAtStart) {
    // Replicas starting together take turns; the first ingests, the others find its snapshot.
    const result = await store
      .whileIngesting(() => ingest({ store, provider, corpusDir: defaultCorpusDir, chunking: config.chunking }))
      .catch(async (error: unknown) => {
        await store.close();
        throw error;
      });
    console.log(`corpus: snapshot ${result.snapshotId}${result.changed ? ' ingested' : ' already served'}`);
  }
  const tracing = await openTracing({
    store,
    env: config.env,
    release: config.release,
    retention: { days: config.tracing.retentionDays, maxTraces: config.tracing.maxTraces },
    otlpEndpoint: config.tracing.otlpEndpoint,
  });
  const interactions = new InteractionLog(store.db);
  const app = createApp({
    env: config.env,
    store,
    interactions,
    provider,
    tracer: tracing.tracer,
    tracing,
    topK: config.topK,
    build,
    release: config.release,
    instance: config.instance,
    api: config.api,
    uncitedClaims: config.uncitedClaims,
  });
  console.log(
    `auth: ${config.api.auth} (${config.api.authReason}); traces: store${config.tracing.otlpEndpoint ? ` and OTLP ${config.tracing.otlpEndpoint}` : ''}`,
  );
  return {
    app,
    store,
    close: async () => {
      await interactions.flush();
      await tracing.shutdown();
      await store.close();
    },
  };
}
