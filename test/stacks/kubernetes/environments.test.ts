/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are untyped JSON */
import { beforeAll, describe, expect, it } from 'vitest';
import { ciDeployRules } from '../../../stacks/kubernetes/index.js';
import type { RecordedResource } from '../mocks.js';
import { find, isSecret, kindCounts, kindOf, objects, one, podSpecs, run, specFor, type Env } from './fixtures.js';

type Run = Awaited<ReturnType<typeof run>>;

/** The RBAC resource of each kind the stack declares. */
const resourceOf: Record<string, string> = {
  ConfigMap: 'configmaps',
  Deployment: 'deployments',
  HorizontalPodAutoscaler: 'horizontalpodautoscalers',
  Ingress: 'ingresses',
  NetworkPolicy: 'networkpolicies',
  PodDisruptionBudget: 'poddisruptionbudgets',
  PrometheusRule: 'prometheusrules',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  Secret: 'secrets',
  Service: 'services',
  ServiceAccount: 'serviceaccounts',
  ServiceMonitor: 'servicemonitors',
  StatefulSet: 'statefulsets',
};

const expectedCounts: Record<Env, Record<string, number>> = {
  dev: {
    ConfigMap: 2,
    Deployment: 2,
    HorizontalPodAutoscaler: 1,
    Namespace: 1,
    NetworkPolicy: 3,
    PrometheusRule: 1,
    Role: 1,
    RoleBinding: 1,
    Secret: 2,
    Service: 3,
    ServiceAccount: 1,
    ServiceMonitor: 1,
    StatefulSet: 1,
  },
  staging: {} as Record<string, number>,
  // prod: two or more instances (a PodDisruptionBudget) and a host (an Ingress).
  prod: {} as Record<string, number>,
};
expectedCounts.staging = expectedCounts.dev;
expectedCounts.prod = { ...expectedCounts.dev, Ingress: 1, PodDisruptionBudget: 1 };

for (const env of ['dev', 'staging', 'prod'] as const) {
  describe(`kubernetes ${env}`, () => {
    const spec = specFor(env);
    const ns = spec.namespace;
    let result: Run;
    let resources: RecordedResource[];
    beforeAll(async () => {
      result = await run(spec);
      resources = result.resources;
    });

    it('declares the expected objects, each URN once, all through the explicit provider', () => {
      expect(kindCounts(resources)).toEqual(expectedCounts[env]);
      expect(new Set(result.urns).size).toBe(result.urns.length);
      expect(result.urns.length).toBe(result.registrations);
      const providers = resources.filter((r) => r.type === 'pulumi:providers:kubernetes');
      expect(providers).toHaveLength(1);
      expect(providers[0]!.inputs.namespace).toBe(ns);
      expect(providers[0]!.inputs.context).toBe(spec.context);
      const providerUrn = result.urns.find((urn) => urn.includes('pulumi:providers:kubernetes'))!;
      for (const r of objects(resources)) expect(r.provider, r.name).toBe(`${providerUrn}::${providers[0]!.name}-id`);
    });

    it('puts the environment labels on every object, and every namespaced object in the namespace', () => {
      for (const r of objects(resources)) {
        const labels = r.inputs.metadata.labels;
        expect(labels, `${kindOf(r)}/${r.name}`).toMatchObject({
          'app.kubernetes.io/name': 'cycle-assistant',
          'app.kubernetes.io/instance': `cycle-assistant-${env}`,
          'app.kubernetes.io/part-of': 'cycle-assistant',
          'app.kubernetes.io/managed-by': 'pulumi',
          'genai.dev/service': 'cycle-assistant',
          'genai.dev/environment': env,
          'genai.dev/cost-centre': 'cc-1234',
        });
        if (kindOf(r) !== 'Namespace') expect(r.inputs.metadata.namespace, r.name).toBe(ns);
      }
      const environmentLabels = one(resources, 'Namespace').inputs.metadata.labels;
      const templates = [
        ...find(resources, 'Deployment').map((r) => r.inputs.spec.template.metadata.labels),
        ...find(resources, 'StatefulSet').map((r) => r.inputs.spec.template.metadata.labels),
        ...find(resources, 'StatefulSet').map((r) => r.inputs.spec.volumeClaimTemplates[0].metadata.labels),
      ];
      for (const labels of templates) {
        for (const key of Object.keys(environmentLabels).filter((k) => !k.startsWith('pod-security'))) {
          expect(labels[key], key).toBe(environmentLabels[key]);
        }
      }
    });

    it('enforces Pod Security restricted on the namespace, and every pod meets it', () => {
      expect(one(resources, 'Namespace').inputs.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      });
      const pods = podSpecs(resources);
      expect(pods.map((p) => p.owner).sort()).toEqual([
        'Deployment/cycle-assistant',
        'Deployment/cycle-assistant-collector',
        'StatefulSet/cycle-assistant-db',
      ]);
      for (const { owner, spec: pod } of pods) {
        expect(pod.securityContext, owner).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(pod.securityContext.runAsUser, owner).toBeGreaterThan(0);
        expect(pod.automountServiceAccountToken, owner).toBe(false);
        for (const c of pod.containers) {
          expect(c.securityContext, `${owner} ${c.name}`).toEqual({
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          });
          expect(c.resources.requests.cpu && c.resources.requests.memory, `${owner} requests`).toBeTruthy();
          expect(c.resources.limits.cpu && c.resources.limits.memory, `${owner} limits`).toBeTruthy();
          expect(c.readinessProbe, `${owner} readiness`).toBeDefined();
          expect(c.livenessProbe, `${owner} liveness`).toBeDefined();
        }
        // Every volume is one restricted allows.
        for (const v of pod.volumes ?? [])
          expect(
            Object.keys(v).filter((k) => k !== 'name'),
            owner,
          ).toEqual(
            expect.arrayContaining([expect.stringMatching(/^(emptyDir|configMap|secret|persistentVolumeClaim)$/)]),
          );
      }
    });

    it('runs the release as a read-only service probed on /healthz and /readyz, wired to the store and the collector', () => {
      const deployment = one(resources, 'Deployment', 'cycle-assistant').inputs;
      const pod = deployment.spec.template.spec;
      const [container] = pod.containers;
      expect(container.image).toBe(spec.release.image);
      expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.startupProbe.httpGet.path).toBe('/healthz');
      expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } });
      // The HPA owns the replica count.
      expect(deployment.spec.replicas).toBeUndefined();
      const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
      expect(env.GENAI_RELEASE_ID).toBe(spec.release.id);
      expect(env.GENAI_ENV).toBe(spec.env);
      expect(env.DATABASE_URL).toEqual({ secretKeyRef: { name: 'cycle-assistant-db-credentials', key: 'url' } });
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://cycle-assistant-collector.${ns}.svc.cluster.local:4318`);
      expect(one(resources, 'Service', 'cycle-assistant-collector').inputs.spec.ports).toContainEqual(
        expect.objectContaining({ name: 'otlp-http', port: 4318 }),
      );
      expect(env.OPENAI_BASE_URL).toBe(spec.model.baseUrl);
      expect(pod.topologySpreadConstraints !== undefined).toBe(spec.production);
    });

    it("gives the service its API and admin keys from the stack's secrets, never in plain text", () => {
      const keys = one(resources, 'Secret', 'cycle-assistant-keys').inputs;
      expect(isSecret(keys.stringData)).toBe(true);
      expect(keys.stringData.value).toEqual({ 'api-key': 'api-key-value', 'admin-key': 'admin-key-value' });
      const service = one(resources, 'Deployment', 'cycle-assistant').inputs.spec.template.spec.containers[0];
      expect(service.env).toContainEqual({
        name: 'GENAI_API_KEYS',
        valueFrom: { secretKeyRef: { name: 'cycle-assistant-keys', key: 'api-key' } },
      });
      expect(service.env).toContainEqual({
        name: 'GENAI_ADMIN_KEY',
        valueFrom: { secretKeyRef: { name: 'cycle-assistant-keys', key: 'admin-key' } },
      });
    });

    it('keeps the database credentials in a Secret, as a Pulumi secret', () => {
      const secret = one(resources, 'Secret', 'cycle-assistant-db-credentials').inputs;
      expect(isSecret(secret.stringData)).toBe(true);
      expect(secret.stringData.value.POSTGRES_PASSWORD).toBe('p@ss/word');
      expect(secret.stringData.value.url).toBe(
        `postgres://genai:p%40ss%2Fword@cycle-assistant-db.${ns}.svc.cluster.local:5432/genai`,
      );
      const db = one(resources, 'StatefulSet').inputs.spec.template.spec.containers[0];
      expect(db.image).toBe('pgvector/pgvector:pg16');
      expect(db.env).toContainEqual({
        name: 'POSTGRES_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'cycle-assistant-db-credentials', key: 'POSTGRES_PASSWORD' } },
      });
      expect(JSON.stringify(db.env)).not.toContain('p@ss');
    });

    it('gives the vector store a volume of the environment size and class', () => {
      const claim = one(resources, 'StatefulSet').inputs.spec.volumeClaimTemplates[0];
      expect(claim.spec.resources.requests.storage).toBe(spec.storageSize);
      expect(claim.spec.storageClassName).toBe(spec.storageClass);
      expect(claim.spec.accessModes).toEqual(['ReadWriteOnce']);
    });

    it('exposes nothing outside the cluster but the Ingress', () => {
      for (const s of find(resources, 'Service')) expect(s.inputs.spec.type, s.name).toBe('ClusterIP');
      expect(one(resources, 'Service', 'cycle-assistant-db').inputs.spec.clusterIP).toBe('None');
      expect(find(resources, 'Ingress')).toHaveLength(spec.host ? 1 : 0);
    });

    it('admits only the service pods to the database, on its port', () => {
      const policy = one(resources, 'NetworkPolicy', 'cycle-assistant-db').inputs.spec;
      const dbPods = one(resources, 'StatefulSet').inputs.spec.template.metadata.labels;
      const servicePods = one(resources, 'Deployment', 'cycle-assistant').inputs.spec.template.metadata.labels;
      expect(policy.policyTypes).toEqual(['Ingress']);
      expect(dbPods).toMatchObject(policy.podSelector.matchLabels);
      expect(policy.ingress).toEqual([
        { from: [{ podSelector: { matchLabels: expect.any(Object) } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      ]);
      const admitted = policy.ingress[0].from[0].podSelector.matchLabels;
      expect(servicePods).toMatchObject(admitted);
      // The selector tells the service's pods from the store's own and the collector's.
      expect(admitted['app.kubernetes.io/component']).toBe('service');
      expect(admitted['app.kubernetes.io/instance']).toBe(`cycle-assistant-${env}`);
      const servicePolicy = one(resources, 'NetworkPolicy', 'cycle-assistant').inputs.spec;
      expect(servicePolicy.ingress).toEqual([
        { from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ]);
    });

    it('scales the service within the environment bounds, with a PDB from two instances', () => {
      const hpa = one(resources, 'HorizontalPodAutoscaler').inputs.spec;
      expect(hpa.minReplicas).toBe(spec.scale.min);
      expect(hpa.maxReplicas).toBe(spec.scale.max);
      expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'cycle-assistant' });
      expect(hpa.metrics[0].resource).toEqual({ name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } });
      const pdbs = find(resources, 'PodDisruptionBudget');
      if (spec.scale.min >= 2) {
        expect(pdbs).toHaveLength(1);
        expect(pdbs[0]!.inputs.spec).toEqual({
          minAvailable: 1,
          selector: { matchLabels: one(resources, 'Deployment', 'cycle-assistant').inputs.spec.selector.matchLabels },
        });
      } else expect(pdbs).toHaveLength(0);
    });

    it('alerts at the environment thresholds', () => {
      const rule = one(resources, 'PrometheusRule').inputs;
      const rules = Object.fromEntries(rule.spec.groups[0].rules.map((r: any) => [r.alert, r]));
      expect(Object.keys(rules).sort()).toEqual([
        'GenaiCostRateHigh',
        'GenaiErrorRateHigh',
        'GenaiJudgeScoreLow',
        'GenaiLatencyP95High',
      ]);
      const { alarms } = spec;
      expect(rules.GenaiLatencyP95High.expr).toMatch(
        new RegExp(`histogram_quantile\\(0\\.95,.*\\) > ${alarms.latencyP95Ms}$`),
      );
      expect(rules.GenaiErrorRateHigh.expr).toMatch(new RegExp(`STATUS_CODE_ERROR.* / .* > ${alarms.errorRate}$`));
      expect(rules.GenaiJudgeScoreLow.expr).toMatch(new RegExp(` < ${alarms.judgeScore}$`));
      expect(rules.GenaiCostRateHigh.expr).toMatch(new RegExp(`\\* 3600 > ${alarms.costUsdPerHour}$`));
      for (const r of Object.values(rules) as any[]) {
        expect(r.expr).toContain(`namespace="${ns}"`);
        expect(r.labels.severity).toBe(spec.production ? 'critical' : 'warning');
      }
    });

    it('ships a Grafana dashboard with the panels the issue lists', () => {
      const dashboard = one(resources, 'ConfigMap', 'cycle-assistant-dashboard').inputs;
      expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
      const json = JSON.parse(dashboard.data[`cycle-assistant-${env}.json`]);
      expect(json.uid).toBe(`cycle-assistant-${env}`);
      expect(json.panels.map((p: any) => p.title)).toEqual([
        'Requests',
        'Latency per step',
        'Errors',
        'Tokens',
        'Cost',
        'Guardrail blocks',
        'Judge scores',
        'Feedback',
      ]);
      for (const p of json.panels) for (const t of p.targets) expect(t.expr).toContain(`namespace="${ns}"`);
      expect(result.outputs.dashboardUrl).toBe(`/d/cycle-assistant-${env}`);
    });

    it('gives CI deploy rights in its namespace only, rule by rule, without a wildcard', () => {
      expect(find(resources, 'ClusterRole')).toHaveLength(0);
      expect(find(resources, 'ClusterRoleBinding')).toHaveLength(0);
      const role = one(resources, 'Role').inputs;
      expect(role.metadata.namespace).toBe(ns);
      expect(role.rules).toEqual(ciDeployRules);
      const allowedVerbs = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
      for (const rule of role.rules) {
        expect(rule.apiGroups).not.toContain('*');
        expect(rule.resources).not.toContain('*');
        expect(rule.verbs).not.toContain('*');
        for (const verb of rule.verbs) expect(allowedVerbs, `${rule.resources} ${verb}`).toContain(verb);
        expect(rule.resourceNames).toBeUndefined();
      }
      // What the stack declares is exactly what CI may manage (the namespace aside, a cluster admin's).
      const managed = new Set(
        role.rules.filter((r: any) => r.verbs.includes('patch')).flatMap((r: any) => r.resources as string[]),
      );
      const declared = new Set(
        objects(resources)
          .map(kindOf)
          .filter((k) => k !== 'Namespace'),
      );
      for (const kind of declared) expect(managed, kind).toContain(resourceOf[kind]);
      expect(role.rules).toContainEqual({
        apiGroups: ['apps'],
        resources: ['deployments', 'statefulsets'],
        verbs: expect.any(Array),
      });
      const binding = one(resources, 'RoleBinding').inputs;
      expect(binding.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: role.metadata.name,
      });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'genai-ci', namespace: ns }]);
      expect(one(resources, 'ServiceAccount').inputs.metadata.name).toBe('genai-ci');
    });

    it('outputs what the CLI records', () => {
      expect(result.outputs).toEqual({
        url: spec.host ? `https://${spec.host}` : `http://cycle-assistant.${ns}.svc.cluster.local`,
        vectorStoreUrl: `postgres://cycle-assistant-db.${ns}.svc.cluster.local:5432/genai`,
        modelEndpoint: spec.model.baseUrl,
        dashboardUrl: `/d/cycle-assistant-${env}`,
        release: spec.release.id,
      });
    });
  });
}
