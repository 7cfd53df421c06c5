import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';
import { componentLabels, selectorLabels, type Labels } from './labels.js';
import { containerSecurity, podSecurity, serviceHost } from './security.js';

/** Defaults, stated once; the JSDoc `@default`s below repeat them. */
export const serviceDefaults = {
  port: 8080,
  cpuUtilization: 70,
  resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
  scale: { min: 1, max: 3 },
};

export interface ServiceArgs {
  /**
   * Namespace of every object.
   * @example 'cycle-assistant-prod'
   */
  namespace: pulumi.Input<string>;
  /**
   * Labels put on every object, besides `app.kubernetes.io/component: service`.
   * @default {}
   * @example { 'genai.dev/environment': 'prod' }
   */
  labels?: Labels;
  /**
   * The service's image, by digest.
   * @example 'ghcr.io/acme/cycle-assistant@sha256:0123…'
   */
  image: string;
  /**
   * The release the image is, reported by `/healthz` (`GENAI_RELEASE_ID`).
   * @example 'rel-20250101-abc123'
   */
  release: string;
  /**
   * Environment name (`GENAI_ENV`).
   * @example 'prod'
   */
  env: string;
  /**
   * The Secret whose key `url` is the vector store's connection URL (`DATABASE_URL`).
   * @example 'cycle-assistant-db-credentials'
   */
  databaseSecret: pulumi.Input<string>;
  /**
   * Where the service sends OTLP over HTTP (`OTEL_EXPORTER_OTLP_ENDPOINT`).
   * @example 'http://monitoring-collector.cycle-assistant-prod.svc.cluster.local:4318'
   */
  otlpEndpoint: pulumi.Input<string>;
  /**
   * Further environment variables (model endpoint and ids, retrieval settings).
   * @default {}
   * @example { OPENAI_BASE_URL: 'http://vllm.ns.svc.cluster.local:8000/v1', GENAI_CHAT_MODEL: 'llama3.1-8b' }
   */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * Environment variables read from Secret keys.
   * @default {}
   * @example { QDRANT_API_KEY: { name: 'cycle-assistant-db-credentials', key: 'api-key' } }
   */
  secretEnvironment?: Record<string, { name: pulumi.Input<string>; key: string }>;
  /**
   * Instances: the HPA's bounds. A PodDisruptionBudget keeps one serving when there are two or more.
   * @default { min: 1, max: 3 }
   * @example { min: 2, max: 20 }
   */
  scale?: { min: number; max: number };
  /**
   * Average CPU use, in percent of the request, the HPA keeps.
   * @default 70
   * @example 60
   */
  cpuUtilization?: number;
  /**
   * Ingress host; without one the service is reachable inside the cluster only.
   * @default none
   * @example 'assistant.example.com'
   */
  host?: string;
  /**
   * IngressClass of the Ingress; the cluster's default class when absent.
   * @default the cluster default
   * @example 'nginx'
   */
  ingressClassName?: string;
  /**
   * The TLS Secret of the host (issued by cert-manager or put there by hand). TLS is on whenever there is a host.
   * @default 'NAME-tls'
   * @example 'assistant-example-com-tls'
   */
  tlsSecretName?: string;
  /**
   * CPU and memory of the service container.
   * @default { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } }
   * @example { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } }
   */
  resources?: k8s.types.input.core.v1.ResourceRequirements;
  /**
   * Spread instances over nodes and zones.
   * @default false
   * @example true
   */
  spread?: boolean;
  /**
   * Changes to the child resources' arguments.
   * @default {}
   * @example { ingress: { metadata: { annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' } } } }
   */
  transform?: {
    deployment?: Transform<k8s.apps.v1.DeploymentArgs>;
    service?: Transform<k8s.core.v1.ServiceArgs>;
    ingress?: Transform<k8s.networking.v1.IngressArgs>;
    autoscaler?: Transform<k8s.autoscaling.v2.HorizontalPodAutoscalerArgs>;
    podDisruptionBudget?: Transform<k8s.policy.v1.PodDisruptionBudgetArgs>;
    networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
  };
}

/**
 * The GenAI service itself: a non-root, read-only Deployment scaled by an HPA, a ClusterIP Service, an
 * Ingress when there is a host, a PodDisruptionBudget when there are two or more instances, and a
 * NetworkPolicy admitting HTTP only.
 */
export class Service extends pulumi.ComponentResource {
  /** https://HOST with an Ingress, else http://NAME.NAMESPACE.svc.cluster.local. */
  readonly url: pulumi.Output<string>;
  /** The labels of the service's pods, which the other components admit. */
  readonly podLabels: Labels;
  private readonly children: {
    deployment: k8s.apps.v1.Deployment;
    service: k8s.core.v1.Service;
    ingress?: k8s.networking.v1.Ingress;
    autoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler;
    podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
    networkPolicy: k8s.networking.v1.NetworkPolicy;
  };

  /** The selector labels a Service component of this name will give its pods, known before it exists. */
  static podLabels(labels: Labels): Labels {
    return selectorLabels(componentLabels(labels, 'service'));
  }

  constructor(name: string, args: ServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('genai:kubernetes:Service', name, {}, opts);
    const labels = componentLabels(args.labels ?? {}, 'service');
    const selector = selectorLabels(labels);
    const namespace = pulumi.output(args.namespace);
    const scale = args.scale ?? serviceDefaults.scale;
    const port = serviceDefaults.port;
    // Fresh options per child: a function transform may edit them.
    const child = (): pulumi.CustomResourceOptions => ({ parent: this });

    const deployment = createDeployment();
    const service = createService();
    const ingress = args.host === undefined ? undefined : createIngress(args.host);
    const autoscaler = createAutoscaler();
    const podDisruptionBudget = scale.min >= 2 ? createPodDisruptionBudget() : undefined;
    const networkPolicy = createNetworkPolicy();

    this.podLabels = selector;
    this.url =
      args.host === undefined
        ? pulumi.interpolate`http://${namespace.apply((ns) => serviceHost(name, ns))}`
        : pulumi.output(`https://${args.host}`);
    this.children = {
      deployment,
      service,
      autoscaler,
      networkPolicy,
      ...(ingress ? { ingress } : {}),
      ...(podDisruptionBudget ? { podDisruptionBudget } : {}),
    };
    this.registerOutputs({ url: this.url });

    function metadata(objectName: string) {
      return { name: objectName, namespace, labels };
    }

    function createDeployment() {
      const env: k8s.types.input.core.v1.EnvVar[] = [
        { name: 'GENAI_ENV', value: args.env },
        { name: 'GENAI_RELEASE_ID', value: args.release },
        { name: 'PORT', value: String(port) },
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: args.databaseSecret, key: 'url' } } },
        { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: args.otlpEndpoint },
        { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
        { name: 'OTEL_SERVICE_NAME', value: labels['app.kubernetes.io/name'] ?? name },
        { name: 'OTEL_RESOURCE_ATTRIBUTES', value: `deployment.environment.name=${args.env}` },
        { name: 'GENAI_INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ...Object.entries(args.environment ?? {}).map(([envName, value]) => ({ name: envName, value })),
        ...Object.entries(args.secretEnvironment ?? {}).map(([envName, secretKeyRef]) => ({
          name: envName,
          valueFrom: { secretKeyRef },
        })),
      ];
      const probe = (path: string) => ({ httpGet: { path, port: 'http' } });
      return new k8s.apps.v1.Deployment(
        ...transform(
          args.transform?.deployment,
          name,
          {
            metadata: metadata(name),
            spec: {
              // No replicas: the HPA owns the count, and a value here would fight it on every update.
              selector: { matchLabels: selector },
              strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
              template: {
                metadata: { labels },
                spec: {
                  automountServiceAccountToken: false,
                  enableServiceLinks: false,
                  securityContext: podSecurity(1000),
                  terminationGracePeriodSeconds: 30,
                  ...(args.spread
                    ? {
                        topologySpreadConstraints: ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map(
                          (topologyKey) => ({
                            maxSkew: 1,
                            topologyKey,
                            whenUnsatisfiable: 'ScheduleAnyway',
                            labelSelector: { matchLabels: selector },
                          }),
                        ),
                      }
                    : {}),
                  containers: [
                    {
                      name: 'service',
                      image: args.image,
                      ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
                      env,
                      resources: args.resources ?? serviceDefaults.resources,
                      securityContext: containerSecurity(),
                      // The service migrates its schema and ingests at start: give it time before liveness counts.
                      startupProbe: { ...probe('/healthz'), periodSeconds: 5, failureThreshold: 60 },
                      readinessProbe: { ...probe('/readyz'), periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
                      livenessProbe: {
                        ...probe('/healthz'),
                        periodSeconds: 15,
                        timeoutSeconds: 5,
                        failureThreshold: 4,
                      },
                      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                    },
                  ],
                  volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } }],
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
              ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
            },
          },
          child(),
        ),
      );
    }

    function createIngress(host: string) {
      return new k8s.networking.v1.Ingress(
        ...transform(
          args.transform?.ingress,
          name,
          {
            metadata: metadata(name),
            spec: {
              ...(args.ingressClassName === undefined ? {} : { ingressClassName: args.ingressClassName }),
              tls: [{ hosts: [host], secretName: args.tlsSecretName ?? `${name}-tls` }],
              rules: [
                {
                  host,
                  http: {
                    paths: [
                      {
                        path: '/',
                        pathType: 'Prefix',
                        backend: { service: { name: service.metadata.name, port: { name: 'http' } } },
                      },
                    ],
                  },
                },
              ],
            },
          },
          child(),
        ),
      );
    }

    function createAutoscaler() {
      return new k8s.autoscaling.v2.HorizontalPodAutoscaler(
        ...transform(
          args.transform?.autoscaler,
          name,
          {
            metadata: metadata(name),
            spec: {
              scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name },
              minReplicas: scale.min,
              maxReplicas: scale.max,
              metrics: [
                {
                  type: 'Resource',
                  resource: {
                    name: 'cpu',
                    target: {
                      type: 'Utilization',
                      averageUtilization: args.cpuUtilization ?? serviceDefaults.cpuUtilization,
                    },
                  },
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
              // The front door: any pod in the cluster (the ingress controller, an eval job) on HTTP only.
              ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port }] }],
            },
          },
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
