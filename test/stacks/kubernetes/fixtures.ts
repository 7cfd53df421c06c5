/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are untyped JSON */
import type { KubernetesTransforms } from '../../../stacks/kubernetes/index.js';
import type { KubernetesStackSpec } from '../../../stacks/spec.js';
import { runUnderMocks, type RecordedResource } from '../mocks.js';

export type Env = 'dev' | 'staging' | 'prod';

/** What the driver would derive from a genai.yaml with three kubernetes environments. */
export function specFor(env: Env, change: Partial<KubernetesStackSpec> = {}): KubernetesStackSpec {
  const prod = env === 'prod';
  return {
    target: 'kubernetes',
    project: 'cycle-assistant',
    env,
    production: prod,
    tags: { service: 'cycle-assistant', environment: env, 'cost-centre': 'cc-1234' },
    constraints: { regions: ['eu-west-1'], dataClass: 'phi', budgetUsdPerMonth: 15000, latencyP95Ms: 3000 },
    release: { id: `rel-${env}-1`, image: `ghcr.io/acme/cycle-assistant@sha256:${'a'.repeat(64)}` },
    scale: prod ? { min: 2, max: 20 } : env === 'staging' ? { min: 1, max: 4 } : { min: 1, max: 2 },
    model: {
      provider: 'openai-compatible',
      id: 'gpt-4o-mini',
      throughput: 'on-demand',
      maxOutputTokens: 512,
      baseUrl: 'https://llm.example.com/v1',
    },
    embeddings: { provider: 'openai-compatible', id: 'text-embedding-3-small', dimensions: 1536 },
    vectorStore: { kind: 'pgvector' },
    retrieval: { topK: 5 },
    alarms: {
      latencyP95Ms: prod ? 3000 : 5000,
      errorRate: prod ? 0.01 : 0.05,
      judgeScore: prod ? 0.85 : 0.7,
      costUsdPerHour: prod ? 20.5 : 2,
    },
    logRetentionDays: prod ? 30 : 7,
    namespace: `cycle-assistant-${env}`,
    storageSize: prod ? '100Gi' : '10Gi',
    ...(prod ? { storageClass: 'fast-encrypted', host: 'assistant.example.com', context: 'prod-cluster' } : {}),
    ciServiceAccount: 'genai-ci',
    ...change,
  };
}

/** The same environment serving an open model from vLLM on GPU nodes. */
export function vllmSpecFor(env: Env, change: Partial<KubernetesStackSpec> = {}): KubernetesStackSpec {
  const base = specFor(env);
  return specFor(env, {
    model: {
      provider: 'vllm',
      id: 'llama3.1-8b',
      throughput: 'on-demand',
      maxOutputTokens: 512,
      serving: {
        image: 'vllm/vllm-openai:v0.6.3',
        modelData: 'meta-llama/Llama-3.1-8B-Instruct',
        gpus: env === 'prod' ? 2 : 1,
        scale: env === 'prod' ? { min: 2, max: 4 } : { min: 1, max: 1 },
      },
    },
    embeddings: base.embeddings,
    ...change,
  });
}

export const config = {
  'genai:dbPassword': 'p@ss/word',
  'genai:apiKey': 'api-key-value',
  'genai:adminKey': 'admin-key-value',
};

/** Runs the Kubernetes program for a spec under Pulumi's mocks. */
export async function run(spec: KubernetesStackSpec, transforms?: KubernetesTransforms) {
  return runUnderMocks(
    spec.project,
    spec.env,
    async () => {
      const { program } = await import('../../../stacks/kubernetes/index.js');
      return () => program(spec, transforms);
    },
    config,
  );
}

/** The Kubernetes objects of a run (not the provider, not the components). */
export function objects(resources: RecordedResource[]): RecordedResource[] {
  return resources.filter((r) => r.type.startsWith('kubernetes:'));
}

/** Kind of a recorded object, from its type token (kubernetes:apps/v1:Deployment → Deployment). */
export function kindOf(r: RecordedResource): string {
  return r.type.split(':').at(-1)!;
}

export function find(resources: RecordedResource[], kind: string, name?: string): RecordedResource[] {
  return objects(resources).filter(
    (r) => kindOf(r) === kind && (name === undefined || r.inputs.metadata?.name === name),
  );
}

export function one(resources: RecordedResource[], kind: string, name?: string): RecordedResource {
  const found = find(resources, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0]!;
}

/** Counts of objects per kind, e.g. { Deployment: 2, Service: 3 }. */
export function kindCounts(resources: RecordedResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of objects(resources)) counts[kindOf(r)] = (counts[kindOf(r)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** Every pod template of the run's workloads. */
export function podSpecs(resources: RecordedResource[]): { owner: string; spec: any }[] {
  return objects(resources)
    .filter((r) => ['Deployment', 'StatefulSet'].includes(kindOf(r)))
    .map((r) => ({ owner: `${kindOf(r)}/${r.inputs.metadata.name}`, spec: r.inputs.spec.template.spec }));
}

/** Pulumi's marker of a secret value in serialized inputs (`rpc.specialSigKey` → `specialSecretSig`). */
const secretSig = { key: '4dabf18193072939515e22adb298388d', value: '1b47061264138c4ac30d75fd1eb44270' };

export function isSecret(value: unknown): boolean {
  return !!value && typeof value === 'object' && (value as Record<string, unknown>)[secretSig.key] === secretSig.value;
}

/** The inputs with every secret replaced by its plain value, as the API server would receive them. */
export function plain(value: any): any {
  if (isSecret(value)) return plain(value.value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
