// suggest.ts is dependency-free: the catalog stays importable without zod, yaml or the CLI.
import { nearest } from '../manifest/suggest.js';
import { CATALOG_PRICES } from './catalog-data.js';
import { PRICE_UNITS, type Price, type PriceCatalog, type PriceUnit } from './price.js';

/**
 * The price catalog: plain data and pure functions, importable without the CLI, so the generated
 * service can put a per-request cost on its spans from the same table that `genai cost` uses.
 */

/** What a lookup found: the price, and whether it had to come from another region than asked. */
export interface PriceQuote {
  price: Price;
  requestedRegion: string;
  /** True when the catalog has no price in the requested region and another region's figure is used. */
  fromOtherRegion: boolean;
}

export interface CatalogProblem {
  index: number;
  id: string;
  message: string;
}

/** The unit every dimension must be quoted in, so that overrides cannot mix per-1K and per-1M figures. */
const UNIT_OF_DIMENSION: Record<string, PriceUnit> = {
  input: '1M tokens',
  output: '1M tokens',
  'cached-input': '1M tokens',
  'provisioned-no-commit': 'model-unit-hour',
  'provisioned-1-month': 'model-unit-hour',
  'provisioned-6-month': 'model-unit-hour',
  hosting: 'instance-hour',
  'on-demand': 'instance-hour',
};

export const DEFAULT_CATALOG: PriceCatalog = { prices: CATALOG_PRICES };

export const priceId = (service: string, resource: string, dimension: string): string =>
  `${service}:${resource}:${dimension}`;

/** Splits an id at its first and last colon: model ids in the middle may hold colons themselves. */
export function parsePriceId(id: string): { service: string; resource: string; dimension: string } | undefined {
  const first = id.indexOf(':');
  const last = id.lastIndexOf(':');
  if (first <= 0 || last <= first + 1 || last === id.length - 1) return undefined;
  return { service: id.slice(0, first), resource: id.slice(first + 1, last), dimension: id.slice(last + 1) };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The unit a price id must carry, when its dimension fixes one. */
export function expectedUnit(id: string): PriceUnit | undefined {
  const parsed = parsePriceId(id);
  return parsed ? UNIT_OF_DIMENSION[parsed.dimension] : undefined;
}

/** Every problem of a list of prices: no price without a known unit, a source and a valid date. */
export function validatePrices(prices: readonly Price[], now = new Date()): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  const seen = new Set<string>();
  prices.forEach((price, index) => {
    const add = (message: string) => problems.push({ index, id: price.id, message });
    if (!parsePriceId(price.id)) add(`id ${JSON.stringify(price.id)} is not service:resource:dimension`);
    const unit = expectedUnit(price.id);
    if (unit && price.unit !== unit) add(`unit must be ${unit} for this dimension, found ${String(price.unit)}`);
    else if (!(PRICE_UNITS as readonly string[]).includes(price.unit))
      add(`unit ${JSON.stringify(price.unit)} is not one of ${PRICE_UNITS.join(', ')}`);
    if (!Number.isFinite(price.usd) || price.usd < 0) add(`usd must be a non-negative number, found ${price.usd}`);
    if (price.currency !== 'USD') add(`currency must be USD, found ${String(price.currency)}`);
    if (typeof price.source !== 'string' || price.source.trim() === '') add('source is missing');
    if (typeof price.checked !== 'string' || !isIsoDate(price.checked))
      add(`checked must be an ISO date (YYYY-MM-DD), found ${JSON.stringify(price.checked)}`);
    else if (new Date(`${price.checked}T00:00:00Z`).getTime() > now.getTime())
      add(`checked date ${price.checked} is in the future`);
    if (typeof price.region !== 'string' || price.region.trim() === '') add('region is missing');
    const key = `${price.id}@${price.region}`;
    if (seen.has(key)) add(`duplicate price for ${price.id} in ${price.region}`);
    seen.add(key);
  });
  return problems;
}

/**
 * The catalog with a project's own prices laid over it: an override replaces the catalog's figure for
 * the same id and region (or every region when it names none) and may add ids the catalog lacks.
 */
export function withOverrides(catalog: PriceCatalog, overrides: readonly Price[]): PriceCatalog {
  if (overrides.length === 0) return catalog;
  const replaced = (price: Price) =>
    overrides.some(
      (override) => override.id === price.id && (override.region === price.region || override.region === '*'),
    );
  return { prices: [...overrides, ...catalog.prices.filter((price) => !replaced(price))] };
}

/**
 * Finds a price for a region. Order: that region, `*` (a project override for every region), `global`,
 * then another region of the same geography, then us-east-1, us-west-2, then any — flagged as such.
 */
export function lookupPrice(catalog: PriceCatalog, id: string, region: string): PriceQuote | undefined {
  const candidates = catalog.prices.filter((price) => price.id === id);
  if (candidates.length === 0) return undefined;
  const exact = candidates.find(
    (price) => price.region === region || price.region === '*' || price.region === 'global',
  );
  if (exact) return { price: exact, requestedRegion: region, fromOtherRegion: false };
  const geography = region.split('-')[0];
  const other =
    candidates.find((price) => price.region.split('-')[0] === geography) ??
    candidates.find((price) => price.region === 'us-east-1') ??
    candidates.find((price) => price.region === 'us-west-2') ??
    candidates[0]!;
  return { price: other, requestedRegion: region, fromOtherRegion: true };
}

/** Resource ids (models, instance types) the catalog prices for a service, for "did you mean". */
export function resourcesOf(catalog: PriceCatalog, service: string): string[] {
  const ids = new Set<string>();
  for (const price of catalog.prices) {
    const parsed = parsePriceId(price.id);
    if (parsed?.service === service) ids.add(parsed.resource);
  }
  return [...ids];
}

/** The catalog's resource ids nearest to `query` by edit distance, closest first. */
export function nearestResources(catalog: PriceCatalog, service: string, query: string, count = 3): string[] {
  return nearest(query, resourcesOf(catalog, service), count);
}

export function priceAgeDays(price: Price, now: Date): number {
  return Math.floor((now.getTime() - new Date(`${price.checked}T00:00:00Z`).getTime()) / 86_400_000);
}

/** Prices checked longer ago than `maxAgeDays`, oldest first. */
export function stalePrices(
  prices: readonly Price[],
  now: Date,
  maxAgeDays: number,
): Array<Price & { ageDays: number }> {
  return prices
    .map((price) => ({ ...price, ageDays: priceAgeDays(price, now) }))
    .filter((price) => price.ageDays > maxAgeDays)
    .sort((a, b) => b.ageDays - a.ageDays);
}

/** The catalog service that prices a model provider's tokens; undefined where tokens are not billed. */
export function tokenService(provider: string): string | undefined {
  if (provider === 'bedrock') return 'bedrock';
  if (provider === 'openai-compatible') return 'openai';
  return undefined;
}

export interface RequestCostInput {
  provider: string;
  modelId: string;
  region: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  embeddingProvider?: string;
  embeddingModelId?: string;
  embeddingTokens?: number;
}

/**
 * The token cost of one request in US dollars, for a span attribute. Undefined when a model is not
 * in the catalog (the service then leaves the attribute out rather than report a wrong zero).
 */
export function requestCostUsd(input: RequestCostInput, catalog: PriceCatalog = DEFAULT_CATALOG): number | undefined {
  let usd = 0;
  const service = tokenService(input.provider);
  if (service) {
    const rate = (dimension: string) =>
      lookupPrice(catalog, priceId(service, input.modelId, dimension), input.region)?.price.usd;
    const inputRate = rate('input');
    const outputRate = rate('output');
    if (inputRate === undefined || outputRate === undefined) return undefined;
    const cached = Math.min(input.cachedInputTokens ?? 0, input.inputTokens);
    const cachedRate = rate('cached-input') ?? inputRate;
    usd += ((input.inputTokens - cached) * inputRate + cached * cachedRate + input.outputTokens * outputRate) / 1e6;
  }
  const embeddingService = input.embeddingProvider ? tokenService(input.embeddingProvider) : undefined;
  if (embeddingService && input.embeddingModelId && input.embeddingTokens) {
    const rate = lookupPrice(catalog, priceId(embeddingService, input.embeddingModelId, 'input'), input.region)?.price
      .usd;
    if (rate === undefined) return undefined;
    usd += (input.embeddingTokens * rate) / 1e6;
  }
  return usd;
}
