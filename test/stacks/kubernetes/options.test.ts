/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are untyped JSON */
import { describe, expect, it } from 'vitest';
import type { KubernetesStackSpec } from '../../../stacks/spec.js';
import { runUnderMocks } from '../mocks.js';
import { find, kindCounts, one, run, specFor, vllmSpecFor } from './fixtures.js';

type Result = Awaited<ReturnType<typeof run>>;
const serviceEnv = (r: Result) =>
  Object.fromEntries(
    one(r.resources, 'Deployment', 'cycle-assistant').inputs.spec.template.spec.containers[0].env.map((e: any) => [
      e.name,
      e.value ?? e.valueFrom,
    ]),
  );

interface Case {
  name: string;
  spec: KubernetesStackSpec;
  check: (r: Result) => void;
}

/** One table per genai.yaml option: each row changes that option alone and says what must change. */
const options: Record<string, Case[]> = {
  'vector store kind': [
    {
      name: 'pgvector',
      spec: specFor('dev', { vectorStore: { kind: 'pgvector' } }),
      check: (r) => {
        const db = one(r.resources, 'StatefulSet').inputs.spec.template.spec;
        expect(db.containers[0].image).toBe('pgvector/pgvector:pg16');
        expect(db.securityContext.runAsUser).toBe(999);
        expect(one(r.resources, 'NetworkPolicy', 'cycle-assistant-db').inputs.spec.ingress[0].ports).toEqual([
          { protocol: 'TCP', port: 5432 },
        ]);
        expect(r.outputs.vectorStoreUrl).toMatch(/^postgres:\/\/cycle-assistant-db\..*:5432\/genai$/);
        expect(serviceEnv(r).QDRANT_API_KEY).toBeUndefined();
      },
    },
    {
      name: 'qdrant',
      spec: specFor('dev', { vectorStore: { kind: 'qdrant' } }),
      check: (r) => {
        const db = one(r.resources, 'StatefulSet').inputs.spec.template.spec;
        expect(db.containers[0].image).toMatch(/^qdrant\/qdrant:.*-unprivileged$/);
        expect(db.containers[0].readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
        expect(db.containers[0].env).toEqual([
          {
            name: 'QDRANT__SERVICE__API_KEY',
            valueFrom: { secretKeyRef: { name: 'cycle-assistant-db-credentials', key: 'api-key' } },
          },
        ]);
        expect(one(r.resources, 'NetworkPolicy', 'cycle-assistant-db').inputs.spec.ingress[0].ports).toEqual([
          { protocol: 'TCP', port: 6333 },
        ]);
        expect(r.outputs.vectorStoreUrl).toBe('http://cycle-assistant-db.cycle-assistant-dev.svc.cluster.local:6333');
        expect(serviceEnv(r).QDRANT_API_KEY).toEqual({
          secretKeyRef: { name: 'cycle-assistant-db-credentials', key: 'api-key' },
        });
        expect(
          Object.keys(one(r.resources, 'Secret', 'cycle-assistant-db-credentials').inputs.stringData.value).sort(),
        ).toEqual(['api-key', 'url']);
      },
    },
  ],
  'model provider': [
    {
      name: 'vllm: a model server in the cluster',
      spec: vllmSpecFor('dev'),
      check: (r) => {
        expect(find(r.resources, 'Deployment', 'cycle-assistant-vllm')).toHaveLength(1);
        expect(r.outputs.modelEndpoint).toBe(
          'http://cycle-assistant-vllm.cycle-assistant-dev.svc.cluster.local:8000/v1',
        );
        expect(serviceEnv(r).OPENAI_BASE_URL).toBe(r.outputs.modelEndpoint);
        // The service speaks vLLM's OpenAI-compatible API.
        expect(serviceEnv(r).GENAI_MODEL_PROVIDER).toBe('openai-compatible');
      },
    },
    {
      name: 'openai-compatible: the external endpoint',
      spec: specFor('dev'),
      check: (r) => {
        expect(find(r.resources, 'Deployment', 'cycle-assistant-vllm')).toHaveLength(0);
        expect(r.outputs.modelEndpoint).toBe('https://llm.example.com/v1');
        expect(serviceEnv(r).OPENAI_BASE_URL).toBe('https://llm.example.com/v1');
      },
    },
    {
      name: 'bedrock: called by the service itself',
      spec: specFor('dev', {
        model: {
          provider: 'bedrock',
          id: 'meta.llama3-1-70b-instruct-v1:0',
          throughput: 'on-demand',
          maxOutputTokens: 512,
        },
      }),
      check: (r) => {
        expect(find(r.resources, 'Deployment')).toHaveLength(2);
        expect(r.outputs.modelEndpoint).toBe('bedrock:meta.llama3-1-70b-instruct-v1:0');
        expect(serviceEnv(r)).toMatchObject({
          GENAI_MODEL_PROVIDER: 'bedrock',
          GENAI_CHAT_MODEL: 'meta.llama3-1-70b-instruct-v1:0',
        });
        expect(serviceEnv(r).OPENAI_BASE_URL).toBeUndefined();
      },
    },
    {
      name: 'offline: no model settings at all',
      spec: specFor('dev', {
        model: { provider: 'offline', id: 'offline', throughput: 'on-demand', maxOutputTokens: 512 },
      }),
      check: (r) => {
        expect(r.outputs.modelEndpoint).toBe('offline:offline');
        expect(serviceEnv(r).OPENAI_BASE_URL).toBeUndefined();
        expect(serviceEnv(r).GENAI_CHAT_MODEL).toBeUndefined();
      },
    },
  ],
  host: [
    {
      name: 'set: a TLS Ingress and an https URL',
      spec: specFor('dev', { host: 'dev.assistant.example.com' }),
      check: (r) => {
        const ingress = one(r.resources, 'Ingress').inputs.spec;
        expect(ingress.tls).toEqual([{ hosts: ['dev.assistant.example.com'], secretName: 'cycle-assistant-tls' }]);
        expect(ingress.rules[0].host).toBe('dev.assistant.example.com');
        expect(ingress.rules[0].http.paths[0].backend).toEqual({
          service: { name: 'cycle-assistant', port: { name: 'http' } },
        });
        expect(r.outputs.url).toBe('https://dev.assistant.example.com');
      },
    },
    {
      name: 'unset: cluster-internal only',
      spec: specFor('dev'),
      check: (r) => {
        expect(find(r.resources, 'Ingress')).toHaveLength(0);
        expect(r.outputs.url).toBe('http://cycle-assistant.cycle-assistant-dev.svc.cluster.local');
      },
    },
  ],
  scale: [
    {
      name: '1..2: no PDB (it would block every drain)',
      spec: specFor('dev', { scale: { min: 1, max: 2 } }),
      check: (r) => {
        expect(one(r.resources, 'HorizontalPodAutoscaler').inputs.spec).toMatchObject({
          minReplicas: 1,
          maxReplicas: 2,
        });
        expect(find(r.resources, 'PodDisruptionBudget')).toHaveLength(0);
      },
    },
    {
      name: '3..12: a PDB keeping one',
      spec: specFor('dev', { scale: { min: 3, max: 12 } }),
      check: (r) => {
        expect(one(r.resources, 'HorizontalPodAutoscaler').inputs.spec).toMatchObject({
          minReplicas: 3,
          maxReplicas: 12,
        });
        expect(one(r.resources, 'PodDisruptionBudget').inputs.spec.minAvailable).toBe(1);
      },
    },
  ],
  storage: [
    {
      name: 'class and size given',
      spec: specFor('dev', { storageClass: 'premium-rwo', storageSize: '250Gi' }),
      check: (r) => {
        const claim = one(r.resources, 'StatefulSet').inputs.spec.volumeClaimTemplates[0].spec;
        expect(claim.storageClassName).toBe('premium-rwo');
        expect(claim.resources.requests.storage).toBe('250Gi');
      },
    },
    {
      name: 'no class: the cluster default',
      spec: specFor('dev', { storageSize: '5Gi' }),
      check: (r) => {
        const claim = one(r.resources, 'StatefulSet').inputs.spec.volumeClaimTemplates[0].spec;
        expect('storageClassName' in claim).toBe(false);
        expect(claim.resources.requests.storage).toBe('5Gi');
      },
    },
  ],
  production: [
    {
      name: 'true: critical alerts, instances spread over zones and nodes',
      spec: specFor('dev', { production: true }),
      check: (r) => {
        const rules = one(r.resources, 'PrometheusRule').inputs.spec.groups[0].rules;
        expect(new Set(rules.map((x: any) => x.labels.severity))).toEqual(new Set(['critical']));
        const spread = one(r.resources, 'Deployment', 'cycle-assistant').inputs.spec.template.spec
          .topologySpreadConstraints;
        expect(spread.map((c: any) => c.topologyKey)).toEqual([
          'topology.kubernetes.io/zone',
          'kubernetes.io/hostname',
        ]);
      },
    },
    {
      name: 'false: warnings, no spread',
      spec: specFor('dev', { production: false }),
      check: (r) => {
        const rules = one(r.resources, 'PrometheusRule').inputs.spec.groups[0].rules;
        expect(new Set(rules.map((x: any) => x.labels.severity))).toEqual(new Set(['warning']));
        expect(
          one(r.resources, 'Deployment', 'cycle-assistant').inputs.spec.template.spec.topologySpreadConstraints,
        ).toBeUndefined();
      },
    },
  ],
  'kubeconfig context': [
    {
      name: 'given',
      spec: specFor('dev', { context: 'kind-genai' }),
      check: (r) =>
        expect(r.resources.find((x) => x.type === 'pulumi:providers:kubernetes')!.inputs.context).toBe('kind-genai'),
    },
    {
      name: 'absent: the current context',
      spec: specFor('dev'),
      check: (r) =>
        expect('context' in r.resources.find((x) => x.type === 'pulumi:providers:kubernetes')!.inputs).toBe(false),
    },
  ],
  'grafana URL': [
    {
      name: 'given',
      spec: specFor('dev', { grafanaUrl: 'https://grafana.example.com/' }),
      check: (r) => expect(r.outputs.dashboardUrl).toBe('https://grafana.example.com/d/cycle-assistant-dev'),
    },
  ],
  tags: [
    {
      name: 'AWS-style tag names become the same labels; values are made valid label values',
      spec: specFor('dev', { tags: { Service: 'cycle-assistant', Environment: 'dev', CostCenter: 'R&D / health' } }),
      check: (r) => {
        for (const o of r.resources.filter((x) => x.type.startsWith('kubernetes:'))) {
          expect(o.inputs.metadata.labels['genai.dev/cost-centre']).toBe('R-D-health');
        }
      },
    },
  ],
};

describe.each(Object.entries(options))('option: %s', (_, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (__, c) => {
    const result = await run(c.spec);
    c.check(result);
    expect(new Set(result.urns).size).toBe(result.urns.length);
    expect(kindCounts(result.resources).Namespace).toBe(1);
  });
});

describe('errors a user can cause', () => {
  it('no database password in the stack config: one line with the fix', async () => {
    const spec = specFor('staging');
    const attempt = runUnderMocks(spec.project, spec.env, async () => {
      const { program } = await import('../../../stacks/kubernetes/index.js');
      return () => program(spec);
    });
    await expect(attempt).rejects.toThrow(
      'genai:dbPassword is not set for the staging stack; fix: pulumi config set --secret genai:dbPassword <value> --stack staging',
    );
  });

  it('a vector store with no Kubernetes form', async () => {
    await expect(run(specFor('dev', { vectorStore: { kind: 'opensearch' } }))).rejects.toThrow(
      /vectorStore.kind opensearch has no Kubernetes form; fix: use pgvector or qdrant/,
    );
  });
});
