import { describe, expect, it } from 'vitest';
import { find, kindCounts, one, podSpecs, run, specFor, vllmSpecFor, type Env } from './fixtures.js';

for (const env of ['dev', 'staging', 'prod'] as Env[]) {
  describe(`vLLM in ${env}`, () => {
    const spec = vllmSpecFor(env);
    const serving = spec.model.serving!;
    const ns = spec.namespace;

    it('adds a GPU Deployment, its ClusterIP Service on 8000 and a NetworkPolicy, and nothing else', async () => {
      // One after the other: each run installs the process-wide mock monitor.
      const external = await run(specFor(env));
      const vllm = await run(spec);
      const before = kindCounts(external.resources);
      const after = kindCounts(vllm.resources);
      const added = Object.fromEntries(
        Object.entries(after)
          .map(([kind, n]) => [kind, n - (before[kind] ?? 0)] as const)
          .filter(([, n]) => n !== 0),
      );
      expect(added).toEqual({
        Deployment: 1,
        Service: 1,
        NetworkPolicy: 1,
        ...(serving.scale.min >= 2 ? { PodDisruptionBudget: 1 } : {}),
      });
      expect(new Set(vllm.urns).size).toBe(vllm.urns.length);
    });

    it('asks for the GPUs on GPU nodes, tolerating their taint, and loads the weights before it counts as started', async () => {
      const { resources } = await run(spec);
      const deployment = one(resources, 'Deployment', 'cycle-assistant-vllm').inputs;
      expect(deployment.spec.replicas).toBe(serving.scale.min);
      const pod = deployment.spec.template.spec;
      expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
      expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
      const [c] = pod.containers;
      expect(c.image).toBe(serving.image);
      expect(c.resources.limits['nvidia.com/gpu']).toBe(String(serving.gpus));
      expect(c.resources.requests['nvidia.com/gpu']).toBe(String(serving.gpus));
      expect(c.args.slice(0, 4)).toEqual(['--model', serving.modelData, '--served-model-name', spec.model.id]);
      expect(c.args.includes('--tensor-parallel-size')).toBe(serving.gpus > 1);
      for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
        expect(probe.httpGet).toEqual({ path: '/health', port: 'http' });
      }
      // Up to 15 minutes to download and load the weights before liveness counts.
      expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(600);
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(pod.volumes).toContainEqual({ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } });
      expect(podSpecs(resources).map((p) => p.owner)).toContain('Deployment/cycle-assistant-vllm');
    });

    it('serves only the service pods, and the service calls it as its OpenAI endpoint', async () => {
      const { resources, outputs } = await run(spec);
      const endpoint = `http://cycle-assistant-vllm.${ns}.svc.cluster.local:8000/v1`;
      expect(outputs.modelEndpoint).toBe(endpoint);
      const service = one(resources, 'Service', 'cycle-assistant-vllm').inputs.spec;
      expect(service.type).toBe('ClusterIP');
      expect(service.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }]);
      const policy = one(resources, 'NetworkPolicy', 'cycle-assistant-vllm').inputs.spec;
      expect(policy.ingress).toEqual([
        {
          from: [
            { podSelector: { matchLabels: expect.objectContaining({ 'app.kubernetes.io/component': 'service' }) } },
          ],
          ports: [{ protocol: 'TCP', port: 8000 }],
        },
      ]);
      const vllmPods = one(resources, 'Deployment', 'cycle-assistant-vllm').inputs.spec.template.metadata.labels;
      expect(vllmPods).toMatchObject(policy.podSelector.matchLabels);
      const env = one(resources, 'Deployment', 'cycle-assistant').inputs.spec.template.spec.containers[0].env;
      expect(env).toContainEqual({ name: 'OPENAI_BASE_URL', value: endpoint });
      expect(env).toContainEqual({ name: 'GENAI_CHAT_MODEL', value: spec.model.id });
      expect(find(resources, 'PodDisruptionBudget', 'cycle-assistant-vllm')).toHaveLength(
        serving.scale.min >= 2 ? 1 : 0,
      );
    });
  });
}

it('loads the model id itself when no weights are named', async () => {
  const spec = vllmSpecFor('dev');
  const { modelData: _, ...serving } = spec.model.serving!;
  const { resources } = await run({ ...spec, model: { ...spec.model, serving } });
  const args = one(resources, 'Deployment', 'cycle-assistant-vllm').inputs.spec.template.spec.containers[0].args;
  expect(args.slice(0, 2)).toEqual(['--model', 'llama3.1-8b']);
});
