import type { AwsStackSpec } from '../../../stacks/spec.js';

/** The reference manifest's service (docs/architecture.md §3) as the driver would hand it to the AWS program. */
function spec(env: 'dev' | 'staging' | 'prod', overrides: Partial<AwsStackSpec> = {}): AwsStackSpec {
  const production = env === 'prod';
  return {
    target: 'aws',
    project: 'cycle-assistant',
    env,
    production,
    region: 'eu-west-1',
    vpcCidr: '10.20.0.0/16',
    tags: { service: 'cycle-assistant', environment: env, 'cost-centre': 'health' },
    constraints: {
      regions: ['eu-west-1', 'eu-central-1'],
      dataClass: 'internal',
      budgetUsdPerMonth: 15000,
      latencyP95Ms: 3000,
    },
    release: {
      id: `rel-${env}-0001`,
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/cycle-assistant-dev@sha256:' + 'a'.repeat(64),
    },
    scale: production ? { min: 2, max: 20 } : { min: 1, max: 2 },
    model: {
      provider: 'bedrock',
      id: 'meta.llama3-1-70b-instruct-v1:0',
      throughput: 'on-demand',
      maxOutputTokens: 1024,
    },
    embeddings: { provider: 'bedrock', id: 'amazon.titan-embed-text-v2:0', dimensions: 1024 },
    vectorStore: { kind: 'pgvector' },
    retrieval: { topK: 5 },
    alarms: { latencyP95Ms: 3000, errorRate: 0.02, judgeScore: production ? 0.85 : 0.8, costUsdPerHour: 20.55 },
    logRetentionDays: production ? 90 : 30,
    ...overrides,
  };
}

export const environments = ['dev', 'staging', 'prod'] as const;
export const specFor = spec;
