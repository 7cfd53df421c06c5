import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specFor } from '../../src/environments/cloud/spec.js';
import { loadTransforms } from '../../src/environments/cloud/program.js';
import { resolveEnvironment } from '../../src/environments/index.js';
import type { ProjectTransforms, StackSpec } from '../../stacks/index.js';
import { runUnderMocks, type RecordedResource } from './mocks.js';
import { runPolicies } from './policies/harness.js';

/**
 * The whole golden path of a cloud environment without a cloud (docs/architecture.md §4): genai.yaml → the
 * driver's spec → the kit's program for the target under Pulumi's mocks → the policy pack over every resource
 * declared, for dev, staging and prod of both targets and both ends of the data classes. What the stacks'
 * own tests check resource by resource, this checks end to end: the pieces fit and the pack passes them.
 */

const digest = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/notes@sha256:${'a'.repeat(64)}`;
const release = { id: 'r-0123456789ab', artifact: { kind: 'image' as const, digest } };
const environments = ['dev', 'staging', 'prod'] as const;

function manifest(target: 'aws' | 'kubernetes', dataClass: string): string {
  const entry =
    target === 'aws'
      ? (env: string) => `{ target: aws, region: eu-west-1${env === 'prod' ? ', scale: { min: 2, max: 8 }' : ''} }`
      : (env: string) =>
          `{ target: kubernetes, context: kind-genai${env === 'prod' ? ', host: notes.example.com' : ''} }`;
  const model =
    target === 'aws'
      ? '{ provider: bedrock, id: anthropic.claude-3-5-haiku-20241022-v1:0 }'
      : '{ provider: vllm, id: meta-llama/Llama-3.1-8B-Instruct, serving: { image: vllm/vllm-openai:v0.6.3, gpus: 1 } }';
  return `name: notes
constraints:
  budgetUsdPerMonth: 4000
  regions: [eu-west-1, eu-central-1]
  dataClass: ${dataClass}
model: ${model}
embeddings: { provider: offline, id: hashed-features, dimensions: 256 }
evals:
  dataset: evals/dataset.jsonl
  thresholds: { groundedness: 0.8, latencyP95Ms: 2500 }
environments:
${environments.map((env) => `  ${env}: ${entry(env)}`).join('\n')}
`;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'genai-golden-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function project(target: 'aws' | 'kubernetes', dataClass: string, transforms?: string): Promise<string> {
  const dir = await mkdtemp(join(root, `${target}-`));
  await writeFile(join(dir, 'genai.yaml'), manifest(target, dataClass));
  if (transforms) {
    await mkdir(join(dir, 'infra'));
    await writeFile(join(dir, 'infra', 'transforms.ts'), transforms);
  }
  return dir;
}

async function declare(spec: StackSpec, transforms?: ProjectTransforms): Promise<RecordedResource[]> {
  const run = await runUnderMocks(
    spec.project,
    spec.env,
    async () => {
      const module =
        spec.target === 'aws'
          ? await import('../../stacks/aws/index.js')
          : await import('../../stacks/kubernetes/index.js');
      return () => (module.program as (s: StackSpec, t: unknown) => unknown)(spec, transforms?.[spec.target]);
    },
    { 'genai:dbPassword': 'from-the-driver', 'genai:apiKey': 'api-key', 'genai:adminKey': 'admin-key' },
  );
  expect(new Set(run.urns).size, 'every URN unique').toBe(run.registrations);
  return run.resources;
}

describe.each([
  ['aws', 'internal'],
  ['aws', 'phi'],
  ['kubernetes', 'internal'],
  ['kubernetes', 'phi'],
] as const)('%s, data class %s: genai.yaml → spec → program → policy pack', (target, dataClass) => {
  it.each(environments)('%s declares a stack the policy pack passes with 0 violations', async (env) => {
    const dir = await project(target, dataClass);
    const spec = specFor(await resolveEnvironment(dir, env), release);
    expect(spec.production).toBe(env === 'prod');
    const resources = await declare(spec);
    expect(resources.filter((r) => r.custom).length).toBeGreaterThan(15);
    const violations = await runPolicies(resources, {
      regions: spec.constraints.regions,
      dataClass: spec.constraints.dataClass,
      production: spec.production,
      requiredTags: Object.keys(spec.tags),
    });
    expect(violations).toEqual([]);
  });
});

it("a project's infra/transforms.ts, loaded as the driver loads it, changes the child it names", async () => {
  const dir = await project(
    'aws',
    'internal',
    `import type { ProjectTransforms } from 'genai-kit/stacks';
export default {
  aws: {
    vectorStore: { cluster: { backupRetentionPeriod: 35 } },
    service: { taskDefinition: (args) => { args.cpu = '2048'; } },
  },
} satisfies ProjectTransforms;
`,
  );
  const spec = specFor(await resolveEnvironment(dir, 'prod'), release);
  const transforms = (await loadTransforms(dir)) as ProjectTransforms;
  const resources = await declare(spec, transforms);
  const cluster = resources.find((r) => r.type === 'aws:rds/cluster:Cluster')!;
  expect(cluster.inputs.backupRetentionPeriod).toBe(35);
  const task = resources.find((r) => r.type === 'aws:ecs/taskDefinition:TaskDefinition')!;
  expect(task.inputs.cpu).toBe('2048');
  // Untransformed, the same stack keeps the component's own values.
  const plain = await declare(spec);
  expect(plain.find((r) => r.type === 'aws:rds/cluster:Cluster')!.inputs.backupRetentionPeriod).not.toBe(35);
});
