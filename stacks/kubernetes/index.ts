/**
 * The Kubernetes target's program (docs/architecture.md §4): one stack per environment, run by the driver
 * as an Automation API inline program. Everything is a plain Kubernetes object under an explicit provider,
 * so every one of them is unit-testable under `pulumi.runtime.setMocks`.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { KubernetesStackSpec, StackOutputs } from '../spec.js';
import { transform, type Transform } from '../transform.js';
import { Access, type AccessArgs } from './access.js';
import { environmentLabels } from './labels.js';
import { ModelServer, type ModelServerArgs } from './model-server.js';
import { Monitoring, type MonitoringArgs } from './monitoring.js';
import { Service, type ServiceArgs } from './service.js';
import { VectorStore, type VectorStoreArgs } from './vector-store.js';

export { Access, ciDeployRules, type AccessArgs } from './access.js';
export { environmentLabels } from './labels.js';
export { ModelServer, modelServerDefaults, modelServerPort, type ModelServerArgs } from './model-server.js';
export { Monitoring, metrics, monitoringDefaults, collectorPorts, type MonitoringArgs } from './monitoring.js';
export { Service, serviceDefaults, type ServiceArgs } from './service.js';
export { VectorStore, vectorStoreDefaults, type VectorStoreArgs, type VectorStoreKind } from './vector-store.js';

/**
 * A project's changes to the program's objects (its `infra/transforms.ts`): the provider and namespace, and
 * each component's own `transform` object.
 *
 * @example
 * { service: { ingress: { metadata: { annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } } } } }
 */
export interface KubernetesTransforms {
  provider?: Transform<k8s.ProviderArgs>;
  namespace?: Transform<k8s.core.v1.NamespaceArgs>;
  vectorStore?: VectorStoreArgs['transform'];
  modelServer?: ModelServerArgs['transform'];
  monitoring?: MonitoringArgs['transform'];
  service?: ServiceArgs['transform'];
  access?: AccessArgs['transform'];
}

/** The stack outputs, as Pulumi outputs. */
export type KubernetesOutputs = { [K in keyof StackOutputs]: pulumi.Output<StackOutputs[K]> };

/** Stack configuration key of the vector store's password (or Qdrant API key), a Pulumi secret. */
export const databasePasswordKey = 'genai:dbPassword';
/** Stack configuration keys of the service's API key and admin key, Pulumi secrets the driver sets. */
export const apiKeyKey = 'genai:apiKey';
export const adminKeyKey = 'genai:adminKey';

/**
 * Declares one environment: its namespace (Pod Security `restricted`), vector store, model server (vLLM
 * only), monitoring, service and CI access.
 *
 * Outputs: `url` (https://HOST with a host, else the in-cluster Service URL); `vectorStoreUrl` (no
 * credentials); `modelEndpoint` (the vLLM Service's OpenAI base URL, else `model.baseUrl`, else
 * `PROVIDER:MODEL-ID` for a provider the service calls itself); `dashboardUrl` (GRAFANA/d/UID, or the path
 * /d/UID on the Grafana that loads the dashboard ConfigMap when `spec.grafanaUrl` is absent); `release`.
 */
export function program(spec: KubernetesStackSpec, transforms: KubernetesTransforms = {}): KubernetesOutputs {
  const storeKind = spec.vectorStore.kind;
  if (storeKind !== 'pgvector' && storeKind !== 'qdrant') {
    throw new Error(
      `vectorStore.kind ${storeKind} has no Kubernetes form; fix: use pgvector or qdrant for a kubernetes environment`,
    );
  }
  const password = stackSecret(spec, databasePasswordKey);
  const labels = environmentLabels(spec);
  const name = spec.project;

  const provider = new k8s.Provider(
    ...transform(
      transforms.provider,
      `${spec.project}-${spec.env}`,
      {
        namespace: spec.namespace,
        enableServerSideApply: true,
        ...(spec.context === undefined ? {} : { context: spec.context }),
      },
      {},
    ),
  );
  const namespace = new k8s.core.v1.Namespace(
    ...transform(
      transforms.namespace,
      spec.namespace,
      {
        metadata: {
          name: spec.namespace,
          labels: {
            ...labels,
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'latest',
            'pod-security.kubernetes.io/audit': 'restricted',
            'pod-security.kubernetes.io/warn': 'restricted',
          },
        },
      },
      { provider, protect: spec.production },
    ),
  );
  const ns = namespace.metadata.name;
  const opts = { provider };
  const clients = Service.podLabels(labels);

  const store = new VectorStore(
    `${name}-db`,
    {
      kind: storeKind,
      namespace: ns,
      labels,
      password,
      clients,
      storageSize: spec.storageSize,
      ...(spec.storageClass === undefined ? {} : { storageClass: spec.storageClass }),
      ...(transforms.vectorStore ? { transform: transforms.vectorStore } : {}),
    },
    // The data outlives a mistaken `destroy` of prod.
    { ...opts, protect: spec.production },
  );

  // The service's API and admin keys (it refuses to listen on all interfaces without them).
  const keys = new k8s.core.v1.Secret(
    `${name}-keys`,
    {
      metadata: { name: `${name}-keys`, namespace: ns, labels },
      type: 'Opaque',
      stringData: { 'api-key': stackSecret(spec, apiKeyKey), 'admin-key': stackSecret(spec, adminKeyKey) },
    },
    opts,
  );
  const model = modelServer();
  const monitoring = new Monitoring(
    name,
    {
      namespace: ns,
      namespaceName: spec.namespace,
      service: spec.project,
      env: spec.env,
      alarms: spec.alarms,
      production: spec.production,
      labels,
      clients,
      ...(spec.grafanaUrl === undefined ? {} : { grafanaUrl: spec.grafanaUrl }),
      ...(transforms.monitoring ? { transform: transforms.monitoring } : {}),
    },
    opts,
  );
  const service = new Service(
    name,
    {
      namespace: ns,
      labels,
      image: spec.release.image,
      release: spec.release.id,
      env: spec.env,
      databaseSecret: store.secretName,
      otlpEndpoint: monitoring.otlpEndpoint,
      environment: serviceEnvironment(),
      secretEnvironment: {
        GENAI_API_KEYS: { name: keys.metadata.name, key: 'api-key' },
        GENAI_ADMIN_KEY: { name: keys.metadata.name, key: 'admin-key' },
        ...(store.kind === 'qdrant' ? { QDRANT_API_KEY: { name: store.secretName, key: 'api-key' } } : {}),
      },
      scale: spec.scale,
      spread: spec.production,
      ...(spec.host === undefined ? {} : { host: spec.host }),
      ...(transforms.service ? { transform: transforms.service } : {}),
    },
    opts,
  );
  new Access(
    name,
    {
      namespace: ns,
      serviceAccount: spec.ciServiceAccount,
      labels,
      ...(transforms.access ? { transform: transforms.access } : {}),
    },
    opts,
  );

  return {
    url: service.url,
    vectorStoreUrl: store.url,
    modelEndpoint: model
      ? model.endpoint
      : pulumi.output(spec.model.baseUrl ?? `${spec.model.provider}:${spec.model.id}`),
    dashboardUrl: pulumi.output(monitoring.dashboardUrl),
    release: pulumi.output(spec.release.id),
  };

  function modelServer(): ModelServer | undefined {
    if (spec.model.provider !== 'vllm') return undefined;
    const serving = spec.model.serving;
    return new ModelServer(
      `${name}-vllm`,
      {
        namespace: ns,
        labels,
        clients,
        model: serving?.modelData ?? spec.model.id,
        servedModelName: spec.model.id,
        ...(serving?.image === undefined ? {} : { image: serving.image }),
        ...(serving === undefined ? {} : { gpus: serving.gpus, replicas: serving.scale.min }),
        ...(transforms.modelServer ? { transform: transforms.modelServer } : {}),
      },
      opts,
    );
  }

  function serviceEnvironment(): Record<string, pulumi.Input<string>> {
    const environment: Record<string, pulumi.Input<string>> = {
      GENAI_TOP_K: String(spec.retrieval.topK),
      GENAI_MAX_OUTPUT_TOKENS: String(spec.model.maxOutputTokens),
      GENAI_VECTOR_STORE: spec.vectorStore.kind,
    };
    const baseUrl = model ? model.endpoint : spec.model.baseUrl;
    if (spec.model.provider === 'offline') return environment;
    return {
      ...environment,
      // The service speaks vLLM's OpenAI-compatible API.
      GENAI_MODEL_PROVIDER: spec.model.provider === 'vllm' ? 'openai-compatible' : spec.model.provider,
      GENAI_CHAT_MODEL: spec.model.id,
      GENAI_EMBEDDING_MODEL: spec.embeddings.id,
      GENAI_EMBEDDING_DIMENSIONS: String(spec.embeddings.dimensions),
      ...(baseUrl === undefined ? {} : { OPENAI_BASE_URL: baseUrl }),
    };
  }
}

/** A secret of the stack's configuration that the driver sets (never generated here: no random provider). */
function stackSecret(spec: KubernetesStackSpec, configKey: string): pulumi.Output<string> {
  const [namespace, key] = configKey.split(':') as [string, string];
  const value = new pulumi.Config(namespace).getSecret(key);
  if (value === undefined) {
    throw new Error(
      `${configKey} is not set for the ${spec.env} stack; fix: pulumi config set --secret ${configKey} <value> --stack ${spec.env}`,
    );
  }
  return value;
}
