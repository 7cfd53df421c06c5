import type { Tracer } from '@opentelemetry/api';
import { Hono, type Context as HonoContext } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ProviderError } from './errors.js';
import { answerQuestion, type AnswerRequest } from './pipeline/index.js';
import type { Provider } from './providers/index.js';
import type { Store } from './store.js';

export interface AppDeps {
  env: string;
  store: Store;
  provider: Provider;
  tracer: Tracer;
  topK: number;
  /** A hash of the running code, so clients that cache answers (genai eval) see a new build. */
  build?: string;
  /** The release and the start this process belongs to, as genai set them; reported by /healthz. */
  release?: string | null;
  instance?: string | null;
}

export const maxQuestionLength = 2000;

const fail = (c: HonoContext, status: ContentfulStatusCode, code: string, message: string) =>
  c.json({ error: { code, message } }, status);

/** The HTTP surface; no port here, so tests call `app.request()` directly. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/healthz', (c) => {
    const snapshot = deps.store.snapshot;
    return c.json({
      status: 'ok',
      env: deps.env,
      provider: deps.provider.kind,
      build: deps.build ?? null,
      release: deps.release ?? null,
      instance: deps.instance ?? null,
      snapshot: snapshot ? { id: snapshot.id, documents: snapshot.documents, chunks: snapshot.chunks } : null,
    });
  });

  app.post(
    '/v1/answer',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => fail(c, 413, 'payload_too_large', 'the request body is over 64 KiB'),
    }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return fail(c, 400, 'invalid_json', 'the request body is not valid JSON');
      }
      const request = parseAnswerRequest(body);
      if (typeof request === 'string') return fail(c, 400, 'invalid_request', request);

      const snapshot = deps.store.snapshot;
      if (!snapshot) {
        return fail(
          c,
          503,
          'no_snapshot',
          'no documents are ingested yet: run `npm run ingest`, then restart the service',
        );
      }
      if (
        snapshot.embeddingModel !== deps.provider.embeddingModel ||
        snapshot.dimensions !== deps.provider.dimensions
      ) {
        return fail(
          c,
          503,
          'snapshot_mismatch',
          `the snapshot was embedded with ${snapshot.embeddingModel} (${snapshot.dimensions} dimensions) but the service embeds questions with ${deps.provider.embeddingModel} (${deps.provider.dimensions}): run \`npm run ingest\` again`,
        );
      }
      return c.json(await answerQuestion(deps, request));
    },
  );

  app.notFound((c) => fail(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.onError((error, c) => {
    if (error instanceof ProviderError) return fail(c, 502, 'provider_error', error.message);
    console.error(error);
    return fail(c, 500, 'internal_error', 'the service failed to answer; the error is in its log');
  });

  return app;
}

/** The request, or what is wrong with it in one sentence. */
export function parseAnswerRequest(body: unknown): AnswerRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object with a "question"';
  const { question, includeContexts } = body as Record<string, unknown>;
  if (typeof question !== 'string') return '"question" is required and must be a string';
  if (question.trim().length === 0) return '"question" must not be empty';
  if (question.length > maxQuestionLength)
    return `"question" must be at most ${maxQuestionLength} characters (it has ${question.length})`;
  if (includeContexts !== undefined && typeof includeContexts !== 'boolean')
    return '"includeContexts" must be true or false';
  return { question: question.trim(), includeContexts: includeContexts ?? false };
}
