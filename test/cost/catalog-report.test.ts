import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CATALOG,
  lookupPrice,
  requestCostUsd,
  stalePrices,
  validatePrices,
  withOverrides,
} from '../../src/cost/catalog.js';
import { diffReports, parseMaxIncrease } from '../../src/cost/diff.js';
import { PRICE_UNITS, type Price } from '../../src/cost/price.js';
import { budgetFindings } from '../../src/cost/index.js';
import { buildReport, renderMarkdown } from '../../src/cost/report.js';
import { validateManifest, type Manifest } from '../../src/manifest/index.js';

const now = new Date('2026-11-26T00:00:00Z');
const designText = readFileSync(
  join(import.meta.dirname, '..', 'fixtures', 'cost', 'design-example', 'genai.yaml'),
  'utf8',
);
const manifestOf = (text: string): Manifest => validateManifest(text).manifest!;

describe('the price catalog', () => {
  it('has no price without a known unit, a source and a date', () => {
    expect(validatePrices(DEFAULT_CATALOG.prices, now)).toEqual([]);
    for (const price of DEFAULT_CATALOG.prices) {
      expect(PRICE_UNITS).toContain(price.unit);
      expect(price.source).toMatch(/^https:\/\//);
      expect(price.checked).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(price.currency).toBe('USD');
    }
  });

  it('reports each missing part of a bad price', () => {
    const bad = [
      {
        id: 'bedrock:x:input',
        region: 'us-east-1',
        unit: '1K tokens',
        usd: -1,
        currency: 'USD',
        source: '',
        checked: '2024-13-01',
      },
    ] as unknown as Price[];
    expect(validatePrices(bad, now).map((problem) => problem.message)).toEqual([
      'unit must be 1M tokens for this dimension, found 1K tokens',
      'usd must be a non-negative number, found -1',
      'source is missing',
      'checked must be an ISO date (YYYY-MM-DD), found "2024-13-01"',
    ]);
  });

  it('looks a price up in its region, else the same geography, else us-east-1, and says so', () => {
    const sonnet = 'bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0:input';
    expect(lookupPrice(DEFAULT_CATALOG, sonnet, 'eu-central-1')).toMatchObject({
      fromOtherRegion: false,
      price: { region: 'eu-central-1' },
    });
    expect(lookupPrice(DEFAULT_CATALOG, sonnet, 'eu-west-1')).toMatchObject({
      fromOtherRegion: true,
      price: { region: 'eu-central-1' },
    });
    expect(lookupPrice(DEFAULT_CATALOG, sonnet, 'ap-southeast-2')).toMatchObject({
      fromOtherRegion: true,
      price: { region: 'us-east-1' },
    });
    expect(lookupPrice(DEFAULT_CATALOG, 'openai:gpt-4o-mini:input', 'eu-west-1')).toMatchObject({
      fromOtherRegion: false,
      price: { usd: 0.15 },
    });
  });

  it('lets a project override a price for every region', () => {
    const override: Price = {
      id: 'bedrock:meta.llama3-1-70b-instruct-v1:0:input',
      region: '*',
      unit: '1M tokens',
      usd: 0.5,
      currency: 'USD',
      source: 'contract',
      checked: '2026-11-01',
    };
    const catalog = withOverrides(DEFAULT_CATALOG, [override]);
    expect(lookupPrice(catalog, override.id, 'eu-west-1')).toMatchObject({
      fromOtherRegion: false,
      price: { usd: 0.5, source: 'contract' },
    });
  });

  it('flags prices older than the set age', () => {
    const prices = DEFAULT_CATALOG.prices.filter((price) => price.id.startsWith('openai:gpt-4.1:'));
    expect(stalePrices(prices, new Date('2025-06-01T00:00:00Z'), 180)).toEqual([]);
    const stale = stalePrices(prices, new Date('2025-12-01T00:00:00Z'), 180);
    expect(stale).toHaveLength(3);
    expect(stale[0]!.ageDays).toBe(231);
  });

  it('prices one request for a span without the CLI', () => {
    // 1,000 × 0.15 + 200 × 0.60 = 270 per 1M → $0.00027; 50 embedding tokens × 0.02 / 1M = $0.000001
    const cost = requestCostUsd({
      provider: 'openai-compatible',
      modelId: 'gpt-4o-mini',
      region: 'global',
      inputTokens: 1000,
      outputTokens: 200,
      embeddingProvider: 'openai-compatible',
      embeddingModelId: 'text-embedding-3-small',
      embeddingTokens: 50,
    });
    expect(cost).toBeCloseTo(0.000271, 9);
    expect(
      requestCostUsd({
        provider: 'bedrock',
        modelId: 'no-such-model',
        region: 'us-east-1',
        inputTokens: 1,
        outputTokens: 1,
      }),
    ).toBeUndefined();
    expect(
      requestCostUsd({
        provider: 'offline',
        modelId: 'offline-extractive',
        region: 'us-east-1',
        inputTokens: 1,
        outputTokens: 1,
      }),
    ).toBe(0);
  });
});

describe('the Markdown report', () => {
  const markdown = renderMarkdown(buildReport(manifestOf(designText), { now }));

  it('opens with a summary table: one row per environment and a total', () => {
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('## genai cost: cycle-assistant');
    expect(lines[2]).toBe(
      '| environment | target | requests/month | low | expected | high | per 1k requests | budget | status |',
    );
    expect(lines[3]).toBe('|---|---|---:|---:|---:|---:|---:|---:|---|');
    expect(lines.slice(4, 9).map((line) => line.split(' | ')[0])).toEqual([
      '| local',
      '| dev',
      '| staging',
      '| prod',
      '| **total**',
    ]);
    expect(lines[7]).toBe(
      '| prod | aws eu-west-1 | 3,041,667 | $4,576.71 | $6,009.00 | $8,873.60 | $1.98 | $15,000.00 | ✅ within |',
    );
  });

  it('has a section per environment with its components, ways to buy the model, and the prices used', () => {
    for (const env of ['local', 'dev', 'staging']) expect(markdown).toContain(`### ${env} (`);
    expect(markdown).toContain('### prod (aws, eu-west-1)');
    const prod = markdown.slice(markdown.indexOf('### prod'));
    for (const component of ['model', 'embeddings', 'vector store', 'service runtime', 'monitoring'])
      expect(prod).toMatch(new RegExp(`^\\| ${component} \\| \\$`, 'm'));
    expect(prod).toContain('| Bedrock on-demand (configured) | $5,707.14 | per token |');
    expect(prod).toMatch(
      /- Bedrock on-demand vs SageMaker endpoint \(ml\.g5\.48xlarge\): Bedrock on-demand is cheaper at any traffic/,
    );
    expect(markdown).toMatch(/<details><summary>Prices used \(15; 15 checked more than 180 days ago\)<\/summary>/);
    expect(markdown).toContain(
      '| `bedrock:meta.llama3-1-70b-instruct-v1:0:input` | us-west-2 | 0.72 | 1M tokens | 2024-12-01 ⚠️ stale | https://aws.amazon.com/bedrock/pricing/ |',
    );
  });
});

describe('gates', () => {
  it('fails an environment whose increase passes the limit, in dollars or percent', () => {
    const base = {
      environments: [
        { name: 'dev', total: { expected: 100 } },
        { name: 'prod', total: { expected: 1000 } },
      ],
    };
    const current = {
      environments: [
        { name: 'dev', total: { expected: 104 } },
        { name: 'prod', total: { expected: 1150 } },
        { name: 'qa', total: { expected: 10 } },
      ],
    };
    const diff = diffReports(base, current, 'base.json', { percent: 10 });
    expect(diff.environments.map((env) => [env.name, env.deltaUsd, env.deltaPercent])).toEqual([
      ['dev', 4, 4],
      ['prod', 150, 15],
      ['qa', 10, null],
    ]);
    expect(diff.failures.map((failure) => failure.environment)).toEqual(['prod', 'qa']);
    expect(diff.failures[0]!.message).toBe(
      'environment prod: +$150.00/month (+15.0%) against base.json is past the allowed increase (10%)',
    );
    expect(diffReports(base, current, 'base.json', { usd: 200 }).failures).toEqual([]);
    expect(parseMaxIncrease('10%')).toEqual({ percent: 10 });
    expect(parseMaxIncrease('500')).toEqual({ usd: 500 });
  });

  it('gives genai check a located error for an environment over budget and a warning for stale prices', () => {
    const tight = manifestOf(designText.replace('budgetUsdPerMonth: 15000', 'budgetUsdPerMonth: 5000'));
    const findings = budgetFindings(tight, {
      now,
      locate: (field) => (field === 'constraints.budgetUsdPerMonth' ? 'genai.yaml:3:22' : undefined),
    });
    expect(findings[0]).toEqual({
      level: 'error',
      code: 'E_COST_OVER_BUDGET',
      message:
        'environment prod: expected $6,009.00/month exceeds its budget of $5,000.00 (constraints.budgetUsdPerMonth)',
      fix: 'lower tokens per request or traffic, choose a cheaper model or way to buy it, or raise the budget',
      location: 'genai.yaml:3:22',
      field: 'constraints.budgetUsdPerMonth',
    });
    expect(findings.map((finding) => finding.code)).toEqual([
      'E_COST_OVER_BUDGET',
      'E_COST_SERVICE_OVER_BUDGET',
      'W_COST_STALE_PRICES',
    ]);
    expect(budgetFindings(manifestOf(designText), { now }).map((finding) => finding.level)).toEqual(['warning']);
  });

  it('turns an unpriceable model into a warning for genai check, never a crash', () => {
    const unknown = manifestOf(designText.replace('meta.llama3-1-70b-instruct-v1:0', 'acme.unknown-model'));
    const [finding] = budgetFindings(unknown, { now });
    expect(finding).toMatchObject({ level: 'warning', code: 'W_COST_NOT_ESTIMATED', field: 'model.id' });
  });
});
