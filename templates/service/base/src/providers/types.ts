import type { RetryEvent } from './retry.js';

/** A retrieved chunk as the generation step sees it. */
export interface Context {
  documentId: string;
  title: string;
  text: string;
  /** Cosine similarity to the question, -1..1. */
  score: number;
}

export interface Embeddings {
  vectors: number[][];
  tokens: number;
}

export interface Generation {
  answer: string;
  /** Ids of the documents the answer cites, in order of first citation. */
  citations: string[];
  inputTokens: number;
  outputTokens: number;
}

/** How one call to a model runs; every field is optional. */
export interface CallOptions {
  /** Ask the model to stream its answer (the chat completions API with stream: true). */
  stream?: boolean | undefined;
  /** Hears every retry: the pipeline records it on the step's span. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
}

/** Embeddings and answers from one place: the offline provider, an OpenAI-compatible endpoint or Bedrock. */
export interface Provider {
  readonly kind: 'offline' | 'openai-compatible' | 'bedrock';
  /** The `gen_ai.provider.name` of its spans. */
  readonly system: string;
  readonly chatModel: string;
  readonly embeddingModel: string;
  readonly dimensions: number;
  /** Below this similarity the best chunk is no evidence and the answer is refused. */
  readonly minRetrievalScore: number;
  embed(texts: string[], options?: CallOptions): Promise<Embeddings>;
  generate(question: string, contexts: Context[], options?: CallOptions): Promise<Generation>;
}

/** About 4 characters per token: close enough for English usage reports and chunk sizes. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);
