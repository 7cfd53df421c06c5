import { describe, expect, it } from 'vitest';
import type { KubernetesTransforms } from '../../../stacks/kubernetes/index.js';
import { find, one, run, specFor, vllmSpecFor } from './fixtures.js';

describe('a project adjusts any child through infra/transforms.ts', () => {
  it('object form: the fields given replace the component’s own', async () => {
    const rules = [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }];
    const transforms: KubernetesTransforms = {
      access: { role: { rules } },
      service: {
        autoscaler: {
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
            minReplicas: 4,
            maxReplicas: 8,
          },
        },
      },
      vectorStore: { secret: { immutable: true } },
    };
    const { resources } = await run(specFor('dev'), transforms);
    expect(one(resources, 'Role').inputs.rules).toEqual(rules);
    expect(one(resources, 'HorizontalPodAutoscaler').inputs.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
      minReplicas: 4,
      maxReplicas: 8,
    });
    expect(one(resources, 'Secret', 'cycle-assistant-db-credentials').inputs.immutable).toBe(true);
    // Untouched children keep the kit's arguments.
    expect(one(resources, 'RoleBinding').inputs.roleRef.name).toBe('cycle-assistant-ci-deploy');
  });

  it('function form: edits arguments and options in place, and sees the child’s name', async () => {
    const seen: string[] = [];
    const transforms: KubernetesTransforms = {
      provider: (args) => {
        args.context = 'kind-genai';
      },
      service: {
        ingress: (args, _opts, name) => {
          seen.push(name);
          args.metadata = {
            ...(args.metadata as object),
            annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
          };
        },
      },
      modelServer: {
        deployment: (args, opts, name) => {
          seen.push(name);
          opts.ignoreChanges = ['spec.replicas'];
          args.metadata = { ...(args.metadata as object), annotations: { 'genai.dev/gpu-pool': 'a100' } };
        },
      },
    };
    const { resources } = await run(vllmSpecFor('prod'), transforms);
    expect(seen.sort()).toEqual(['cycle-assistant', 'cycle-assistant-vllm']);
    expect(one(resources, 'Ingress').inputs.metadata).toMatchObject({
      name: 'cycle-assistant',
      annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
    });
    expect(one(resources, 'Deployment', 'cycle-assistant-vllm').inputs.metadata.annotations).toEqual({
      'genai.dev/gpu-pool': 'a100',
    });
    expect(resources.find((r) => r.type === 'pulumi:providers:kubernetes')!.inputs.context).toBe('kind-genai');
    // The other Deployments are as the kit declares them.
    for (const d of find(resources, 'Deployment').filter((d) => d.name !== 'cycle-assistant-vllm')) {
      expect(d.inputs.metadata.annotations, d.name).toBeUndefined();
    }
  });
});
