import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Tracer } from '@opentelemetry/api';
import { Hono, type Context as HonoContext, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { apiDefaults, openApiConfig, type ApiConfig } from './api-config.js';
import { ProviderError } from './errors.js';
import type { UncitedClaims } from './guardrails/citations.js';
import { bearerToken, KeySet } from './http/auth.js';
import { readJsonBody } from './http/body.js';
import {
  chatCompletion,
  chatCompletionChunks,
  completionId,
  parseChatRequest,
  sseBody,
} from './http/chat-completions.js';
import { Admission, RateLimit } from './http/limits.js';
import { ServiceMetrics } from './observability/metrics.js';
import { addFeedback, InteractionLog, listInteractions, type Rating } from './observability/interactions.js';
import { listTraces, readTrace } from './observability/trace-store.js';
import { runPipeline, type AnswerRequest, type PipelineOutcome } from './pipeline/index.js';
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
  /** Keys, limits and CORS; default: auth off and the default limits (tests, embedding). */
  api?: ApiConfig;
  /** The admission queue; pass one to watch or hold it. Default: one sized by `api`. */
  admission?: Admission;
  /** What the output guard does with an uncited sentence; default strip. */
  uncitedClaims?: UncitedClaims;
  /** Flushes ended spans into the store before the admin API reads traces. */
  tracing?: { flush(): Promise<void> };
  /** Where requests are recorded, a batch at a time; default: one on `store` (pass one to flush or close it). */
  interactions?: InteractionLog;
}

interface Env {
  Variables: { caller: string };
}

const fail = (c: HonoContext, status: ContentfulStatusCode, code: string, message: string) =>
  c.json({ error: { code, message } }, status);

/** The HTTP surface; no port here, so tests call `app.request()` directly. */
export function createApp(deps: AppDeps): Hono<Env> {
  const api = deps.api ?? openApiConfig();
  const admission = deps.admission ?? new Admission(api.maxInflight, api.maxQueue);
  const rateLimit = new RateLimit(api.rateLimitPerMinute);
  const apiKeys = new KeySet(api.apiKeys);
  const adminKeys = new KeySet(api.adminKey ? [api.adminKey] : []);
  const metrics = new ServiceMetrics();
  const interactions = deps.interactions ?? new InteractionLog(deps.store.db);
  /** Everything recorded so far, stored: what the admin API and feedback read. */
  const recorded = async () => {
    await interactions.flush();
    await deps.tracing?.flush();
  };
  const app = new Hono<Env>();

  // Counts what is turned away before the pipeline (keys, sizes, types, rate and load limits).
  app.use('*', async (c, next) => {
    await next();
    if ([401, 413, 415, 429, 503].includes(c.res.status)) metrics.rejected.inc({ status: String(c.res.status) });
  });

  // No CORS headers unless origins are configured: a browser page elsewhere can then not read answers.
  if (api.corsOrigins.length > 0) {
    app.use(
      '*',
      cors({
        origin: api.corsOrigins,
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: 600,
      }),
    );
  }

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

  app.get('/readyz', (c) => {
    const problem = corpusProblem(deps);
    const store = deps.store.isOpen ? 'ok' : 'closed';
    const ready = store === 'ok' && !problem;
    return c.json(
      { ready, checks: { store, corpus: problem ? problem.code : 'ok' }, inflight: admission.inflight },
      ready ? 200 : 503,
    );
  });

  app.get('/metrics', async (c) => {
    c.header('content-type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  const requireKey =
    (keys: KeySet, scope: 'api' | 'admin'): MiddlewareHandler<Env> =>
    async (c, next) => {
      if (api.auth === 'off') {
        c.set('caller', `addr:${clientAddress(c)}`);
        return next();
      }
      const token = bearerToken(c.req.header('authorization'));
      const index = keys.match(token);
      if (index === -1) {
        c.header('WWW-Authenticate', `Bearer realm="${scope}"`);
        const message =
          token === undefined
            ? 'send the key as Authorization: Bearer <key>'
            : scope === 'admin' && keys.size === 0
              ? 'the admin API is off: set GENAI_ADMIN_KEY on the service'
              : `the key is not a valid ${scope === 'admin' ? 'admin' : 'API'} key`;
        return fail(c, 401, 'unauthorized', message);
      }
      c.set('caller', `${scope}:${index}`);
      return next();
    };

  const limitRate: MiddlewareHandler<Env> = async (c, next) => {
    const wait = rateLimit.take(c.get('caller'));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      return fail(c, 429, 'rate_limited', `over ${api.rateLimitPerMinute} requests a minute for this key`);
    }
    return next();
  };

  const limitBody = bodyLimit({
    maxSize: api.maxBodyBytes,
    onError: (c) => fail(c, 413, 'payload_too_large', `the request body is over ${api.maxBodyBytes} bytes`),
  });

  /** Waits for a pipeline slot, or turns the request away at once when the queue is full. */
  const admit: MiddlewareHandler<Env> = async (c, next) => {
    const entered = admission.enter();
    if (!entered) {
      c.header('Retry-After', '1');
      return fail(c, 503, 'overloaded', 'the service is at capacity; retry after the Retry-After seconds');
    }
    const release = await entered;
    try {
      // PGlite on this thread (a store opened without `thread`) answers in WebAssembly and its promises
      // resolve at once: without a turn of the event loop here, each request would run to its end before the
      // next one is even read, the queue would stay empty, and the backlog would pile up in the kernel,
      // unseen, instead of being shed.
      await yieldToEventLoop();
      await next();
    } finally {
      release();
    }
  };

  app.use('/v1/*', requireKey(apiKeys, 'api'), limitRate);
  app.use('/admin/*', requireKey(adminKeys, 'admin'));

  /** One pipeline behind every question API: traced, measured and recorded alike. */
  const answer = async (request: AnswerRequest, name: 'answer' | 'chat.completions'): Promise<PipelineOutcome> => {
    const outcome = await runPipeline(deps, request, name).catch((error: unknown) => {
      metrics.error(name);
      throw error;
    });
    metrics.observe(name, outcome);
    interactions.add(outcome, name, deps.release ?? null);
    return outcome;
  };

  app.post('/v1/answer', limitBody, admit, async (c) => {
    const body = await readJsonBody(c.req.raw);
    if (!body.ok) return fail(c, body.status, body.code, body.message);
    const request = parseAnswerRequest(body.value, api.maxQuestionLength);
    if (typeof request === 'string') return fail(c, 400, 'invalid_request', request);
    const problem = corpusProblem(deps);
    if (problem) return fail(c, 503, problem.code, problem.message);
    return c.json((await answer(request, 'answer')).result);
  });

  app.post('/v1/chat/completions', limitBody, admit, async (c) => {
    const body = await readJsonBody(c.req.raw);
    if (!body.ok) return fail(c, body.status, body.code, body.message);
    const request = parseChatRequest(body.value, api.maxQuestionLength);
    if (typeof request === 'string') return fail(c, 400, 'invalid_request', request);
    const problem = corpusProblem(deps);
    if (problem) return fail(c, 503, problem.code, problem.message);
    const { result } = await answer(request, 'chat.completions');
    const labels = { model: deps.provider.chatModel, created: Math.floor(Date.now() / 1000) };
    c.header('x-request-id', completionId(result.traceId));
    if (!request.stream) return c.json(chatCompletion(result, labels));
    // The answer is complete (and through the output guard) before its first byte is sent: an uncited
    // sentence must not reach the client before the guard has seen it.
    return new Response(sseBody(chatCompletionChunks(result, labels, request.includeUsage)), {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-request-id': completionId(result.traceId),
      },
    });
  });

  app.post('/v1/feedback', limitBody, async (c) => {
    const body = await readJsonBody(c.req.raw);
    if (!body.ok) return fail(c, body.status, body.code, body.message);
    const feedback = parseFeedback(body.value);
    if (typeof feedback === 'string') return fail(c, 400, 'invalid_request', feedback);
    await interactions.flush();
    if (!(await addFeedback(deps.store.db, feedback))) {
      return fail(c, 404, 'unknown_trace', `no answer with trace id ${feedback.traceId} is recorded`);
    }
    metrics.rated(feedback.rating);
    return c.json({ ok: true, traceId: feedback.traceId }, 201);
  });

  app.get('/admin/traces', async (c) => {
    const limit = limitParam(c.req.query('limit'));
    if (typeof limit === 'string') return fail(c, 400, 'invalid_request', limit);
    await recorded();
    return c.json({ traces: await listTraces(deps.store.db, limit) });
  });

  app.get('/admin/traces/:id', async (c) => {
    const id = c.req.param('id');
    if (!traceIdPattern.test(id)) return fail(c, 400, 'invalid_request', 'a trace id is 32 hexadecimal digits');
    await recorded();
    const detail = await readTrace(deps.store.db, id);
    return detail ? c.json(detail) : fail(c, 404, 'unknown_trace', `no trace ${id} is stored (or it has expired)`);
  });

  app.get('/admin/interactions', async (c) => {
    const limit = limitParam(c.req.query('limit'));
    if (typeof limit === 'string') return fail(c, 400, 'invalid_request', limit);
    const rating = c.req.query('rating');
    if (rating !== undefined && rating !== 'up' && rating !== 'down') {
      return fail(c, 400, 'invalid_request', '"rating" must be up or down');
    }
    await interactions.flush();
    return c.json({ interactions: await listInteractions(deps.store.db, { limit, rating }) });
  });

  app.notFound((c) => fail(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.onError((error, c) => {
    if (error instanceof ProviderError) return fail(c, 502, 'provider_error', error.message);
    console.error(error);
    return fail(c, 500, 'internal_error', 'the service failed to answer; the error is in its log');
  });

  return app;
}

/** Why the service cannot answer from its corpus yet, or undefined when it can. */
function corpusProblem(deps: AppDeps): { code: string; message: string } | undefined {
  const snapshot = deps.store.snapshot;
  if (!snapshot) {
    return {
      code: 'no_snapshot',
      message: 'no documents are ingested yet: run `npm run ingest`, then restart the service',
    };
  }
  if (snapshot.embeddingModel !== deps.provider.embeddingModel || snapshot.dimensions !== deps.provider.dimensions) {
    return {
      code: 'snapshot_mismatch',
      message: `the snapshot was embedded with ${snapshot.embeddingModel} (${snapshot.dimensions} dimensions) but the service embeds questions with ${deps.provider.embeddingModel} (${deps.provider.dimensions}): run \`npm run ingest\` again`,
    };
  }
  return undefined;
}

/** The peer address from @hono/node-server's bindings; "local" under app.request() in tests. */
function clientAddress(c: HonoContext): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'local';
}

const traceIdPattern = /^[0-9a-f]{32}$/;
export const maxFeedbackComment = 2000;

/** ?limit=N: 1 to 500, 50 when absent. */
function limitParam(raw: string | undefined): number | string {
  if (raw === undefined) return 50;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  return n >= 1 && n <= 500 ? n : '"limit" must be a whole number from 1 to 500';
}

/** Feedback on an answer, or what is wrong with it in one sentence. */
export function parseFeedback(body: unknown): { traceId: string; rating: Rating; comment?: string } | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object with "traceId" and "rating"';
  const { traceId, rating, comment } = body as Record<string, unknown>;
  if (typeof traceId !== 'string' || !traceIdPattern.test(traceId))
    return '"traceId" must be the 32-hex-digit traceId of an answer';
  if (rating !== 'up' && rating !== 'down') return '"rating" must be "up" or "down"';
  if (comment !== undefined && typeof comment !== 'string') return '"comment" must be a string';
  if (typeof comment === 'string' && comment.length > maxFeedbackComment)
    return `"comment" must be at most ${maxFeedbackComment} characters`;
  return { traceId, rating, ...(typeof comment === 'string' ? { comment } : {}) };
}

/** The request, or what is wrong with it in one sentence. */
export function parseAnswerRequest(
  body: unknown,
  maxLength: number = apiDefaults.maxQuestionLength,
): AnswerRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object with a "question"';
  const { question, includeContexts } = body as Record<string, unknown>;
  if (typeof question !== 'string') return '"question" is required and must be a string';
  if (question.trim().length === 0) return '"question" must not be empty';
  if (question.length > maxLength)
    return `"question" must be at most ${maxLength} characters (it has ${question.length})`;
  if (includeContexts !== undefined && typeof includeContexts !== 'boolean')
    return '"includeContexts" must be true or false';
  return { question: question.trim(), includeContexts: includeContexts ?? false };
}
