import { environmentError } from '../../errors.js';
import type { JudgeModelConfig } from '../../manifest/sections/evals.js';
import { MalformedResponse, requestJson, type AdaptiveLimiter, type RetryPolicy } from '../http.js';
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

export function judgeModel(
  config: JudgeModelConfig,
  deps: { policy: RetryPolicy; limiter: AdaptiveLimiter },
): JudgeModel {
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
 * Bedrock's Converse API, signed with SigV4 from the standard AWS environment variables. A real account
 * is needed to grade with it; tests check the request against a local endpoint (`baseUrl`).
 */
function bedrockJudge(config: JudgeModelConfig, deps: { policy: RetryPolicy; limiter: AdaptiveLimiter }): JudgeModel {
  const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw environmentError('E_EVAL_JUDGE_REGION', 'the bedrock judge needs a region', {
      fix: 'set evals.judgeModel.region or AWS_REGION',
      field: 'evals.judgeModel.region',
    });
  }
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw environmentError('E_EVAL_JUDGE_CREDENTIALS', 'the bedrock judge needs AWS credentials in the environment', {
      fix: 'export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), e.g. with `aws configure export-credentials --format env`',
    });
  }
  const endpoint = (config.baseUrl ?? `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, '');
  return {
    provider: 'bedrock',
    id: config.id,
    baseUrl: endpoint,
    async complete(messages, options) {
      const system = messages.filter((m) => m.role === 'system').map((m) => ({ text: m.content }));
      const body = {
        system: system.length ? system : undefined,
        messages: messages
          .filter((m) => m.role !== 'system')
          .map((m) => ({ role: m.role, content: [{ text: m.content }] })),
        inferenceConfig: { temperature: options.temperature, maxTokens: 400 },
      };
      const path = `/model/${encodeURIComponent(config.id)}/converse`;
      const payload = JSON.stringify(body);
      const { sigV4Headers } = await import('./sigv4.js');
      const { host: _host, ...headers } = sigV4Headers({
        method: 'POST',
        url: new URL(endpoint + path),
        body: payload,
        region,
        service: 'bedrock',
        credentials: { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN },
      });
      const result = await requestJson(
        endpoint + path,
        { body, headers },
        {
          policy: deps.policy,
          limiter: deps.limiter,
          signal: options.signal,
          parse: (reply) => {
            const content = (reply as { output?: { message?: { content?: { text?: unknown }[] } } })?.output?.message
              ?.content;
            const text = content?.find((c) => typeof c.text === 'string')?.text;
            if (typeof text !== 'string') throw new MalformedResponse('no output.message.content[].text');
            return text;
          },
        },
      );
      return result.value;
    },
  };
}
