import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';
import { componentLabels, selectorLabels, type Labels } from './labels.js';
import { containerSecurity, podSecurity, serviceHost } from './security.js';

/** Defaults, stated once; the JSDoc `@default`s below repeat them. */
export const modelServerDefaults = {
  image: 'vllm/vllm-openai:v0.6.3',
  gpus: 1,
  replicas: 1,
  nodeSelector: { 'nvidia.com/gpu.present': 'true' } as Record<string, string>,
  resources: { requests: { cpu: '4', memory: '24Gi' }, limits: { cpu: '8', memory: '48Gi' } },
  /** How long the weights may take to download and load before the kubelet gives up: 90 × 10 s. */
  startupFailureThreshold: 90,
};

/** vLLM's OpenAI-compatible server port. */
export const modelServerPort = 8000;

export interface ModelServerArgs {
  /**
   * Namespace of every object.
   * @example 'cycle-assistant-prod'
   */
  namespace: pulumi.Input<string>;
  /**
   * Labels put on every object, besides `app.kubernetes.io/component: model-server`.
   * @default {}
   * @example { 'genai.dev/environment': 'prod' }
   */
  labels?: Labels;
  /**
   * The weights vLLM loads (`--model`): a Hugging Face id it downloads, or a path.
   * @example 'meta-llama/Llama-3.1-8B-Instruct'
   */
  model: string;
  /**
   * The name clients ask for (`--served-model-name`); the model id of genai.yaml.
   * @default the value of `model`
   * @example 'llama3.1-8b'
   */
  servedModelName?: string;
  /**
   * Container image of the server.
   * @default 'vllm/vllm-openai:v0.6.3'
   * @example 'vllm/vllm-openai:v0.8.5'
   */
  image?: string;
  /**
   * GPUs per server (`nvidia.com/gpu` limit); above one, vLLM splits the model across them
   * (`--tensor-parallel-size`).
   * @default 1
   * @example 4
   */
  gpus?: number;
  /**
   * Instances of the server. GPU servers scale on queue depth, not CPU, so there is no HPA here.
   * @default 1
   * @example 2
   */
  replicas?: number;
  /**
   * Labels of the GPU nodes the server runs on.
   * @default { 'nvidia.com/gpu.present': 'true' } (set by NVIDIA GPU feature discovery)
   * @example { 'cloud.google.com/gke-accelerator': 'nvidia-l4' }
   */
  nodeSelector?: Record<string, string>;
  /**
   * CPU and memory of the server container; the GPU limit is added from `gpus`.
   * @default { requests: { cpu: '4', memory: '24Gi' }, limits: { cpu: '8', memory: '48Gi' } }
   * @example { requests: { cpu: '8', memory: '64Gi' }, limits: { cpu: '16', memory: '96Gi' } }
   */
  resources?: { requests: Record<string, string>; limits: Record<string, string> };
  /**
   * Labels of the only pods the NetworkPolicy admits on port 8000: the service's.
   * @example { 'app.kubernetes.io/component': 'service', 'app.kubernetes.io/instance': 'cycle-assistant-prod' }
   */
  clients: Labels;
  /**
   * A Secret key holding a Hugging Face token, for gated models.
   * @default none
   * @example { name: 'hf-token', key: 'token' }
   */
  huggingFaceToken?: { name: string; key: string };
  /**
   * Changes to the child resources' arguments.
   * @default {}
   * @example { deployment: (args) => { args.spec = pulumi.output(args.spec).apply((s) => ({ ...s, paused: true })); } }
   */
  transform?: {
    deployment?: Transform<k8s.apps.v1.DeploymentArgs>;
    service?: Transform<k8s.core.v1.ServiceArgs>;
    networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    podDisruptionBudget?: Transform<k8s.policy.v1.PodDisruptionBudgetArgs>;
  };
}

/**
 * A self-hosted open model: vLLM on GPU nodes behind a cluster-internal, OpenAI-compatible Service.
 * The pods count as started only once the weights are loaded (`/health` answers), so a rollout never
 * sends traffic to a server still loading.
 */
export class ModelServer extends pulumi.ComponentResource {
  /** The OpenAI-compatible base URL: http://NAME.NAMESPACE.svc.cluster.local:8000/v1. */
  readonly endpoint: pulumi.Output<string>;
  /** The model name to send in requests. */
  readonly servedModelName: string;
  private readonly children: {
    deployment: k8s.apps.v1.Deployment;
    service: k8s.core.v1.Service;
    networkPolicy: k8s.networking.v1.NetworkPolicy;
    podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
  };

  constructor(name: string, args: ModelServerArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('genai:kubernetes:ModelServer', name, {}, opts);
    const labels = componentLabels(args.labels ?? {}, 'model-server');
    const selector = selectorLabels(labels);
    const namespace = pulumi.output(args.namespace);
    const gpus = args.gpus ?? modelServerDefaults.gpus;
    const replicas = args.replicas ?? modelServerDefaults.replicas;
    const servedModelName = args.servedModelName ?? args.model;
    // Fresh options per child: a function transform may edit them.
    const child = (): pulumi.CustomResourceOptions => ({ parent: this });

    const deployment = createDeployment();
    const service = createService();
    const networkPolicy = createNetworkPolicy();
    const podDisruptionBudget = replicas >= 2 ? createPodDisruptionBudget() : undefined;

    this.servedModelName = servedModelName;
    this.endpoint = pulumi.interpolate`http://${namespace.apply((ns) => serviceHost(name, ns))}:${modelServerPort}/v1`;
    this.children = { deployment, service, networkPolicy, ...(podDisruptionBudget ? { podDisruptionBudget } : {}) };
    this.registerOutputs({ endpoint: this.endpoint });

    function metadata(objectName: string) {
      return { name: objectName, namespace, labels };
    }

    function createDeployment() {
      const resources = args.resources ?? modelServerDefaults.resources;
      const health = { httpGet: { path: '/health', port: 'http' } };
      const command = [
        '--model',
        args.model,
        '--served-model-name',
        servedModelName,
        '--port',
        String(modelServerPort),
        ...(gpus > 1 ? ['--tensor-parallel-size', String(gpus)] : []),
      ];
      const env: k8s.types.input.core.v1.EnvVar[] = [
        // The root filesystem is read-only: caches and downloaded weights go to the emptyDir.
        { name: 'HOME', value: '/cache' },
        { name: 'HF_HOME', value: '/cache/huggingface' },
        { name: 'XDG_CACHE_HOME', value: '/cache' },
        { name: 'VLLM_NO_USAGE_STATS', value: '1' },
        ...(args.huggingFaceToken
          ? [{ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { ...args.huggingFaceToken } } }]
          : []),
      ];
      return new k8s.apps.v1.Deployment(
        ...transform(
          args.transform?.deployment,
          name,
          {
            metadata: metadata(name),
            spec: {
              replicas,
              selector: { matchLabels: selector },
              // A GPU is rarely free for a surge pod: replace one server at a time.
              strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
              template: {
                metadata: { labels },
                spec: {
                  automountServiceAccountToken: false,
                  enableServiceLinks: false,
                  securityContext: podSecurity(1000),
                  nodeSelector: args.nodeSelector ?? modelServerDefaults.nodeSelector,
                  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
                  terminationGracePeriodSeconds: 60,
                  containers: [
                    {
                      name: 'vllm',
                      image: args.image ?? modelServerDefaults.image,
                      args: command,
                      env,
                      ports: [{ name: 'http', containerPort: modelServerPort, protocol: 'TCP' }],
                      resources: {
                        requests: { ...resources.requests, 'nvidia.com/gpu': String(gpus) },
                        limits: { ...resources.limits, 'nvidia.com/gpu': String(gpus) },
                      },
                      securityContext: containerSecurity(),
                      startupProbe: {
                        ...health,
                        periodSeconds: 10,
                        failureThreshold: modelServerDefaults.startupFailureThreshold,
                      },
                      readinessProbe: { ...health, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
                      livenessProbe: { ...health, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 5 },
                      volumeMounts: [
                        { name: 'cache', mountPath: '/cache' },
                        { name: 'tmp', mountPath: '/tmp' },
                        { name: 'shm', mountPath: '/dev/shm' },
                      ],
                    },
                  ],
                  volumes: [
                    { name: 'cache', emptyDir: { sizeLimit: '100Gi' } },
                    { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
                    // NCCL and PyTorch workers share tensors through /dev/shm.
                    { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } },
                  ],
                },
              },
            },
          },
          child(),
        ),
      );
    }

    function createService() {
      return new k8s.core.v1.Service(
        ...transform(
          args.transform?.service,
          name,
          {
            metadata: metadata(name),
            spec: {
              type: 'ClusterIP',
              selector,
              ports: [{ name: 'http', port: modelServerPort, targetPort: 'http', protocol: 'TCP' }],
            },
          },
          child(),
        ),
      );
    }

    function createNetworkPolicy() {
      return new k8s.networking.v1.NetworkPolicy(
        ...transform(
          args.transform?.networkPolicy,
          name,
          {
            metadata: metadata(name),
            spec: {
              podSelector: { matchLabels: selector },
              policyTypes: ['Ingress'],
              ingress: [
                {
                  from: [{ podSelector: { matchLabels: args.clients } }],
                  ports: [{ protocol: 'TCP', port: modelServerPort }],
                },
              ],
            },
          },
          child(),
        ),
      );
    }

    function createPodDisruptionBudget() {
      return new k8s.policy.v1.PodDisruptionBudget(
        ...transform(
          args.transform?.podDisruptionBudget,
          name,
          { metadata: metadata(name), spec: { minAvailable: 1, selector: { matchLabels: selector } } },
          child(),
        ),
      );
    }
  }

  /** The underlying Kubernetes objects. */
  get nodes() {
    return this.children;
  }
}
