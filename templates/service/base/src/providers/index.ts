import type { ProviderConfig } from '../config.js';
import { createOfflineProvider } from './offline.js';
import { createOpenAiCompatibleProvider } from './openai-compatible.js';
import type { Provider } from './types.js';

export type { Context, Embeddings, Generation, Provider } from './types.js';
export { estimateTokens } from './types.js';

export function createProvider(config: ProviderConfig): Provider {
  return config.kind === 'offline' ? createOfflineProvider(config) : createOpenAiCompatibleProvider(config);
}
