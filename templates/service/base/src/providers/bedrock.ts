import type { BedrockRuntimeClient, ConverseStreamCommand, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
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
    $fault?: 'client' | 'server';
  };
  const status = e.$metadata?.httpStatusCode;
  const throttled = e.name === 'ThrottlingException' || e.name === 'ServiceUnavailableException';
  // An exception event inside a stream has no HTTP status of its own; its fault says whose it is.
  const transient = status === undefined ? e.$fault !== 'client' : retryableStatus(status);
  return {
    retryable: throttled || e.name === 'ModelNotReadyException' || transient,
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
  const call = async <T>(
    what: string,
    options: CallOptions | undefined,
    run: (signal: AbortSignal, progress: () => void) => Promise<T>,
  ) =>
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
      const request = {
        modelId: config.chatModel,
        system: [{ text: systemPrompt }],
        messages: [{ role: 'user' as const, content: [{ text: prompt }] }],
        inferenceConfig: { temperature: 0, maxTokens: maxOutputTokens },
      };
      const reply = options?.stream
        ? await call('converse-stream', options, (abortSignal, progress) =>
            streamedReply(client, new module.ConverseStreamCommand(request), abortSignal, progress),
          )
        : await call('converse', options, async (abortSignal) => {
            const response = await client.send(new module.ConverseCommand(request), { abortSignal });
            const text = (response.output?.message?.content ?? []).map((block) => block.text ?? '').join('');
            return { text, usage: response.usage };
          });
      const answer = reply.text.trim();
      return {
        ...renumberCitations(answer, contexts),
        inputTokens: reply.usage?.inputTokens ?? estimateTokens(systemPrompt + prompt),
        outputTokens: reply.usage?.outputTokens ?? estimateTokens(answer),
      };
    },
  };
}

/**
 * A ConverseStream answer, assembled: the text deltas in order, usage from the closing `metadata` event.
 * Each event restarts the attempt's timeout, so a long answer that keeps coming is not cut off while a
 * stalled one is; an exception event inside the stream (throttling, a model error) fails the attempt like
 * one before it, and the whole stream is retried.
 */
async function streamedReply(
  client: BedrockRuntimeClient,
  command: ConverseStreamCommand,
  abortSignal: AbortSignal,
  progress: () => void,
): Promise<{ text: string; usage: TokenUsage | undefined }> {
  const response = await client.send(command, { abortSignal });
  let text = '';
  let usage: TokenUsage | undefined;
  let stopped = false;
  for await (const event of response.stream ?? []) {
    progress();
    const exception =
      event.throttlingException ??
      event.serviceUnavailableException ??
      event.internalServerException ??
      event.modelStreamErrorException ??
      event.validationException;
    if (exception) throw exception;
    if (event.contentBlockDelta?.delta?.text !== undefined) text += event.contentBlockDelta.delta.text;
    if (event.messageStop) stopped = true;
    if (event.metadata?.usage) usage = event.metadata.usage;
  }
  // An aborted HTTP/2 stream can end quietly: the timeout, not a cut-off answer, is what happened.
  abortSignal.throwIfAborted();
  if (!stopped) throw Object.assign(new Error('the stream ended before messageStop'), { name: 'IncompleteStream' });
  return { text, usage };
}
