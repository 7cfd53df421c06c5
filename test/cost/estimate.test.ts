import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { breakEven, optionCost, type BuyingOption } from '../../src/cost/break-even.js';
import { buildReport } from '../../src/cost/report.js';
import type { CostManifest } from '../../src/cost/settings.js';
import { evalRunSource, measuredFromResults, percentile } from '../../src/cost/usage-sources.js';
import { parseWhatIf } from '../../src/cost/usage.js';
import { GenaiError } from '../../src/errors.js';
import { validateManifest, type Manifest } from '../../src/manifest/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'cost');
const now = new Date('2026-11-26T00:00:00Z');

function designExample(edit: (text: string) => string = (text) => text): Manifest {
  const text = edit(readFileSync(join(fixtures, 'design-example', 'genai.yaml'), 'utf8'));
  const { manifest, problems } = validateManifest(text);
  if (!manifest) throw new Error(problems.map((p) => p.message).join('; '));
  return manifest;
}

const component = (report: ReturnType<typeof buildReport>, env: string, name: string) =>
  report.environments.find((e) => e.name === env)!.components.find((c) => c.component === name)!;

function thrown(fn: () => unknown): GenaiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GenaiError) return err;
    throw err;
  }
  throw new Error('expected a GenaiError');
}

describe('the reference manifest (docs/architecture.md §3), prod computed by hand', () => {
  /*
   * prod: aws eu-west-1, 20,000 users × 5 requests/day = 100,000 requests/day.
   * A month is 730 hours = 30.4167 days → 3,041,666.67 requests/month; 1.1574 requests/s, peak ×3 = 3.4722.
   * Tokens per request (defaults): input 300 system + 50 question + topK 5 × chunk 400 = 2,350;
   *   output 512 / 2 = 256; embedding 50.
   * model, Llama 3.1 70B on-demand at $0.72 / 1M tokens in and out (us-west-2 price: no eu-west-1 one):
   *   input  3,041,666.67 × 2,350 = 7,147.917M tokens × 0.72 = $5,146.50
   *   output 3,041,666.67 ×   256 =   778.667M tokens × 0.72 = $  560.64   → model $5,707.14
   * embeddings, Titan v2 at $0.02 / 1M: queries 3,041,666.67 × 50 = 152.083M → $3.0417;
   *   ingestion: 5,000,000 corpus tokens / (400 − 50) = 14,286 chunks × 400 = 5.7144M → $0.1143 → $3.156
   * vector store, Aurora Serverless v2: 2 instances × 1 ACU (prod minimum) × 730 h × $0.12 = $175.20;
   *   storage 14,286 × (1024×4×2 + 400×4 + 512 = 10,304 B) = 0.1472 GB × $0.11 = $0.0162 → $175.216
   * service runtime: in flight 1.1574/s × 3 s = 3.47 → 1 task of 20, raised to scale.min 2:
   *   2 × 730 × (1 vCPU × 0.04048 + 2 GB × 0.004445) = $72.080; ALB 730 × 0.0252 = $18.396;
   *   LCU max(1.1574/25, 1.1574 × 3600 × 8192 / 1e9) = 0.046296 × 730 × 0.008 = $0.2704 → $90.747
   * monitoring, CloudWatch eu-west-1: bytes/request 2,048 + 4 × (2,350 + 256) = 12,472;
   *   ingest 3,041,666.67 × 12,472 = 37.936 GB × 0.57 = $21.623; stored 37.936 × 30 / 30.4167 = 37.417 GB × 0.03
   *   = $1.1225; 20 metrics × 0.30 = 6; 10 alarms × 0.10 = 1; 1 dashboard × 3 = 3 → $32.746
   * total = 5,707.14 + 3.156 + 175.216 + 90.747 + 32.746 = $6,009.00; per 1,000 requests $1.9756.
   */
  const report = buildReport(designExample(), { now });
  const prod = report.environments.find((env) => env.name === 'prod')!;

  it('prices each component as computed by hand', () => {
    expect(prod.traffic.requestsPerMonth).toBeCloseTo(3_041_666.67, 1);
    expect(component(report, 'prod', 'model').expected).toBeCloseTo(5707.14, 2);
    expect(component(report, 'prod', 'embeddings').expected).toBeCloseTo(3.156, 3);
    expect(component(report, 'prod', 'vector store').expected).toBeCloseTo(175.216, 3);
    expect(component(report, 'prod', 'service runtime').expected).toBeCloseTo(90.747, 3);
    expect(component(report, 'prod', 'monitoring').expected).toBeCloseTo(32.746, 3);
    expect(prod.total.expected).toBeCloseTo(6009.0, 1);
    expect(prod.per1kRequests!.expected).toBeCloseTo(1.9756, 4);
    expect(prod.budget).toEqual({ usd: 15000, field: 'constraints.budgetUsdPerMonth', status: 'within' });
  });

  it('spreads tokens for low and high: input ×0.75 / ×1.5, output capped at maxOutputTokens', () => {
    // low model: 3,041,666.67 × (1,762.5 + 192) × 0.72 / 1e6 = $4,280.36; high: (3,525 + 384) → $8,560.71
    expect(component(report, 'prod', 'model').low).toBeCloseTo(4280.36, 2);
    expect(component(report, 'prod', 'model').high).toBeCloseTo(8560.71, 2);
    expect(report.usage.provenance.inputTokens.source).toBe('defaults');
  });

  it('gives non-production environments 5% of the traffic and a local one only its model provider', () => {
    const dev = report.environments.find((env) => env.name === 'dev')!;
    expect(dev.traffic.requestsPerDay).toBe(5000);
    expect(dev.traffic.basis).toMatch(/default share for non-production/);
    const local = report.environments.find((env) => env.name === 'local')!;
    expect(local.total.expected).toBe(0);
    expect(local.components.find((c) => c.component === 'model')!.note).toMatch(/not bedrock: no model cost/);
  });

  it('says where a price came from another region', () => {
    expect(prod.warnings.join('\n')).toMatch(
      /bedrock:meta\.llama3-1-70b-instruct-v1:0:input: no eu-west-1 price in the catalog; used the us-west-2 price/,
    );
  });

  it('compares on-demand with a SageMaker endpoint: self-hosting 70B never pays off at this token price', () => {
    expect(prod.modelOptions.map((option) => option.kind)).toEqual(['on-demand', 'self-hosted']);
    // per request 0.9824 instance-s (256/500 + 2,350/5,000) → one instance carries 1.018 peak req/s →
    // 0.3393 average req/s = 891,929 requests/month; 3.04M requests need 4 × $20.36 × 730 = $59,451.20
    const selfHosted = prod.modelOptions.find((option) => option.kind === 'self-hosted')!;
    expect(selfHosted.units).toBe(4);
    expect(selfHosted.monthlyUsd).toBeCloseTo(59_451.2, 2);
    expect(prod.breakEven[0]!.requestsPerMonth).toBeNull();
    expect(prod.breakEven[0]!.cheaperBelow).toBe('on-demand');
  });

  it('answers --what-if users=40000 with twice the prod token cost', () => {
    const doubled = buildReport(designExample(), { now, whatIf: parseWhatIf(['users=40000']) });
    expect(component(doubled, 'prod', 'model').expected).toBeCloseTo(2 * 5707.14, 1);
  });
});

describe('break-even between ways to buy', () => {
  const onDemand: BuyingOption = {
    kind: 'on-demand',
    label: 'od',
    perRequestUsd: 0.002,
    unitMonthlyUsd: 0,
    minUnits: 0,
    requestsPerUnit: Infinity,
    unitName: 'request',
    assumptions: [],
  };
  // Titan Text Express no-commit: $20.50 × 730 h = $14,965 per model unit and month.
  const provisioned: BuyingOption = {
    kind: 'provisioned',
    label: 'pt',
    perRequestUsd: 0,
    unitMonthlyUsd: 14_965,
    minUnits: 1,
    requestsPerUnit: Infinity,
    unitName: 'model unit',
    assumptions: [],
  };

  it('finds on-demand = provisioned at fixed cost / price per request', () => {
    // 14,965 / 0.002 = 7,482,500 requests/month
    const result = breakEven(onDemand, provisioned, 1e9);
    expect(result.requestsPerMonth).toBeCloseTo(7_482_500, 3);
    expect(result.cheaperBelow).toBe('on-demand');
    expect(result.cheaperAbove).toBe('provisioned');
  });

  it('finds no break-even when a unit carries fewer requests than its price buys on demand', () => {
    // a unit carries 5M requests but costs as much as 7.48M on-demand requests: never cheaper
    const result = breakEven(onDemand, { ...provisioned, requestsPerUnit: 5_000_000 }, 1e9);
    expect(result.requestsPerMonth).toBeNull();
    expect(optionCost({ ...provisioned, requestsPerUnit: 5_000_000 }, 12_000_000)).toBe(3 * 14_965);
  });

  it('compares two capacity options at their steps', () => {
    // A: $1,000/unit, 1M requests/unit, min 2 → $2,000 until 2M. B: $3,000/unit, 10M/unit, min 1 → $3,000.
    // A is cheaper until it needs a 4th unit: above 3M requests A costs $4,000 > $3,000.
    const a: BuyingOption = {
      ...provisioned,
      kind: 'self-hosted',
      unitMonthlyUsd: 1000,
      minUnits: 2,
      requestsPerUnit: 1_000_000,
    };
    const b: BuyingOption = { ...provisioned, unitMonthlyUsd: 3000, minUnits: 1, requestsPerUnit: 10_000_000 };
    const result = breakEven(a, b, 1e8);
    expect(result.requestsPerMonth).toBe(3_000_000);
    expect(result.cheaperBelow).toBe('self-hosted');
  });
});

describe('provisioned throughput priced from the project', () => {
  it('buys enough model units for the peak and reports the break-even against on-demand', () => {
    const manifest = designExample((text) =>
      text
        .replace('throughput: on-demand', 'throughput: provisioned')
        .replace(
          'promotion:',
          [
            'cost:',
            '  prices:',
            '    - { id: "bedrock:meta.llama3-1-70b-instruct-v1:0:provisioned-no-commit", unit: model-unit-hour, usd: 24, source: "Bedrock console quote", checked: "2026-11-01" }',
            '  model: { provisionedTokensPerMinute: 100000 }',
            'promotion:',
          ].join('\n'),
        ),
    );
    const report = buildReport(manifest, { now });
    const prod = report.environments.find((env) => env.name === 'prod')!;
    // peak 3.4722 req/s × 2,606 tokens × 60 = 542,917 tokens/minute → 6 units of 100,000
    // 6 × 24 × 730 = $105,120
    expect(component(report, 'prod', 'model').expected).toBeCloseTo(105_120, 6);
    const pair = prod.breakEven.find((p) => p.a === 'on-demand' && p.b === 'provisioned')!;
    // per request on-demand: (2,350 + 256) × 0.72 / 1e6 = $0.00187632; one unit ($17,520) carries
    // 100,000 / 60 / 2,606 = 0.63955 peak req/s → 560,233 requests/month, whose on-demand price is
    // $1,051 < $17,520: provisioned is never cheaper here.
    expect(pair.requestsPerMonth).toBeNull();
    expect(report.gate.ok).toBe(false);
    // even dev needs one unit all month: 24 × 730 = $17,520 > $15,000
    expect(report.gate.failures.map((failure) => failure.environment)).toEqual(['dev', 'staging', 'prod', undefined]);
    expect(report.gate.failures[3]!.code).toBe('E_COST_SERVICE_OVER_BUDGET');
    expect(report.gate.failures[2]!.message).toMatch(
      /environment prod: expected \$105,421\.[0-9]+\/month exceeds its budget of \$15,000\.00/,
    );
  });
});

describe('bad input', () => {
  it('names the unknown model and the catalog ids nearest to it', () => {
    const manifest = designExample((text) =>
      text.replace('meta.llama3-1-70b-instruct-v1:0', 'meta.llama3-1-70b-instruct-v9:0'),
    );
    const error = thrown(() => buildReport(manifest, { now, environments: ['prod'] }));
    expect(error.code).toBe('E_COST_UNKNOWN_MODEL');
    expect(error.field).toBe('model.id');
    expect(error.message).toMatch(
      /^the price catalog has no bedrock model "meta\.llama3-1-70b-instruct-v9:0"; nearest: meta\.llama3-1-70b-instruct-v1:0, meta\.llama3-3-70b-instruct-v1:0, /,
    );
    expect(error.fix).toMatch(
      /add its prices under cost\.prices \(ids bedrock:meta\.llama3-1-70b-instruct-v9:0:input and bedrock:meta\.llama3-1-70b-instruct-v9:0:output\)/,
    );
    expect(error.exitCode).toBe(2);
  });

  it('refuses negative traffic, from the manifest or from --what-if', () => {
    const manifest = designExample() as CostManifest;
    const negative = { ...manifest, constraints: { ...manifest.constraints, dailyActiveUsers: -5 } };
    const error = thrown(() => buildReport(negative, { now }));
    expect(error.code).toBe('E_COST_NEGATIVE_TRAFFIC');
    expect(error.field).toBe('constraints.dailyActiveUsers');
    expect(thrown(() => parseWhatIf(['users=-5'])).message).toBe(
      '--what-if users must be a non-negative number, found "-5"',
    );
    expect(thrown(() => parseWhatIf(['teams=4'])).fix).toMatch(/KEY one of users, requestsPerUser/);
  });

  it('refuses a project price in the wrong unit', () => {
    const manifest = designExample((text) =>
      text.replace(
        'promotion:',
        'cost:\n  prices:\n    - { id: "bedrock:meta.llama3-1-70b-instruct-v1:0:input", unit: "1K tokens", usd: 0.00072, source: "quote", checked: "2026-01-01" }\npromotion:',
      ),
    );
    const error = thrown(() => buildReport(manifest, { now }));
    expect(error.code).toBe('E_COST_PRICE');
    expect(error.message).toMatch(/unit must be 1M tokens for this dimension, found 1K tokens/);
  });
});

describe('measured usage from an eval run', () => {
  const results = readFileSync(join(fixtures, 'eval-run', 'results.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

  it('takes the mean per case and the 10th/90th percentiles, skipping errored cases', () => {
    const measured = measuredFromResults('run-1', results);
    expect(measured.cases).toBe(5);
    expect(measured.skipped).toBe(1);
    const source = evalRunSource(measured);
    // inputs 1000..1800 step 200: mean 1400; p10 at position 0.4 → 1080; p90 at 3.6 → 1720
    expect(source.figures.inputTokens).toMatchObject({ expected: 1400, low: 1080, high: 1720 });
    expect(source.figures.outputTokens).toMatchObject({ expected: 300, low: 140, high: 460 });
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('replaces defaults in the estimate and says so', () => {
    const report = buildReport(designExample(), { now, measured: measuredFromResults('run-1', results) });
    expect(report.usage.provenance.inputTokens.source).toBe('eval-run');
    expect(report.usage.measured).toEqual({ runId: 'run-1', cases: 5, skipped: 1 });
    // prod model: 3,041,666.67 × (1,400 + 300) = 5,170.833M tokens × 0.72 = $3,723.00
    expect(component(report, 'prod', 'model').expected).toBeCloseTo(3723.0, 2);
  });
});
