import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { ProviderConfig } from '../config.js';
import { ProviderError } from '../errors.js';
import { contextPrompt, renumberCitations, systemPrompt } from './openai-compatible.js';
import { parseRetryAfter, retryableStatus, withRetries, type AttemptFailure } from './retry.js';
import { estimateTokens, type CallOptions, type Generation, type Provider } from './types.js';

type BedrockConfig = Extract<ProviderConfig, { kind: 'bedrock' }>;

/** The longest answer asked of the model; four cited sentences fit well inside. */
const maxOutputTokens = 512;

/** Whether an error of the AWS SDK is worth another attempt: throttling, 5xx and lost connections are. */
export function classifyBedrockError(error: unknown): AttemptFailure {
  const e = error as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string | undefined> };
  };
  const status = e.$metadata?.httpStatusCode;
  const throttled = e.name === 'ThrottlingException' || e.name === 'ServiceUnavailableException';
  return {
    retryable: throttled || e.name === 'ModelNotReadyException' || retryableStatus(status),
    retryAfterMs: parseRetryAfter(e.$response?.headers?.['retry-after']),
    reason: e.name ?? String(status ?? 'connection'),
  };
}

/**
 * Amazon Bedrock: answers through the Converse API (one request shape for every chat model: Llama,
 * Claude, Mistral, Nova), embeddings through InvokeModel (Titan Text Embeddings v2, or Cohere Embed).
 * The SDK is loaded on the first call, so a service on another provider never loads it. Credentials come
 * from the SDK's default chain: the ECS task role in the cloud, AWS_* variables elsewhere.
 */
export function createBedrockProvider(config: BedrockConfig): Provider {
  let sdk: Promise<{ client: BedrockRuntimeClient; module: typeof import('@aws-sdk/client-bedrock-runtime') }>;
  const load = () =>
    (sdk ??= import('@aws-sdk/client-bedrock-runtime').then((module) => ({
      module,
      // The SDK's own retries are off: ours are traced and honour the same settings as every provider.
      client: new module.BedrockRuntimeClient({
        region: config.region,
        maxAttempts: 1,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      }),
    })));
  const call = async <T>(what: string, options: CallOptions | undefined, run: (signal: AbortSignal) => Promise<T>) =>
    withRetries(config.retry, run, classifyBedrockError, options?.onRetry).catch((error: unknown) => {
      const e = error as { name?: string; message?: string };
      throw new ProviderError(
        `Bedrock ${what} failed in ${config.region}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
        'check the model access in the Bedrock console for this region, the task role (bedrock:InvokeModel) and the model ids in genai.yaml',
      );
    });

  const titan = !config.embeddingModel.startsWith('cohere.');
  const decoder = new TextDecoder();

  return {
    kind: 'bedrock',
    system: 'aws.bedrock',
    chatModel: config.chatModel,
    embeddingModel: config.embeddingModel,
    dimensions: config.dimensions,
    minRetrievalScore: config.minRetrievalScore ?? 0.2,

    async embed(texts, options) {
      const { client, module } = await load();
      const vectors: number[][] = [];
      let tokens = 0;
      // Titan embeds one text per request; Cohere up to 96.
      const batch = titan ? 1 : 96;
      for (let start = 0; start < texts.length; start += batch) {
        const input = texts.slice(start, start + batch);
        const body = titan
          ? { inputText: input[0], dimensions: config.dimensions, normalize: true }
          : { texts: input, input_type: 'search_document', embedding_types: ['float'] };
        const response = await call('embeddings', options, (abortSignal) =>
          client.send(
            new module.InvokeModelCommand({
              modelId: config.embeddingModel,
              contentType: 'application/json',
              accept: 'application/json',
              body: JSON.stringify(body),
            }),
            { abortSignal },
          ),
        );
        const parsed = JSON.parse(decoder.decode(response.body)) as {
          embedding?: number[];
          inputTextTokenCount?: number;
          embeddings?: number[][] | { float?: number[][] };
        };
        const batchVectors = titan
          ? [parsed.embedding ?? []]
          : Array.isArray(parsed.embeddings)
            ? parsed.embeddings
            : (parsed.embeddings?.float ?? []);
        const wrong = batchVectors.find((v) => v.length !== config.dimensions);
        if (batchVectors.length !== input.length || wrong) {
          throw new ProviderError(
            `${config.embeddingModel} returned ${batchVectors.length} vectors of ${wrong?.length ?? config.dimensions} dimensions for ${input.length} texts; expected ${config.dimensions}`,
            'set GENAI_EMBEDDING_DIMENSIONS (genai.yaml embeddings.dimensions) to a size this model returns',
          );
        }
        vectors.push(...batchVectors);
        tokens += parsed.inputTextTokenCount ?? input.reduce((sum, text) => sum + estimateTokens(text), 0);
      }
      return { vectors, tokens };
    },

    async generate(question, contexts, options): Promise<Generation> {
      const { client, module } = await load();
      const prompt = contextPrompt(question, contexts);
      const response = await call('converse', options, (abortSignal) =>
        client.send(
          new module.ConverseCommand({
            modelId: config.chatModel,
            system: [{ text: systemPrompt }],
            messages: [{ role: 'user', content: [{ text: prompt }] }],
            inferenceConfig: { temperature: 0, maxTokens: maxOutputTokens },
          }),
          { abortSignal },
        ),
      );
      const answer = (response.output?.message?.content ?? [])
        .map((block) => block.text ?? '')
        .join('')
        .trim();
      return {
        ...renumberCitations(answer, contexts),
        inputTokens: response.usage?.inputTokens ?? estimateTokens(systemPrompt + prompt),
        outputTokens: response.usage?.outputTokens ?? estimateTokens(answer),
      };
    },
  };
}
