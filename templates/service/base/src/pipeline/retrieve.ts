import type { Span } from '@opentelemetry/api';
import type { Context, Provider } from '../providers/index.js';
import type { RetryEvent } from '../providers/retry.js';
import type { Store } from '../store.js';

/** Embeds the question: its own step, so a slow embedding endpoint shows as such in the trace. */
export async function embedQuestion(provider: Provider, question: string, span: Span) {
  const { vectors, tokens } = await provider.embed([question], { onRetry: retryEvent(span) });
  span.setAttributes({
    'gen_ai.operation.name': 'embeddings',
    'gen_ai.system': provider.system,
    'gen_ai.provider.name': provider.system,
    'gen_ai.request.model': provider.embeddingModel,
    'gen_ai.usage.input_tokens': tokens,
  });
  return { vector: vectors[0] ?? [], tokens };
}

/** Records a model call's retry on the step's span: when, why and how long it waited. */
export const retryEvent = (span: Span) => (event: RetryEvent) =>
  span.addEvent('gen_ai.retry', {
    'genai.retry.attempt': event.attempt,
    'genai.retry.delay_ms': event.delayMs,
    'genai.retry.reason': event.reason,
  });

/** The topK chunks of the served snapshot nearest to the question's embedding, with their scores. */
export async function retrieve(deps: { store: Store; topK: number }, vector: number[], span: Span): Promise<Context[]> {
  const contexts = await deps.store.search(vector, deps.topK);
  span.setAttributes({
    'db.system.name': 'postgresql',
    'db.operation.name': 'SELECT',
    'genai.retrieval.top_k': deps.topK,
    'genai.retrieval.document_ids': contexts.map((c) => c.documentId),
    'genai.retrieval.scores': contexts.map((c) => Math.round(c.score * 1e4) / 1e4),
    'genai.retrieval.top_score': contexts[0]?.score ?? 0,
  });
  return contexts;
}
