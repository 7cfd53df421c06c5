import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';
import { componentLabels, selectorLabels, type Labels } from './labels.js';
import { containerSecurity, podSecurity, serviceHost } from './security.js';

export type VectorStoreKind = 'pgvector' | 'qdrant';

/** Defaults, stated once; the JSDoc `@default`s below repeat them. */
export const vectorStoreDefaults = {
  kind: 'pgvector' as VectorStoreKind,
  storageSize: '20Gi',
  images: { pgvector: 'pgvector/pgvector:pg16', qdrant: 'qdrant/qdrant:v1.12.4-unprivileged' },
  resources: {
    requests: { cpu: '250m', memory: '512Mi' },
    limits: { cpu: '2', memory: '2Gi' },
  },
};

/** Port, database user and the user id each image runs as. */
const engines = {
  pgvector: { port: 5432, portName: 'postgres', user: 999 },
  qdrant: { port: 6333, portName: 'http', user: 1000 },
} as const;

export interface VectorStoreArgs {
  /**
   * The database: Postgres with the pgvector extension (the service's own migration creates the extension
   * and schema at start, as it does in PGlite), or Qdrant.
   * @default 'pgvector'
   * @example 'qdrant'
   */
  kind?: VectorStoreKind;
  /**
   * Namespace of every object.
   * @example 'cycle-assistant-prod'
   */
  namespace: pulumi.Input<string>;
  /**
   * Labels put on every object, besides `app.kubernetes.io/component: vector-store`.
   * @default {}
   * @example { 'genai.dev/environment': 'prod' }
   */
  labels?: Labels;
  /**
   * The database password (Postgres) or API key (Qdrant), kept in the component's Secret. Pass a secret.
   * @example new pulumi.Config('genai').requireSecret('dbPassword')
   */
  password: pulumi.Input<string>;
  /**
   * Labels of the only pods the NetworkPolicy admits on the database port: the service's.
   * @example { 'app.kubernetes.io/component': 'service', 'app.kubernetes.io/instance': 'cycle-assistant-prod' }
   */
  clients: Labels;
  /**
   * Size of the volume.
   * @default '20Gi'
   * @example '100Gi'
   */
  storageSize?: string;
  /**
   * StorageClass of the volume; the cluster's default class when absent.
   * @default the cluster default
   * @example 'gp3-encrypted'
   */
  storageClass?: string;
  /**
   * Container image.
   * @default 'pgvector/pgvector:pg16' or 'qdrant/qdrant:v1.12.4-unprivileged'
   * @example 'pgvector/pgvector:pg17'
   */
  image?: string;
  /**
   * CPU and memory of the database container.
   * @default { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '2Gi' } }
   * @example { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } }
   */
  resources?: k8s.types.input.core.v1.ResourceRequirements;
  /**
   * Changes to the child resources' arguments.
   * @default {}
   * @example { statefulSet: (args) => { args.metadata = { ...args.metadata, annotations: { team: 'data' } }; } }
   */
  transform?: {
    secret?: Transform<k8s.core.v1.SecretArgs>;
    service?: Transform<k8s.core.v1.ServiceArgs>;
    statefulSet?: Transform<k8s.apps.v1.StatefulSetArgs>;
    networkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
  };
}

/**
 * The environment's vector store: a one-replica StatefulSet on its own volume, reachable only by the
 * service's pods through a headless Service, its credentials in a Secret.
 */
export class VectorStore extends pulumi.ComponentResource {
  /** Where the service connects, without credentials, e.g. postgres://NAME.NAMESPACE.svc.cluster.local:5432/genai. */
  readonly url: pulumi.Output<string>;
  /** The Secret holding the credentials and the full connection URL (key `url`). */
  readonly secretName: pulumi.Output<string>;
  readonly kind: VectorStoreKind;
  readonly port: number;
  private readonly children: {
    secret: k8s.core.v1.Secret;
    service: k8s.core.v1.Service;
    statefulSet: k8s.apps.v1.StatefulSet;
    networkPolicy: k8s.networking.v1.NetworkPolicy;
  };

  constructor(name: string, args: VectorStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('genai:kubernetes:VectorStore', name, {}, opts);
    const kind = args.kind ?? vectorStoreDefaults.kind;
    const engine = engines[kind];
    const labels = componentLabels(args.labels ?? {}, 'vector-store');
    const selector = selectorLabels(labels);
    const namespace = pulumi.output(args.namespace);
    const host = namespace.apply((ns) => serviceHost(name, ns));
    // Fresh options per child: a function transform may edit them.
    const child = (): pulumi.CustomResourceOptions => ({ parent: this });

    const secret = createSecret();
    const service = createService();
    const statefulSet = createStatefulSet();
    const networkPolicy = createNetworkPolicy();

    this.kind = kind;
    this.port = engine.port;
    this.url =
      kind === 'pgvector'
        ? pulumi.interpolate`postgres://${host}:${engine.port}/genai`
        : pulumi.interpolate`http://${host}:${engine.port}`;
    this.secretName = secret.metadata.name;
    this.children = { secret, service, statefulSet, networkPolicy };
    this.registerOutputs({ url: this.url, secretName: this.secretName });

    function metadata(objectName: string) {
      return { name: objectName, namespace, labels };
    }

    function createSecret() {
      const password = pulumi.secret(args.password);
      const stringData: Record<string, pulumi.Input<string>> = kind === 'pgvector'
        ? {
            POSTGRES_USER: 'genai',
            POSTGRES_DB: 'genai',
            POSTGRES_PASSWORD: password,
            url: pulumi.interpolate`postgres://genai:${password.apply(encodeURIComponent)}@${host}:${engine.port}/genai`,
          }
        : { 'api-key': password, url: pulumi.interpolate`http://${host}:${engine.port}` };
      return new k8s.core.v1.Secret(
        ...transform(
          args.transform?.secret,
          `${name}-credentials`,
          { metadata: metadata(`${name}-credentials`), type: 'Opaque', immutable: false, stringData },
          { ...child(), additionalSecretOutputs: ['stringData', 'data'] },
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
              // Headless: the StatefulSet's governing Service; clients resolve the pod directly.
              type: 'ClusterIP',
              clusterIP: 'None',
              selector,
              ports: [{ name: engine.portName, port: engine.port, targetPort: engine.portName, protocol: 'TCP' }],
            },
          },
          child(),
        ),
      );
    }

    function createStatefulSet() {
      const dataPath = kind === 'pgvector' ? '/var/lib/postgresql/data' : '/qdrant/storage';
      const container: k8s.types.input.core.v1.Container = {
        name: kind,
        image: args.image ?? vectorStoreDefaults.images[kind],
        ports: [{ name: engine.portName, containerPort: engine.port, protocol: 'TCP' }],
        env: kind === 'pgvector' ? postgresEnv() : qdrantEnv(),
        resources: args.resources ?? vectorStoreDefaults.resources,
        securityContext: containerSecurity(),
        volumeMounts: [
          { name: 'data', mountPath: dataPath },
          { name: 'tmp', mountPath: '/tmp' },
          kind === 'pgvector'
            ? { name: 'run', mountPath: '/var/run/postgresql' }
            : { name: 'run', mountPath: '/qdrant/snapshots' },
        ],
        ...(kind === 'pgvector' ? postgresProbes() : qdrantProbes()),
      };
      return new k8s.apps.v1.StatefulSet(
        ...transform(
          args.transform?.statefulSet,
          name,
          {
            metadata: metadata(name),
            spec: {
              serviceName: service.metadata.name,
              replicas: 1,
              selector: { matchLabels: selector },
              podManagementPolicy: 'OrderedReady',
              updateStrategy: { type: 'RollingUpdate' },
              persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
              template: {
                metadata: { labels },
                spec: {
                  automountServiceAccountToken: false,
                  enableServiceLinks: false,
                  securityContext: podSecurity(engine.user),
                  terminationGracePeriodSeconds: 60,
                  containers: [container],
                  volumes: [
                    { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
                    { name: 'run', emptyDir: { sizeLimit: '1Gi' } },
                  ],
                },
              },
              volumeClaimTemplates: [
                {
                  metadata: { name: 'data', labels },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    ...(args.storageClass === undefined ? {} : { storageClassName: args.storageClass }),
                    resources: { requests: { storage: args.storageSize ?? vectorStoreDefaults.storageSize } },
                  },
                },
              ],
            },
          },
          child(),
        ),
      );
    }

    function secretEnv(envName: string, key: string): k8s.types.input.core.v1.EnvVar {
      return { name: envName, valueFrom: { secretKeyRef: { name: secret.metadata.name, key } } };
    }

    function postgresEnv(): k8s.types.input.core.v1.EnvVar[] {
      return [
        secretEnv('POSTGRES_USER', 'POSTGRES_USER'),
        secretEnv('POSTGRES_DB', 'POSTGRES_DB'),
        secretEnv('POSTGRES_PASSWORD', 'POSTGRES_PASSWORD'),
        // A subfolder: the volume's root holds lost+found, which initdb refuses.
        { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
      ];
    }

    function qdrantEnv(): k8s.types.input.core.v1.EnvVar[] {
      return [secretEnv('QDRANT__SERVICE__API_KEY', 'api-key')];
    }

    function postgresProbes() {
      const ready = { exec: { command: ['pg_isready', '-h', '127.0.0.1', '-U', 'genai', '-d', 'genai'] } };
      return {
        startupProbe: { ...ready, periodSeconds: 5, failureThreshold: 60 },
        readinessProbe: { ...ready, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: { ...ready, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
      };
    }

    function qdrantProbes() {
      const get = (path: string) => ({ httpGet: { path, port: engine.portName } });
      return {
        startupProbe: { ...get('/livez'), periodSeconds: 5, failureThreshold: 60 },
        readinessProbe: { ...get('/readyz'), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
        livenessProbe: { ...get('/livez'), periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6 },
      };
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
                  ports: [{ protocol: 'TCP', port: engine.port }],
                },
              ],
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
