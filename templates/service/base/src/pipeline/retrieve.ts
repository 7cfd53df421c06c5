import type { Span } from '@opentelemetry/api';
import type { Context, Provider } from '../providers/index.js';
import type { Store } from '../store.js';

export interface Retrieval {
  contexts: Context[];
  embeddingTokens: number;
}

/** Embeds the question and returns the topK nearest chunks of the served snapshot. */
export async function retrieve(
  deps: { store: Store; provider: Provider; topK: number },
  question: string,
  span: Span,
): Promise<Retrieval> {
  const { vectors, tokens } = await deps.provider.embed([question]);
  const contexts = await deps.store.search(vectors[0] ?? [], deps.topK);
  span.setAttributes({
    'gen_ai.operation.name': 'embeddings',
    'gen_ai.provider.name': deps.provider.system,
    'gen_ai.request.model': deps.provider.embeddingModel,
    'gen_ai.usage.input_tokens': tokens,
    'db.system.name': 'postgresql',
    'genai.retrieval.top_k': deps.topK,
    'genai.retrieval.document_ids': contexts.map((c) => c.documentId),
    'genai.retrieval.top_score': contexts[0]?.score ?? 0,
  });
  return { contexts, embeddingTokens: tokens };
}
