import { context, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Provider } from '../providers/index.js';
import type { Store } from '../store.js';
import { generate } from './generate.js';
import { guardInput } from './guard-input.js';
import { guardOutput } from './guard-output.js';
import { retrieve } from './retrieve.js';
import { contextWith, inSpan } from './span.js';

export { guardInput, medicalRefusal } from './guard-input.js';
export { guardOutput, notFoundRefusal } from './guard-output.js';

export interface PipelineDeps {
  store: Store;
  provider: Provider;
  tracer: Tracer;
  topK: number;
}

export interface AnswerRequest {
  question: string;
  includeContexts?: boolean;
}

export interface AnswerResult {
  answer: string;
  refused: boolean;
  citations: { id: string; title: string }[];
  traceId: string;
  usage: { inputTokens: number; outputTokens: number; embeddingTokens: number };
  contexts?: { documentId: string; title: string; text: string; score: number }[];
}

/**
 * The fixed sequence guard input → retrieve → generate → guard output. Each step is a span under one
 * root span, whose trace id the answer carries so a user's report leads straight to the trace.
 */
export async function answerQuestion(deps: PipelineDeps, request: AnswerRequest): Promise<AnswerResult> {
  const { tracer, provider } = deps;
  const root = tracer.startSpan('answer', {
    attributes: {
      'genai.snapshot.id': deps.store.snapshot?.id ?? '',
      'genai.question.length': request.question.length,
    },
  });
  const parent = contextWith(context.active(), root);
  const traceId = root.spanContext().traceId;
  const usage = { inputTokens: 0, outputTokens: 0, embeddingTokens: 0 };

  const finish = (
    result: Omit<AnswerResult, 'traceId' | 'usage' | 'contexts'>,
    contexts: AnswerResult['contexts'] = [],
  ) => {
    root.setAttributes({
      'genai.refused': result.refused,
      'genai.citations': result.citations.map((c) => c.id),
      'gen_ai.usage.input_tokens': usage.inputTokens,
      'gen_ai.usage.output_tokens': usage.outputTokens,
    });
    return { ...result, traceId, usage, ...(request.includeContexts ? { contexts } : {}) };
  };

  try {
    const input = await inSpan(tracer, 'guard-input', parent, async (span) => {
      const verdict = guardInput(request.question);
      span.setAttributes({
        'genai.guard.allowed': verdict.allowed,
        ...(verdict.allowed ? {} : { 'genai.guard.category': verdict.category }),
      });
      return verdict;
    });
    if (!input.allowed) {
      root.setAttribute('genai.refusal.reason', input.category);
      return finish({ answer: input.refusal, refused: true, citations: [] });
    }

    const { contexts, embeddingTokens } = await inSpan(tracer, 'retrieve', parent, (span) =>
      retrieve(deps, request.question, span),
    );
    usage.embeddingTokens = embeddingTokens;

    const generation = await inSpan(tracer, 'generate', parent, (span) =>
      generate(provider, request.question, contexts, span),
    );
    usage.inputTokens = generation?.inputTokens ?? 0;
    usage.outputTokens = generation?.outputTokens ?? 0;

    const output = await inSpan(tracer, 'guard-output', parent, async (span) => {
      const verdict = guardOutput(generation, contexts, provider.minRetrievalScore);
      span.setAttributes({
        'genai.guard.allowed': verdict.allowed,
        ...(verdict.allowed ? {} : { 'genai.guard.reason': verdict.reason }),
      });
      return verdict;
    });
    if (!output.allowed) {
      root.setAttribute('genai.refusal.reason', output.reason);
      return finish({ answer: output.refusal, refused: true, citations: [] }, contexts);
    }

    const titles = new Map(contexts.map((c) => [c.documentId, c.title]));
    const citations = (generation?.citations ?? []).map((id) => ({ id, title: titles.get(id) ?? id }));
    return finish({ answer: generation?.answer ?? '', refused: false, citations }, contexts);
  } catch (error) {
    root.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    root.end();
  }
}
