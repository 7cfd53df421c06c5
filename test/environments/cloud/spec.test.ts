/* eslint-disable @typescript-eslint/no-explicit-any -- a table of manifest edits over plain YAML objects */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../../src/environments/index.js';
import { logRetentionDays, specFor } from '../../../src/environments/cloud/spec.js';
import { GenaiError } from '../../../src/errors.js';
import type { StackSpec } from '../../../stacks/spec.js';

const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/notes@sha256:${'a'.repeat(64)}`;
const release = { id: 'r-0123456789ab', artifact: { kind: 'image' as const, digest: image } };

/** genai.yaml of a small service on AWS (dev, prod) and Kubernetes (k8s-dev), with `change` merged over it. */
function manifest(change: (m: Record<string, any>) => void = () => {}) {
  const m: Record<string, any> = {
    name: 'notes-helper',
    constraints: { regions: ['eu-west-1', 'eu-central-1'], dataClass: 'internal', budgetUsdPerMonth: 1460 },
    model: { provider: 'bedrock', id: 'meta.llama3-1-70b-instruct-v1:0' },
    embeddings: { provider: 'bedrock', id: 'amazon.titan-embed-text-v2:0', dimensions: 1024 },
    evals: { dataset: 'evals/dataset.jsonl' },
    environments: {
      'k8s-dev': { target: 'kubernetes' },
      dev: { target: 'aws', region: 'eu-west-1' },
      prod: { target: 'aws', region: 'eu-west-1' },
    },
  };
  change(m);
  return m;
}

async function specOf(m: Record<string, any>, env = 'dev'): Promise<StackSpec> {
  const dir = await mkdtemp(join(tmpdir(), 'genai-spec-'));
  await writeFile(join(dir, 'genai.yaml'), stringify(m));
  return specFor(await resolveEnvironment(dir, env), release);
}

describe('the stack spec from genai.yaml', () => {
  it('an AWS dev environment gets the stated defaults', async () => {
    const spec = await specOf(manifest());
    expect(spec).toMatchObject({
      target: 'aws',
      project: 'notes-helper',
      env: 'dev',
      region: 'eu-west-1',
      vpcCidr: '10.0.0.0/16',
      production: false,
      tags: { service: 'notes-helper', environment: 'dev', 'cost-centre': 'notes-helper' },
      release: { id: release.id, image },
      scale: { min: 1, max: 2 },
      model: { provider: 'bedrock', throughput: 'on-demand', maxOutputTokens: 512 },
      vectorStore: { kind: 'pgvector' },
      retrieval: { topK: 5 },
      alarms: { latencyP95Ms: 3000, errorRate: 0.05, judgeScore: 0.7, costUsdPerHour: 2 },
      logRetentionDays: 30,
    });
    expect(spec).not.toHaveProperty('certificateArn');
    expect(spec).not.toHaveProperty('ciRepository');
    expect(spec.model).not.toHaveProperty('modelUnits');
    expect(spec.model).not.toHaveProperty('serving');
    // Plain JSON: it travels as stack configuration.
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  // Each manifest option, and what it changes in the spec.
  const options: [string, (m: Record<string, any>) => void, string, (spec: any) => unknown, unknown][] = [
    ['last environment of the order', () => {}, 'prod', (s) => [s.production, s.scale], [true, { min: 2, max: 10 }]],
    ['promotion.order', (m) => (m.promotion = { order: ['prod', 'dev'] }), 'dev', (s) => s.production, true],
    [
      'environment scale',
      (m) => (m.environments.dev.scale = { min: 3, max: 7 }),
      'dev',
      (s) => s.scale,
      { min: 3, max: 7 },
    ],
    [
      'certificateArn',
      (m) => (m.environments.dev.certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123'),
      'dev',
      (s) => s.certificateArn,
      'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
    ],
    [
      'ciRepository',
      (m) => (m.environments.dev.ciRepository = 'acme/notes'),
      'dev',
      (s) => s.ciRepository,
      'acme/notes',
    ],
    ['vpcCidr', (m) => (m.environments.dev.vpcCidr = '10.42.0.0/16'), 'dev', (s) => s.vpcCidr, '10.42.0.0/16'],
    ['costCentre', (m) => (m.constraints.costCentre = 'cc-1234'), 'dev', (s) => s.tags['cost-centre'], 'cc-1234'],
    [
      'vectorStore.kind',
      (m) => (m.vectorStore = { kind: 'opensearch' }),
      'dev',
      (s) => s.vectorStore.kind,
      'opensearch',
    ],
    ['retrieval.topK', (m) => (m.retrieval = { topK: 8 }), 'dev', (s) => s.retrieval.topK, 8],
    [
      'provisioned throughput',
      (m) => (m.model.throughput = 'provisioned'),
      'dev',
      (s) => [s.model.throughput, s.model.modelUnits],
      ['provisioned', 1],
    ],
    [
      'model.modelUnits',
      (m) => Object.assign(m.model, { throughput: 'provisioned', modelUnits: 4 }),
      'dev',
      (s) => s.model.modelUnits,
      4,
    ],
    [
      'model.serving (sagemaker)',
      (m) =>
        (m.model = {
          provider: 'sagemaker',
          id: 'llama-3-8b',
          serving: { image: 'dlc/tgi:2', modelData: 's3://b/m.tar.gz', instanceType: 'ml.g5.2xlarge' },
        }),
      'dev',
      (s) => s.model.serving,
      {
        image: 'dlc/tgi:2',
        modelData: 's3://b/m.tar.gz',
        instanceType: 'ml.g5.2xlarge',
        gpus: 1,
        scale: { min: 1, max: 1 },
      },
    ],
    [
      'model.serving gpus and scale (vllm)',
      (m) =>
        (m.model = {
          provider: 'vllm',
          id: 'llama',
          serving: { image: 'vllm/vllm-openai:v0.6.3', gpus: 2, scale: { min: 1, max: 3 } },
        }),
      'k8s-dev',
      (s) => [s.model.serving.gpus, s.model.serving.scale],
      [2, { min: 1, max: 3 }],
    ],
    ['dataClass phi bounds retention', (m) => (m.constraints.dataClass = 'phi'), 'dev', (s) => s.logRetentionDays, 30],
    [
      'cost.monitoring.logRetentionDays within the bound',
      (m) => (m.cost = { monitoring: { logRetentionDays: 14 } }),
      'dev',
      (s) => s.logRetentionDays,
      14,
    ],
    [
      'cost.monitoring.logRetentionDays over the bound',
      (m) => Object.assign(m, { cost: { monitoring: { logRetentionDays: 400 } } }),
      'dev',
      (s) => s.logRetentionDays,
      90,
    ],
    [
      'evals.thresholds → alarms',
      (m) => (m.evals.thresholds = { groundedness: 0.85, correctness: 0.8, latencyP95Ms: 2500, errorRate: 0.02 }),
      'dev',
      (s) => s.alarms,
      { latencyP95Ms: 2500, errorRate: 0.02, judgeScore: 0.8, costUsdPerHour: 2 },
    ],
    [
      'constraints.latencyP95Ms → alarm',
      (m) => (m.constraints.latencyP95Ms = 1800),
      'dev',
      (s) => s.alarms.latencyP95Ms,
      1800,
    ],
    [
      'environment budget → cost alarm and budget',
      (m) => (m.environments.dev.budgetUsdPerMonth = 365),
      'dev',
      (s) => [s.alarms.costUsdPerHour, s.constraints.budgetUsdPerMonth],
      [0.5, 365],
    ],
    ['kubernetes namespace default', () => {}, 'k8s-dev', (s) => s.namespace, 'notes-helper-k8s-dev'],
    [
      'kubernetes settings',
      (m) =>
        Object.assign(m.environments['k8s-dev'], {
          namespace: 'notes',
          context: 'kind-dev',
          storageClass: 'gp3',
          storageSize: '50Gi',
          host: 'notes.example.com',
          ciServiceAccount: 'deployer',
        }),
      'k8s-dev',
      (s) => [s.namespace, s.context, s.storageClass, s.storageSize, s.host, s.ciServiceAccount],
      ['notes', 'kind-dev', 'gp3', '50Gi', 'notes.example.com', 'deployer'],
    ],
    [
      'kubernetes defaults',
      () => {},
      'k8s-dev',
      (s) => [s.target, s.storageSize, s.ciServiceAccount, s.context, s.host],
      ['kubernetes', '20Gi', 'genai-ci', undefined, undefined],
    ],
  ];

  it.each(options)('%s', async (_name, change, env, pick, expected) => {
    expect(pick(await specOf(manifest(change), env))).toEqual(expected);
  });

  it('a region outside constraints.regions is a located usage error (exit 2)', async () => {
    const error = await specOf(manifest((m) => (m.environments.dev.region = 'us-east-1'))).catch((e) => e);
    expect(error).toBeInstanceOf(GenaiError);
    expect(error).toMatchObject({ code: 'E_REGION_CONSTRAINT', exitCode: 2, field: 'environments.dev.region' });
    expect(error.location).toMatch(/^genai\.yaml:\d+:\d+$/);
    expect(error.toLine()).toContain('fix: use one of eu-west-1, eu-central-1');
  });

  it('a self-hosted model without model.serving is a located usage error', async () => {
    const error = await specOf(
      manifest((m) => (m.model = { provider: 'vllm', id: 'llama' })),
      'k8s-dev',
    ).catch((e) => e);
    expect(error).toMatchObject({ code: 'E_SERVING_MISSING', exitCode: 2, field: 'model.serving' });
  });

  it('a local-bundle release is refused with the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genai-spec-'));
    await writeFile(join(dir, 'genai.yaml'), stringify(manifest()));
    const bundle = { id: 'r-0123456789ab', artifact: { kind: 'local-bundle' as const, path: '.genai/releases/x' } };
    const resolved = await resolveEnvironment(dir, 'prod');
    const error = (() => {
      try {
        return specFor(resolved, bundle);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: 'E_RELEASE_ARTIFACT', exitCode: 2 });
    expect((error as GenaiError).toLine()).toMatch(
      /local bundle; prod \(target aws\) runs a container image — fix: build and push the service image in CI, then genai up prod --image/,
    );
  });

  it('retention per data class is bounded and snapped to what CloudWatch accepts', () => {
    expect(logRetentionDays('public', 400)).toBe(365);
    expect(logRetentionDays('internal', 45)).toBe(30);
    expect(logRetentionDays('pii')).toBe(30);
    expect(logRetentionDays('phi', 90)).toBe(30);
  });
});
