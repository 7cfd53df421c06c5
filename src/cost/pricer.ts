import { usageError } from '../errors.js';
import { lookupPrice } from './catalog.js';
import type { Price, PriceCatalog } from './price.js';

/** A price the estimate used, and where it came from. */
export interface PriceUsed {
  id: string;
  region: string;
  requestedRegion: string;
  fromOtherRegion: boolean;
  usd: number;
  unit: string;
  source: string;
  checked: string;
}

/** Records every price looked up for one environment, and says when one came from another region. */
export class Pricer {
  readonly used = new Map<string, PriceUsed>();
  readonly warnings: string[] = [];
  constructor(
    private readonly catalog: PriceCatalog,
    readonly region: string,
  ) {}

  find(id: string, region = this.region): Price | undefined {
    const quote = lookupPrice(this.catalog, id, region);
    if (!quote) return undefined;
    const key = `${id}@${quote.price.region}`;
    if (!this.used.has(key)) {
      this.used.set(key, {
        id,
        region: quote.price.region,
        requestedRegion: region,
        fromOtherRegion: quote.fromOtherRegion,
        usd: quote.price.usd,
        unit: quote.price.unit,
        source: quote.price.source,
        checked: quote.price.checked,
      });
      if (quote.fromOtherRegion) {
        this.warnings.push(
          `${id}: no ${region} price in the catalog; used the ${quote.price.region} price (add one under cost.prices if the region differs)`,
        );
      }
    }
    return quote.price;
  }

  /** A price the estimate cannot go without: missing is the user's to fix, so a usage error. */
  need(id: string, fix: string, field?: string): Price {
    const price = this.find(id);
    if (!price) throw usageError('E_COST_NO_PRICE', `no price for ${id} in the catalog`, { fix, field });
    return price;
  }
}
