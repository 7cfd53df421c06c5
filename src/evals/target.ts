import { createHash } from 'node:crypto';
import { environmentError, usageError } from '../errors.js';
import { cacheKey, type ResponseCache } from './cache.js';
import { questionOf } from './dataset.js';
import { MalformedResponse, requestJson, RequestFailure, type AdaptiveLimiter, type RetryPolicy } from './http.js';
import type { EvalCase, RetrievedContext, RunTarget, TargetResponse, Usage } from './types.js';

export type Protocol = 'answer' | 'openai';

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Finds out what speaks at `url` and checks it is reachable: `--protocol` when given; a URL ending in
 * /chat/completions is OpenAI; GET /healthz answering means our /v1/answer; GET /models listing models
 * means OpenAI. A refused connection is an environment problem (exit 3).
 */
export async function resolveTarget(
  url: string,
  options: {
    protocol?: Protocol | 'auto' | undefined;
    model?: string | undefined;
    timeoutMs: number;
    kind?: RunTarget['kind'] | undefined;
    env?: string | undefined;
  },
): Promise<RunTarget & { fingerprint: string }> {
  let base = trimSlash(url);
  let protocol = options.protocol === 'auto' ? undefined : options.protocol;
  if (/\/chat\/completions$/.test(base)) {
    base = base.replace(/\/chat\/completions$/, '');
    protocol ??= 'openai';
  }
  const probe = { timeoutMs: Math.min(options.timeoutMs, 10_000), retries: 1, baseDelayMs: 100 };
  const get = async (path: string) => {
    try {
      return await requestJson(`${base}${path}`, {}, { policy: probe, parse: (body) => body });
    } catch (err) {
      if (err instanceof RequestFailure && (err.kind === 'unreachable' || err.kind === 'timeout')) {
        throw environmentError('E_EVAL_TARGET_UNREACHABLE', `target ${base} is unreachable: ${err.message}`, {
          fix: 'start the service (genai dev, or genai up ENV), or check the URL',
        });
      }
      return undefined;
    }
  };
  let fingerprint = '';
  let model = options.model;
  if (protocol !== 'openai') {
    const health = await get('/healthz');
    if (health) {
      protocol ??= 'answer';
      fingerprint = createHash('sha256').update(JSON.stringify(health.value)).digest('hex').slice(0, 16);
    }
  }
  if (protocol !== 'answer') {
    const models = await get('/models');
    const list = (models?.value as { data?: { id?: unknown }[] } | undefined)?.data;
    if (Array.isArray(list)) {
      protocol ??= 'openai';
      const first = list.find((m) => typeof m?.id === 'string')?.id as string | undefined;
      model ??= first;
    }
  }
  if (!protocol) {
    throw usageError(
      'E_EVAL_PROTOCOL',
      `cannot tell what ${base} speaks: neither GET /healthz nor GET /models answered`,
      {
        fix: 'pass --protocol answer (our /v1/answer) or --protocol openai (a base URL such as http://host:8000/v1)',
      },
    );
  }
  if (protocol === 'openai' && !model) {
    throw usageError('E_EVAL_MODEL', `${base} speaks the OpenAI protocol but no model was named`, {
      fix: 'pass --model ID',
    });
  }
  return {
    kind: options.kind ?? 'url',
    url: base,
    protocol,
    model: protocol === 'openai' ? model : undefined,
    env: options.env,
    fingerprint,
  };
}

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0);

function parseAnswer(body: unknown): Omit<TargetResponse, 'latencyMs'> {
  const b = body as Record<string, unknown> | null;
  if (!b || typeof b !== 'object' || typeof b.answer !== 'string') throw new MalformedResponse('no "answer" string');
  const usage = (b.usage ?? {}) as Record<string, unknown>;
  const citations = Array.isArray(b.citations) ? b.citations : [];
  const contexts = Array.isArray(b.contexts) ? b.contexts : undefined;
  return {
    answer: b.answer,
    refused: b.refused === true,
    citations: citations.flatMap((c: { id?: unknown; title?: unknown }) =>
      typeof c?.id === 'string' ? [{ id: c.id, title: typeof c.title === 'string' ? c.title : undefined }] : [],
    ),
    usage: {
      inputTokens: num(usage.inputTokens),
      outputTokens: num(usage.outputTokens),
      embeddingTokens: num(usage.embeddingTokens),
    },
    traceId: typeof b.traceId === 'string' ? b.traceId : undefined,
    contexts: contexts?.flatMap((c: Record<string, unknown>): RetrievedContext[] =>
      c && typeof c.documentId === 'string' && typeof c.text === 'string'
        ? [
            {
              documentId: c.documentId,
              text: c.text,
              title: typeof c.title === 'string' ? c.title : undefined,
              score: typeof c.score === 'number' ? c.score : undefined,
            },
          ]
        : [],
    ),
  };
}

function parseChat(body: unknown): Omit<TargetResponse, 'latencyMs'> {
  const b = body as {
    id?: unknown;
    choices?: { message?: { content?: unknown } }[];
    usage?: Record<string, unknown>;
  } | null;
  const content = b?.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new MalformedResponse('no choices[0].message.content');
  const usage: Usage = {
    inputTokens: num(b?.usage?.prompt_tokens),
    outputTokens: num(b?.usage?.completion_tokens),
    embeddingTokens: 0,
  };
  return {
    answer: content,
    refused: false,
    citations: [],
    usage,
    traceId: typeof b?.id === 'string' ? b.id : undefined,
  };
}

export interface TargetClient {
  target: RunTarget;
  /** True when the target flags refusals itself (our /v1/answer). */
  reportsRefusals: boolean;
  ask(evalCase: EvalCase, signal?: AbortSignal): Promise<TargetResponse>;
}

export function targetClient(
  target: RunTarget & { fingerprint: string },
  deps: { policy: RetryPolicy; limiter: AdaptiveLimiter; cache: ResponseCache; apiKey?: string | undefined },
): TargetClient {
  const headers: Record<string, string> = deps.apiKey ? { authorization: `Bearer ${deps.apiKey}` } : {};
  const request = (evalCase: EvalCase) => {
    if (target.protocol === 'openai') {
      const messages = evalCase.input.messages ?? [{ role: 'user' as const, content: questionOf(evalCase) }];
      return { url: `${target.url}/chat/completions`, body: { model: target.model, messages } };
    }
    const history =
      evalCase.input.messages && evalCase.input.messages.length > 1 ? { messages: evalCase.input.messages } : {};
    return {
      url: `${target.url}/v1/answer`,
      body: { question: questionOf(evalCase), includeContexts: true, ...history },
    };
  };
  return {
    target,
    reportsRefusals: target.protocol === 'answer',
    async ask(evalCase, signal) {
      const { url, body } = request(evalCase);
      const key = cacheKey({
        v: 1,
        kind: 'target',
        url,
        body,
        protocol: target.protocol,
        fingerprint: target.fingerprint,
      });
      const hit = await deps.cache.get<TargetResponse>(key);
      if (hit) return { ...hit, cached: true };
      const result = await requestJson(
        url,
        { body, headers },
        {
          policy: deps.policy,
          limiter: deps.limiter,
          signal,
          parse: target.protocol === 'openai' ? parseChat : parseAnswer,
        },
      );
      // An empty x-trace-id header counts as none.
      const traceId = result.value.traceId ?? (result.headers.get('x-trace-id') || undefined);
      const response: TargetResponse = { ...result.value, traceId, latencyMs: result.latencyMs };
      await deps.cache.set(key, response);
      return response;
    },
  };
}
