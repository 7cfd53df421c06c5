import { environmentError } from '../../errors.js';
import type { JudgeModelConfig } from '../../manifest/sections/evals.js';
import {
  httpFailure,
  MalformedResponse,
  requestJson,
  withRetries,
  type AdaptiveLimiter,
  type RetryPolicy,
} from '../http.js';
import type { ChatMessage } from '../types.js';

/** A model that grades: takes a chat, returns the text of its reply. */
export interface JudgeModel {
  provider: 'openai-compatible' | 'bedrock';
  id: string;
  baseUrl?: string;
  complete(
    messages: ChatMessage[],
    options: { temperature: number; signal?: AbortSignal | undefined },
  ): Promise<string>;
}

/** The client of the configured judge model; a Bedrock one checks its region and credentials first. */
export async function judgeModel(
  config: JudgeModelConfig,
  deps: { policy: RetryPolicy; limiter: AdaptiveLimiter },
): Promise<JudgeModel> {
  if (config.provider === 'openai-compatible') return openAiJudge(config, deps);
  if (config.provider === 'bedrock') return bedrockJudge(config, deps);
  throw new Error(`no model client for provider ${config.provider}`);
}

function openAiJudge(config: JudgeModelConfig, deps: { policy: RetryPolicy; limiter: AdaptiveLimiter }): JudgeModel {
  const baseUrl = (config.baseUrl ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  const keyName = config.apiKeyEnv ?? 'OPENAI_API_KEY';
  const key = process.env[keyName];
  if (!key && !config.baseUrl) {
    throw environmentError('E_EVAL_JUDGE_KEY', `the judge model needs an API key in ${keyName}`, {
      fix: `export ${keyName}=…, or set evals.judgeModel.baseUrl to a local OpenAI-compatible server`,
      field: 'evals.judgeModel',
    });
  }
  return {
    provider: 'openai-compatible',
    id: config.id,
    baseUrl,
    async complete(messages, options) {
      const result = await requestJson(
        `${baseUrl}/chat/completions`,
        {
          body: { model: config.id, messages, temperature: options.temperature, max_tokens: 400 },
          headers: key ? { authorization: `Bearer ${key}` } : {},
        },
        {
          policy: deps.policy,
          limiter: deps.limiter,
          signal: options.signal,
          parse: (body) => {
            const content = (body as { choices?: { message?: { content?: unknown } }[] })?.choices?.[0]?.message
              ?.content;
            if (typeof content !== 'string') throw new MalformedResponse('no choices[0].message.content');
            return content;
          },
        },
      );
      return result.value;
    },
  };
}

/**
 * Bedrock's Converse API through the AWS SDK's Bedrock Runtime client, loaded only here, with the default
 * credential provider chain (environment, profiles and SSO, web identity, container and instance roles).
 * The SDK's own retries are off (`maxAttempts: 1`): our attempt loop retries, so that a throttled request
 * is one signal to the judge's limiter and two retry loops never multiply. `baseUrl` (or the SDK's own
 * AWS_ENDPOINT_URL_BEDROCK_RUNTIME) overrides the endpoint. Credentials and region are resolved before
 * the first case, so that a missing login is one error (exit 3), not an errored judge per case.
 */
async function bedrockJudge(
  config: JudgeModelConfig,
  deps: { policy: RetryPolicy; limiter: AdaptiveLimiter },
): Promise<JudgeModel> {
  // Node 20 is supported by the kit; the SDK's multi-line notice about its future Node 22 minimum is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { BedrockRuntimeClient, ConverseCommand } = await import('@aws-sdk/client-bedrock-runtime');
  const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const client = new BedrockRuntimeClient({
    maxAttempts: 1,
    ...(region ? { region } : {}),
    ...(config.baseUrl ? { endpoint: config.baseUrl } : {}),
  });
  try {
    await client.config.region();
  } catch {
    throw environmentError('E_EVAL_JUDGE_REGION', 'the bedrock judge needs a region', {
      fix: 'set evals.judgeModel.region, AWS_REGION, or a region in your AWS profile',
      field: 'evals.judgeModel.region',
    });
  }
  try {
    await client.config.credentials();
  } catch (err) {
    throw environmentError('E_EVAL_JUDGE_CREDENTIALS', `no AWS credentials for the bedrock judge: ${firstLine(err)}`, {
      fix: 'run `aws sso login` (or `aws configure`), or set AWS_PROFILE to a profile with Bedrock access',
    });
  }
  return {
    provider: 'bedrock',
    id: config.id,
    ...(config.baseUrl ? { baseUrl: config.baseUrl.replace(/\/+$/, '') } : {}),
    async complete(messages, options) {
      const system = messages.filter((m) => m.role === 'system').map((m) => ({ text: m.content }));
      const command = new ConverseCommand({
        modelId: config.id,
        ...(system.length ? { system } : {}),
        messages: messages
          .filter((m) => m.role !== 'system')
          .map((m) => ({ role: m.role as 'user' | 'assistant', content: [{ text: m.content }] })),
        inferenceConfig: { temperature: options.temperature, maxTokens: 400 },
      });
      const result = await withRetries(
        async (signal) => {
          let reply;
          try {
            reply = await client.send(command, { abortSignal: signal });
          } catch (err) {
            throw sdkFailure(err);
          }
          const text = reply.output?.message?.content?.find((c) => typeof c.text === 'string')?.text;
          if (typeof text !== 'string') throw new MalformedResponse('no output.message.content[].text');
          return text;
        },
        { policy: deps.policy, limiter: deps.limiter, signal: options.signal },
      );
      return result.value;
    },
  };
}

/**
 * An SDK error as our attempt loop reads it: a service answer keeps its HTTP status (a ThrottlingException
 * is a 429, the limiter's signal) and its Retry-After; a credentials error is the user's environment.
 */
function sdkFailure(err: unknown): unknown {
  const error = err as Error & {
    $metadata?: { httpStatusCode?: number };
    $response?: { headers?: Record<string, string | undefined> };
  };
  if (error?.name === 'CredentialsProviderError') {
    return environmentError('E_EVAL_JUDGE_CREDENTIALS', `no AWS credentials for the bedrock judge: ${firstLine(err)}`, {
      fix: 'run `aws sso login` (or `aws configure`), or set AWS_PROFILE to a profile with Bedrock access',
    });
  }
  const status = error?.name === 'ThrottlingException' ? 429 : error?.$metadata?.httpStatusCode;
  if (status === undefined) return err;
  return httpFailure(status, `${error.name}: ${error.message}`, error.$response?.headers?.['retry-after']);
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0];
