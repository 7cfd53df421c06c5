import OpenAI from 'openai';
import type { ProviderConfig } from '../config.js';
import { ProviderError } from '../errors.js';
import { parseRetryAfter, retryableStatus, withRetries, type AttemptFailure } from './retry.js';
import { estimateTokens, type CallOptions, type Context, type Generation, type Provider } from './types.js';

type OpenAiCompatibleConfig = Extract<ProviderConfig, { kind: 'openai-compatible' }>;

/** The number of texts per embeddings request: well under every server's limit. */
const embeddingBatch = 64;

export const systemPrompt = [
  'You answer questions for the help centre using ONLY the numbered context passages you are given.',
  'Cite every statement with the number of its passage in square brackets, like [1] or [2].',
  'If the passages do not contain the answer, reply exactly: "I don\'t know." and cite nothing.',
  'Never give a diagnosis, medication or treatment advice; suggest talking to a clinician instead.',
  'Answer in at most four sentences.',
].join(' ');

/** The user message: numbered passages, then the question. */
export function contextPrompt(question: string, contexts: Context[]): string {
  const passages = contexts.map((c, i) => `[${i + 1}] ${c.title}\n${c.text}`).join('\n\n');
  return `Context:\n\n${passages}\n\nQuestion: ${question}`;
}

/**
 * The model cites passage numbers; the service's answers cite their own citations list. Renumbers `[k]`
 * (the k-th passage) to `[n]` (the n-th cited document) and drops numbers of passages that were not given,
 * so a sentence citing only those is uncited for the output guard.
 */
export function renumberCitations(answer: string, contexts: Context[]): { answer: string; citations: string[] } {
  const citations = citedDocuments(answer, contexts);
  const renumbered = answer.replace(/\[(\d+(?:\s*,\s*\d+)*)\]/g, (_whole, numbers: string) => {
    const ids = [...new Set(numbers.split(',').map((n) => contexts[Number(n.trim()) - 1]?.documentId))].filter(
      (id): id is string => id !== undefined,
    );
    return ids.length === 0 ? '' : `[${ids.map((id) => citations.indexOf(id) + 1).join(', ')}]`;
  });
  return { answer: renumbered, citations };
}

/** Maps [n] (and [n, m]) in the answer back to the ids of the documents of those passages. */
export function citedDocuments(answer: string, contexts: Context[]): string[] {
  const ids: string[] = [];
  for (const match of answer.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    for (const number of (match[1] ?? '').split(',')) {
      const context = contexts[Number(number.trim()) - 1];
      if (context && !ids.includes(context.documentId)) ids.push(context.documentId);
    }
  }
  return ids;
}

/** Whether an error of the openai client is worth another attempt, and after how long. */
export function classifyOpenAiError(error: unknown): AttemptFailure {
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const headers = error.headers;
    return {
      retryable: retryableStatus(error.status),
      retryAfterMs: parseRetryAfter(headers?.get('retry-after'), headers?.get('retry-after-ms')),
      reason: String(error.status),
    };
  }
  // No status: the connection failed or was reset; another attempt may reach a healthy replica.
  return { retryable: !(error instanceof OpenAI.APIUserAbortError), reason: 'connection' };
}

/** Embeddings and chat completions from any server speaking the OpenAI protocol (Ollama, vLLM, OpenAI). */
export function createOpenAiCompatibleProvider(config: OpenAiCompatibleConfig): Provider {
  // The client's own retries and timeout are off: ours (src/providers/retry.ts) are traced and configurable.
  const client = new OpenAI({ baseURL: config.baseURL, apiKey: config.apiKey, maxRetries: 0, timeout: 24 * 3600_000 });
  const { retry } = config;
  const unreachable = (what: string, error: unknown) =>
    new ProviderError(
      `${what} failed at ${config.baseURL}: ${error instanceof Error ? error.message : String(error)}`,
      'check that OPENAI_BASE_URL is reachable, the models exist there and OPENAI_API_KEY is right (GENAI_MODEL_TIMEOUT_MS and GENAI_MODEL_MAX_RETRIES bound each call)',
    );
  const call = <T>(
    what: string,
    options: CallOptions | undefined,
    run: (signal: AbortSignal, progress: () => void) => Promise<T>,
  ) =>
    withRetries(retry, run, classifyOpenAiError, options?.onRetry).catch((error: unknown) => {
      throw unreachable(what, error);
    });

  return {
    kind: 'openai-compatible',
    system: 'openai',
    chatModel: config.chatModel,
    embeddingModel: config.embeddingModel,
    dimensions: config.dimensions,
    // Real embedding models place unrelated text far lower than related text; the model's own
    // "I don't know." (no citation) is the main guard.
    minRetrievalScore: config.minRetrievalScore ?? 0.2,

    async embed(texts, options) {
      const vectors: number[][] = [];
      let tokens = 0;
      for (let start = 0; start < texts.length; start += embeddingBatch) {
        const input = texts.slice(start, start + embeddingBatch);
        // Floats, not the client's default base64: not every compatible server speaks base64.
        const response = await call('embeddings', options, (signal) =>
          client.embeddings.create({ model: config.embeddingModel, input, encoding_format: 'float' }, { signal }),
        );
        const batch = [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
        const wrong = batch.find((v) => v.length !== config.dimensions);
        if (batch.length !== input.length || wrong) {
          throw new ProviderError(
            `${config.embeddingModel} returned ${batch.length} vectors of ${wrong?.length ?? config.dimensions} dimensions for ${input.length} texts; expected ${config.dimensions} dimensions`,
            'set GENAI_EMBEDDING_DIMENSIONS to the length of the vectors this model returns',
          );
        }
        vectors.push(...batch);
        tokens += response.usage?.prompt_tokens ?? input.reduce((sum, text) => sum + estimateTokens(text), 0);
      }
      return { vectors, tokens };
    },

    async generate(question, contexts, options): Promise<Generation> {
      const prompt = contextPrompt(question, contexts);
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: systemPrompt },
        { role: 'user', content: prompt },
      ];
      const reply = options?.stream
        ? await call('chat completion', options, (signal, progress) =>
            streamedReply(client, { model: config.chatModel, temperature: 0, messages }, signal, progress),
          )
        : await call('chat completion', options, async (signal) => {
            const response = await client.chat.completions.create(
              { model: config.chatModel, temperature: 0, messages },
              { signal },
            );
            return { text: response.choices[0]?.message.content ?? '', usage: response.usage };
          });
      const answer = reply.text.trim();
      return {
        ...renumberCitations(answer, contexts),
        // Servers that omit usage still get a cost estimate rather than zero.
        inputTokens: reply.usage?.prompt_tokens ?? estimateTokens(systemPrompt + prompt),
        outputTokens: reply.usage?.completion_tokens ?? estimateTokens(answer),
      };
    },
  };
}

/**
 * A streamed chat completion, assembled. Each chunk restarts the attempt's timeout, so a long answer that
 * keeps coming is not cut off while a stalled one is; usage comes in the last chunk when the server sends it.
 */
async function streamedReply(
  client: OpenAI,
  body: OpenAI.ChatCompletionCreateParamsNonStreaming,
  signal: AbortSignal,
  progress: () => void,
): Promise<{ text: string; usage: OpenAI.CompletionUsage | null | undefined }> {
  const stream = await client.chat.completions.create(
    { ...body, stream: true, stream_options: { include_usage: true } },
    { signal },
  );
  let text = '';
  let usage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    progress();
    text += chunk.choices[0]?.delta.content ?? '';
    if (chunk.usage) usage = chunk.usage;
  }
  return { text, usage };
}
