import type { Environment } from '../manifest/index.js';
import type { Pricer } from './pricer.js';
import type { PriceCatalog } from './price.js';
import type { CostManifest, CostSettings, Stage } from './settings.js';
import type { Traffic } from './usage.js';

/** Shapes that several files of the cost module share, kept below all of them so that imports point one way. */

/** A reason the cost gate fails: an environment or the service over budget, or an increase past the limit. */
export interface GateFailure {
  code: 'E_COST_OVER_BUDGET' | 'E_COST_SERVICE_OVER_BUDGET' | 'E_COST_INCREASE';
  environment?: string;
  field?: string;
  message: string;
  fix: string;
}

/** One priced quantity of the expected scenario: what, how much, at what price. */
export interface LineItem {
  item: string;
  quantity: number;
  unit: string;
  unitUsd: number;
  usd: number;
  priceId?: string | undefined;
}

/** What one environment's estimate is made in: its settings, prices, traffic, and the notes it gathers. */
export interface Context {
  name: string;
  env: Environment;
  stage: Stage;
  manifest: CostManifest;
  settings: CostSettings;
  catalog: PriceCatalog;
  pricer: Pricer;
  traffic: Traffic;
  notes: Set<string>;
}

/** The cost of one component in one scenario, with the line items it adds up. */
export interface Part {
  usd: number;
  lines: LineItem[];
  note?: string | undefined;
}
