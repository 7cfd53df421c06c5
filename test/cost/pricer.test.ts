import { describe, expect, it } from 'vitest';
import type { Price } from '../../src/cost/price.js';
import { Pricer } from '../../src/cost/pricer.js';
import { GenaiError } from '../../src/errors.js';

const price = (id: string, region: string, usd: number): Price => ({
  id,
  region,
  unit: '1M tokens',
  usd,
  currency: 'USD',
  source: 'https://example.com/pricing',
  checked: '2026-01-01',
});

const catalog = {
  prices: [
    price('bedrock:m:input', 'eu-west-1', 1),
    price('bedrock:m:output', 'us-west-2', 2),
    price('bedrock:m:output', 'us-east-1', 3),
  ],
};

describe('the prices one environment uses', () => {
  it('lists each price once, in the region it came from, and warns once when that is another region', () => {
    const pricer = new Pricer(catalog, 'eu-west-1');
    expect(pricer.find('bedrock:m:input')!.usd).toBe(1);
    expect(pricer.find('bedrock:m:output')!.usd).toBe(3);
    pricer.find('bedrock:m:output');
    expect([...pricer.used.values()].map((used) => [used.id, used.region, used.fromOtherRegion])).toEqual([
      ['bedrock:m:input', 'eu-west-1', false],
      ['bedrock:m:output', 'us-east-1', true],
    ]);
    expect(pricer.warnings).toEqual([
      'bedrock:m:output: no eu-west-1 price in the catalog; used the us-east-1 price (add one under cost.prices if the region differs)',
    ]);
  });

  it('makes a missing price the estimate needs a usage error with the fix and the field', () => {
    const pricer = new Pricer(catalog, 'eu-west-1');
    expect(pricer.find('bedrock:m:cached-input')).toBeUndefined();
    let error: unknown;
    try {
      pricer.need('aurora:serverless-v2:acu', 'add the price under cost.prices', 'vectorStore.kind');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GenaiError);
    expect((error as GenaiError).toJSON()).toEqual({
      code: 'E_COST_NO_PRICE',
      message: 'no price for aurora:serverless-v2:acu in the catalog',
      field: 'vectorStore.kind',
      fix: 'add the price under cost.prices',
      exitCode: 2,
    });
    expect(pricer.used.size).toBe(0);
  });
});
