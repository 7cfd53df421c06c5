import { describe, expect, it } from 'vitest';
import { costSettings, type CostManifest, type CostSettings } from '../../src/cost/settings.js';
import { manifestJsonSchema, validateManifest } from '../../src/manifest/index.js';

type JsonSchema = { properties?: Record<string, JsonSchema>; default?: unknown; description?: string };

const schema = manifestJsonSchema() as JsonSchema;
const field = (path: string): JsonSchema => path.split('.').reduce((node, key) => node.properties?.[key] ?? {}, schema);

/** The figure a description states as "Default 5,000,000." (or true, none), as a value. */
function describedDefault(path: string): unknown {
  const stated = /Default ([\d,.]*\d|true|false|none)\b/.exec(field(path).description ?? '')?.[1];
  if (stated === undefined) return undefined;
  if (stated === 'true' || stated === 'false') return stated === 'true';
  return /^[\d,.]+$/.test(stated) ? Number(stated.replaceAll(',', '')) : stated;
}

/** A manifest written as plain data, every field that has a default left out. */
const bare: CostManifest = {
  name: 'bare',
  constraints: {
    budgetUsdPerMonth: 1000,
    dailyActiveUsers: 100,
    requestsPerUserPerDay: 2,
    regions: ['eu-west-1'],
    latencyP95Ms: 2000,
  },
  model: { provider: 'bedrock', id: 'meta.llama3-1-70b-instruct-v1:0' },
  embeddings: { provider: 'bedrock', id: 'amazon.titan-embed-text-v2:0', dimensions: 1024 },
  environments: { prod: { target: 'aws', region: 'eu-west-1' } },
};

describe('defaults the manifest declares and the estimator applies', () => {
  const settings = costSettings(bare);

  it('are the defaults the JSON Schema of genai.yaml gives an editor', () => {
    expect({
      peakFactor: field('constraints.peakFactor').default,
      maxOutputTokens: field('model.maxOutputTokens').default,
      vectorStore: field('vectorStore.kind').default,
      topK: field('retrieval.topK').default,
      chunkSize: field('retrieval.chunkSize').default,
      chunkOverlap: field('retrieval.chunkOverlap').default,
    }).toEqual({
      peakFactor: settings.peakFactor,
      maxOutputTokens: settings.maxOutputTokens,
      vectorStore: settings.vectorStore,
      topK: settings.topK,
      chunkSize: settings.chunkSize,
      chunkOverlap: settings.chunkOverlap,
    });
  });

  it('are the defaults the cost section names in its descriptions', () => {
    const described: Array<[string, (s: CostSettings) => unknown]> = [
      ['cost.usage.systemPromptTokens', (s) => s.systemPromptTokens],
      ['cost.usage.questionTokens', (s) => s.questionTokens],
      ['cost.usage.cachedInputShare', (s) => s.cachedInputShare],
      ['cost.usage.corpusTokens', (s) => s.corpusTokens],
      ['cost.usage.reingestionsPerMonth', (s) => s.reingestionsPerMonth],
      ['cost.spread.low', (s) => s.spreadLow],
      ['cost.spread.high', (s) => s.spreadHigh],
      ['cost.maxPriceAgeDays', (s) => s.maxPriceAgeDays],
      ['cost.maxIncrease.percent', (s) => s.maxIncrease.percent],
      ['cost.nonProductionTrafficShare', (s) => s.nonProductionTrafficShare],
      ['cost.model.commitment', (s) => s.commitment],
      ['cost.runtime.vcpu', (s) => s.runtime.vcpu],
      ['cost.runtime.memoryGb', (s) => s.runtime.memoryGb],
      ['cost.runtime.concurrencyPerTask', (s) => s.runtime.concurrencyPerTask],
      ['cost.monitoring.logBytesPerRequest', (s) => s.monitoring.logBytesPerRequest],
      ['cost.monitoring.invocationLogging', (s) => s.monitoring.invocationLogging],
      ['cost.monitoring.logRetentionDays', (s) => s.monitoring.logRetentionDays],
      ['cost.monitoring.customMetrics', (s) => s.monitoring.customMetrics],
      ['cost.monitoring.alarms', (s) => s.monitoring.alarms],
      ['cost.monitoring.dashboards', (s) => s.monitoring.dashboards],
      ['cost.kubernetes.nodeVcpu', (s) => s.kubernetes.nodeVcpu],
    ];
    for (const [path, applied] of described) expect(describedDefault(path), path).toBe(applied(settings));
  });

  it('give a validated manifest and the same manifest written without them the same settings', () => {
    const { manifest } = validateManifest(
      [
        'name: bare',
        'constraints: { budgetUsdPerMonth: 1000, dailyActiveUsers: 100, requestsPerUserPerDay: 2, regions: [eu-west-1], latencyP95Ms: 2000, dataClass: internal }',
        'model: { provider: bedrock, id: meta.llama3-1-70b-instruct-v1:0 }',
        'embeddings: { provider: bedrock, id: amazon.titan-embed-text-v2:0, dimensions: 1024 }',
        'evals: { dataset: evals/dataset.jsonl, judges: [relevance] }',
        'environments: { prod: { target: aws, region: eu-west-1 } }',
      ].join('\n'),
    );
    expect(manifest, 'the manifest above must be valid').toBeDefined();
    expect(costSettings(manifest!)).toEqual(settings);
  });
});
