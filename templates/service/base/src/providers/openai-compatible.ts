import OpenAI from 'openai';
import type { ProviderConfig } from '../config.js';
import { ProviderError } from '../errors.js';
import { estimateTokens, type Context, type Generation, type Provider } from './types.js';

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

/** Embeddings and chat completions from any server speaking the OpenAI protocol (Ollama, vLLM, OpenAI). */
export function createOpenAiCompatibleProvider(config: OpenAiCompatibleConfig): Provider {
  const client = new OpenAI({ baseURL: config.baseURL, apiKey: config.apiKey, maxRetries: 2, timeout: 60_000 });
  const unreachable = (what: string, error: unknown) =>
    new ProviderError(
      `${what} failed at ${config.baseURL}: ${error instanceof Error ? error.message : String(error)}`,
      'check that OPENAI_BASE_URL is reachable, the models exist there and OPENAI_API_KEY is right',
    );

  return {
    kind: 'openai-compatible',
    system: 'openai',
    chatModel: config.chatModel,
    embeddingModel: config.embeddingModel,
    dimensions: config.dimensions,
    // Real embedding models place unrelated text far lower than related text; the model's own
    // "I don't know." (no citation) is the main guard.
    minRetrievalScore: config.minRetrievalScore ?? 0.2,

    async embed(texts) {
      const vectors: number[][] = [];
      let tokens = 0;
      for (let start = 0; start < texts.length; start += embeddingBatch) {
        const input = texts.slice(start, start + embeddingBatch);
        let response: OpenAI.CreateEmbeddingResponse;
        try {
          // Floats, not the client's default base64: not every compatible server speaks base64.
          response = await client.embeddings.create({ model: config.embeddingModel, input, encoding_format: 'float' });
        } catch (error) {
          throw unreachable('embeddings', error);
        }
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

    async generate(question, contexts): Promise<Generation> {
      const prompt = contextPrompt(question, contexts);
      let response: OpenAI.ChatCompletion;
      try {
        response = await client.chat.completions.create({
          model: config.chatModel,
          temperature: 0,
          messages: [
            { role: 'system', content: systemPrompt },
            { role: 'user', content: prompt },
          ],
        });
      } catch (error) {
        throw unreachable('chat completion', error);
      }
      const answer = response.choices[0]?.message.content?.trim() ?? '';
      return {
        ...renumberCitations(answer, contexts),
        // Servers that omit usage still get a cost estimate rather than zero.
        inputTokens: response.usage?.prompt_tokens ?? estimateTokens(systemPrompt + prompt),
        outputTokens: response.usage?.completion_tokens ?? estimateTokens(answer),
      };
    },
  };
}
