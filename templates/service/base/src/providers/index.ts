import type { ProviderConfig } from '../config.js';
import { createBedrockProvider } from './bedrock.js';
import { createOfflineProvider } from './offline.js';
import { createOpenAiCompatibleProvider } from './openai-compatible.js';
import type { Provider } from './types.js';

export type { CallOptions, Context, Embeddings, Generation, Provider } from './types.js';
export { estimateTokens } from './types.js';

/** The provider genai.yaml's model.provider names (GENAI_MODEL_PROVIDER); Bedrock's SDK loads on first use. */
export function createProvider(config: ProviderConfig): Provider {
  switch (config.kind) {
    case 'offline':
      return createOfflineProvider(config);
    case 'openai-compatible':
      return createOpenAiCompatibleProvider(config);
    case 'bedrock':
      return createBedrockProvider(config);
  }
}
