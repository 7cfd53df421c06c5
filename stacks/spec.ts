/**
 * What a cloud stack is told about one environment. The driver derives it from genai.yaml
 * (src/environments/cloud/spec.ts); the stacks never read genai.yaml themselves, so the same programs
 * serve every project and this file is the whole contract between the CLI and the infrastructure code.
 * Plain JSON: it travels as stack configuration (`genai:spec`).
 */

export type DataClass = 'public' | 'internal' | 'pii' | 'phi';

export interface StackSpecBase {
  /** Service name from genai.yaml: a DNS label, used in every resource name. */
  project: string;
  /** Environment name, e.g. prod. */
  env: string;
  /**
   * The last environment of the promotion order, where users are: deletion protection, final snapshots,
   * two or more instances.
   */
  production: boolean;
  /** Put on every taggable resource (AWS tags, Kubernetes labels): service, environment, cost-centre. */
  tags: Record<string, string>;
  constraints: {
    /** Regions the environment's resources may live in (data residency). */
    regions: string[];
    dataClass: DataClass;
    budgetUsdPerMonth: number;
    latencyP95Ms: number;
  };
  /** The release to run: its id, reported by the service's /healthz, and its image (`repo@sha256:…`). */
  release: { id: string; image: string };
  /** Instances of the service. */
  scale: { min: number; max: number };
  model: {
    provider: 'offline' | 'openai-compatible' | 'bedrock' | 'sagemaker' | 'vllm';
    id: string;
    throughput: 'on-demand' | 'provisioned';
    maxOutputTokens: number;
    /** Base URL of an external OpenAI-compatible server (provider openai-compatible). */
    baseUrl?: string;
    /** Self-hosted model servers (sagemaker, vllm): where the weights and the server image come from. */
    serving?: ModelServing;
    /** Bedrock provisioned throughput: model units bought. */
    modelUnits?: number;
  };
  embeddings: { provider: 'offline' | 'openai-compatible' | 'bedrock'; id: string; dimensions: number };
  vectorStore: { kind: 'pgvector' | 'opensearch' | 'qdrant' | 's3vectors' };
  retrieval: { topK: number };
  /** Alarm thresholds: the eval thresholds where genai.yaml has them, else the constraints. */
  alarms: {
    latencyP95Ms: number;
    /** Share of requests answered 5xx over 5 minutes, 0..1. */
    errorRate: number;
    /** Lowest acceptable online judge score, 0..1. */
    judgeScore: number;
    /** Spend per hour that means the month's budget will be exceeded. */
    costUsdPerHour: number;
  };
  /** Days logs, traces and invocation logs are kept; bounded by the data class. */
  logRetentionDays: number;
}

export interface ModelServing {
  /** Container image of the model server, e.g. vllm/vllm-openai:v0.6.3 or a SageMaker DLC. */
  image: string;
  /** Where the weights are: an s3:// URL (SageMaker), or a Hugging Face id the server downloads (vLLM). */
  modelData?: string;
  /** SageMaker instance type, e.g. ml.g5.2xlarge. */
  instanceType?: string;
  /** GPUs per model server. */
  gpus: number;
  /** Instances of the model server. */
  scale: { min: number; max: number };
}

export interface AwsStackSpec extends StackSpecBase {
  target: 'aws';
  region: string;
  /** ACM certificate for HTTPS on the load balancer; plain HTTP on port 80 when absent. */
  certificateArn?: string;
  /** GitHub repository (owner/name) whose workflows may assume the CI deploy role through OIDC. */
  ciRepository?: string;
  /** CIDR of the VPC the stack creates. */
  vpcCidr: string;
  /**
   * Create the account's GitHub OIDC provider in this stack (there is one per account); when false or
   * absent the deploy role trusts the provider that exists.
   */
  ciCreateOidcProvider?: boolean;
  /**
   * Turn on Bedrock model invocation logging from this stack (one configuration per account and region:
   * leave it on in one stack of each); on when absent.
   */
  bedrockInvocationLogging?: boolean;
  /** E-mail addresses subscribed to the environment's alarm and budget topic. */
  alertEmails?: string[];
}

export interface KubernetesStackSpec extends StackSpecBase {
  target: 'kubernetes';
  namespace: string;
  /** kubeconfig context; the current one when absent. */
  context?: string;
  /** Storage class of the vector store's volume; the cluster default when absent. */
  storageClass?: string;
  /** Size of the vector store's volume, e.g. 20Gi. */
  storageSize: string;
  /** Ingress host of the service; the Service is cluster-internal when absent. */
  host?: string;
  /** The CI identity given deploy rights in the namespace. */
  ciServiceAccount: string;
  /** Base URL of the cluster's Grafana; `dashboardUrl` is the path /d/UID on it when absent. */
  grafanaUrl?: string;
}

export type StackSpec = AwsStackSpec | KubernetesStackSpec;

/** What every stack exports; the CLI records it as the environment's outputs. */
export interface StackOutputs {
  url: string;
  vectorStoreUrl: string;
  modelEndpoint: string;
  dashboardUrl: string;
  release: string;
}
