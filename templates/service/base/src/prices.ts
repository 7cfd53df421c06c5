import table from './prices.json' with { type: 'json' };

/**
 * Token prices of the project's models, rendered by `genai init` from the kit's price catalog (the table
 * `genai cost` uses), so a span's cost and the monthly estimate come from one source.
 */
export interface ModelPrice {
  /** US dollars per 1M tokens. */
  input: number;
  output?: number;
  cachedInput?: number;
  region: string;
  checked: string;
  source: string;
}

export type PriceTable = Record<string, ModelPrice>;

export const prices: PriceTable = (table as { models: PriceTable }).models;

export interface RequestTokens {
  provider: string;
  chatModel: string;
  embeddingModel: string;
  inputTokens: number;
  outputTokens: number;
  embeddingTokens: number;
}

/**
 * The request's cost in US dollars, or undefined when a model it used has no price: no figure is better
 * than a wrong zero. The offline provider runs in this process and costs nothing.
 */
export function requestCostUsd(tokens: RequestTokens, table: PriceTable = prices): number | undefined {
  if (tokens.provider === 'offline') return 0;
  let usd = 0;
  if (tokens.inputTokens > 0 || tokens.outputTokens > 0) {
    const chat = table[tokens.chatModel];
    if (!chat) return undefined;
    usd += (tokens.inputTokens * chat.input + tokens.outputTokens * (chat.output ?? chat.input)) / 1e6;
  }
  if (tokens.embeddingTokens > 0) {
    const embeddings = table[tokens.embeddingModel];
    if (!embeddings) return undefined;
    usd += (tokens.embeddingTokens * embeddings.input) / 1e6;
  }
  return usd;
}
