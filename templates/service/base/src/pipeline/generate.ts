import type { Span } from '@opentelemetry/api';
import type { Context, Generation, Provider } from '../providers/index.js';
import { retryEvent } from './retrieve.js';

/** Answers from the contexts that count as evidence (at least the provider's minimum similarity). */
export async function generate(
  provider: Provider,
  question: string,
  contexts: Context[],
  span: Span,
  stream = false,
): Promise<Generation> {
  // The out-of-scope guard has made sure that at least the best context counts as evidence.
  const evidence = contexts.filter((c) => c.score >= provider.minRetrievalScore);
  span.setAttributes({
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': provider.system,
    'gen_ai.provider.name': provider.system,
    'gen_ai.request.model': provider.chatModel,
    'gen_ai.request.temperature': 0,
    'genai.generate.contexts': evidence.length,
    'genai.generate.stream': stream,
  });
  const generation = await provider.generate(question, evidence, { stream, onRetry: retryEvent(span) });
  span.setAttributes({
    'gen_ai.usage.input_tokens': generation.inputTokens,
    'gen_ai.usage.output_tokens': generation.outputTokens,
    'gen_ai.response.model': provider.chatModel,
    'genai.citations': generation.citations,
  });
  return generation;
}
