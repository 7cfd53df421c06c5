/**
 * What a price is: the shapes that the catalog's data (catalog-data.ts) and its functions (catalog.ts)
 * both use. Kept apart so that neither of those two files imports the other's types.
 */

export const PRICE_UNITS = [
  '1M tokens',
  'model-unit-hour',
  'instance-hour',
  'node-hour',
  'vCPU-hour',
  'GB-hour',
  'ACU-hour',
  'OCU-hour',
  'GB-month',
  'GB',
  'TB',
  '1M requests',
  'ALB-hour',
  'LCU-hour',
  'metric-month',
  'alarm-month',
  'dashboard-month',
] as const;

export type PriceUnit = (typeof PRICE_UNITS)[number];

export interface Price {
  /** `service:resource:dimension`, e.g. `bedrock:meta.llama3-1-70b-instruct-v1:0:input`. */
  id: string;
  /** AWS region code, or `global` for a vendor that prices alike everywhere. */
  region: string;
  unit: PriceUnit;
  usd: number;
  currency: 'USD';
  /** Where the figure comes from: a public price page, or `genai.yaml` with the user's own source. */
  source: string;
  /** ISO date (YYYY-MM-DD) the figure was checked against its source. */
  checked: string;
  note?: string | undefined;
}

export interface PriceCatalog {
  prices: readonly Price[];
}
