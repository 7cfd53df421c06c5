import { z } from 'zod';
import {
  AWS_REGION_PATTERN,
  ENVIRONMENT_NAME_PATTERN,
  PROJECT_NAME_PATTERN,
  PROJECT_NAME_RULE,
  suggestProjectName,
  validateProjectName,
} from './name.js';
import {
  dataClasses,
  embeddingProviders,
  modelProviders,
  throughputs,
  vectorStores,
  type Target,
} from '../vocabulary.js';
import {
  DEFAULT_BUDGET_USD_PER_MONTH,
  DEFAULT_CHUNK_OVERLAP,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_DAILY_ACTIVE_USERS,
  DEFAULT_DATA_CLASS,
  DEFAULT_EMBEDDINGS,
  DEFAULT_EVAL_DATASET,
  DEFAULT_LATENCY_P95_MS,
  DEFAULT_MAX_OUTPUT_TOKENS,
  DEFAULT_MAX_REGRESSION,
  DEFAULT_MODEL,
  DEFAULT_PEAK_FACTOR,
  DEFAULT_REGIONS,
  DEFAULT_REQUESTS_PER_USER_PER_DAY,
  DEFAULT_THROUGHPUT,
  DEFAULT_TOP_K,
  DEFAULT_VECTOR_STORE,
  DEFAULT_CI_SERVICE_ACCOUNT,
  DEFAULT_SECRETS_PROVIDER,
  DEFAULT_SERVING_GPUS,
  DEFAULT_SERVING_SCALE,
  DEFAULT_STATE_BACKEND,
  DEFAULT_STORAGE_SIZE,
  DEFAULT_VPC_CIDR,
} from './defaults.js';
import { costSection } from './sections/cost.js';
import { evalsSection } from './sections/evals.js';

/**
 * The schema of genai.yaml (docs/architecture.md §3). Every object is strict, so a typo is an error rather than a
 * silently ignored setting. Rules that need words are custom issues carrying `params.code` and
 * `params.fix`; load.ts turns every issue into a located, one-line problem.
 */

export { AWS_REGION_PATTERN, ENVIRONMENT_NAME_PATTERN } from './name.js';

/** The extra fields of a custom issue that load.ts reads. */
export interface ProblemParams {
  code: string;
  fix: string;
}

const problemParams = (code: string, fix: string): ProblemParams => ({ code, fix });

const projectName = z
  .string()
  .superRefine((name, ctx) => {
    const problem = validateProjectName(name);
    if (problem) {
      ctx.addIssue({
        code: 'custom',
        message: `the name ${JSON.stringify(name)} ${problem}`,
        params: problemParams('E_MANIFEST_NAME', `rename it, e.g. ${suggestProjectName(name)}`),
      });
    }
  })
  .meta({ pattern: PROJECT_NAME_PATTERN.source })
  .describe(`Service name: an npm package name and a DNS label (${PROJECT_NAME_RULE}).`);

const awsRegion = z
  .string()
  .superRefine((region, ctx) => {
    if (!AWS_REGION_PATTERN.test(region)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected an AWS region code like eu-west-1, found the string ${JSON.stringify(region)}`,
        params: problemParams('E_MANIFEST_REGION', 'write the region code, e.g. eu-west-1, us-east-1 or us-gov-west-1'),
      });
    }
  })
  .meta({ pattern: AWS_REGION_PATTERN.source });

const environmentName = z
  .string()
  .superRefine((name, ctx) => {
    if (!ENVIRONMENT_NAME_PATTERN.test(name)) {
      const suggestion = name
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-')
        .replace(/^[^a-z]+/, '')
        .slice(0, 31);
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(name)} is not a valid environment name: use a lower-case letter, then lower-case letters, digits or hyphens (at most 31 characters)`,
        params: problemParams(
          'E_MANIFEST_ENVIRONMENT_NAME',
          suggestion ? `rename it, e.g. ${suggestion}` : 'rename it, e.g. prod',
        ),
      });
    }
  })
  .meta({ pattern: ENVIRONMENT_NAME_PATTERN.source });

const monthlyBudget = z.number().positive().describe('Monthly budget in US dollars.');

export const constraintsSection = z
  .strictObject({
    budgetUsdPerMonth: z
      .number()
      .positive()
      .default(DEFAULT_BUDGET_USD_PER_MONTH)
      .describe('Monthly budget for the whole service in US dollars; cost estimates and promotions are gated on it.'),
    dailyActiveUsers: z
      .number()
      .int()
      .nonnegative()
      .default(DEFAULT_DAILY_ACTIVE_USERS)
      .describe('Expected daily active users.'),
    requestsPerUserPerDay: z
      .number()
      .nonnegative()
      .default(DEFAULT_REQUESTS_PER_USER_PER_DAY)
      .describe('Average requests per user per day.'),
    peakFactor: z
      .number()
      .min(1)
      .default(DEFAULT_PEAK_FACTOR)
      .describe('Peak traffic as a multiple of the average, for sizing.'),
    regions: z
      .array(awsRegion.describe('An AWS region code, e.g. eu-west-1.'))
      .min(1)
      .default(() => [...DEFAULT_REGIONS])
      .describe(
        'AWS regions the service and its data may live in (data residency); every cloud environment must stay inside.',
      ),
    latencyP95Ms: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_LATENCY_P95_MS)
      .describe('Latency objective: 95th percentile of a request, in milliseconds.'),
    dataClass: z
      .enum(dataClasses)
      .default(DEFAULT_DATA_CLASS)
      .describe('The most sensitive data the service handles: public, internal, pii or phi.'),
    costCentre: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('Cost centre tagged on every cloud resource (tag cost-centre); the service name when absent.'),
  })
  .describe(
    'Budget, load, data residency, latency objective and data class: checked by check, cost, up and promote. Each one left out takes its default, and genai check warns about it.',
  );

const scale = z
  .strictObject({
    min: z.number().int().nonnegative().describe('Fewest running instances.'),
    max: z.number().int().positive().describe('Most running instances.'),
  })
  .superRefine((value, ctx) => {
    if (value.min > value.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `scale.min (${value.min}) is greater than scale.max (${value.max})`,
        params: problemParams('E_MANIFEST_SCALE', `lower min to at most ${value.max}, or raise max`),
      });
    }
  })
  .describe('Autoscaling bounds.');

export const modelSection = z
  .strictObject({
    provider: z
      .enum(modelProviders)
      .describe(
        'Who serves the model: offline (deterministic, for dev and CI), openai-compatible, bedrock, sagemaker or vllm.',
      ),
    id: z.string().min(1).describe('Model id as the provider names it, e.g. meta.llama3-1-70b-instruct-v1:0.'),
    throughput: z
      .enum(throughputs)
      .default(DEFAULT_THROUGHPUT)
      .describe('Pay per token (on-demand) or reserved capacity (provisioned).'),
    baseUrl: z
      .url()
      .optional()
      .describe(
        'Endpoint of an OpenAI-compatible server, e.g. http://localhost:11434/v1; required for openai-compatible.',
      ),
    maxOutputTokens: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_MAX_OUTPUT_TOKENS)
      .describe('Upper bound on generated tokens per answer.'),
    serving: z
      .strictObject({
        image: z
          .string()
          .min(1)
          .describe('Container image of the model server, e.g. vllm/vllm-openai:v0.6.3 or a SageMaker DLC.'),
        modelData: z
          .string()
          .min(1)
          .optional()
          .describe(
            'Where the weights are: an s3:// URL (SageMaker) or a Hugging Face id the server downloads (vLLM).',
          ),
        instanceType: z.string().min(1).optional().describe('SageMaker instance type, e.g. ml.g5.2xlarge.'),
        gpus: z
          .number()
          .int()
          .nonnegative()
          .default(DEFAULT_SERVING_GPUS)
          .describe(`GPUs per model server. Default ${DEFAULT_SERVING_GPUS}.`),
        scale: scale
          .default({ ...DEFAULT_SERVING_SCALE })
          .describe(
            `Instances of the model server. Default min ${DEFAULT_SERVING_SCALE.min}, max ${DEFAULT_SERVING_SCALE.max}.`,
          ),
      })
      .optional()
      .describe(
        'A self-hosted model server (provider sagemaker or vllm) in a cloud environment: image, weights, GPUs, scale.',
      ),
    modelUnits: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Bedrock provisioned throughput: model units bought (throughput provisioned). Default 1.'),
  })
  .superRefine((model, ctx) => {
    if (model.provider === 'openai-compatible' && model.baseUrl === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message: 'the openai-compatible provider needs a baseUrl',
        params: problemParams('E_MANIFEST_BASE_URL', 'add baseUrl: the server URL, e.g. http://localhost:11434/v1'),
      });
    }
  })
  .describe('The generation model.');

export const embeddingsSection = z
  .strictObject({
    provider: z.enum(embeddingProviders).describe('Who computes embeddings: offline, openai-compatible or bedrock.'),
    id: z.string().min(1).describe('Embedding model id, e.g. amazon.titan-embed-text-v2:0.'),
    dimensions: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .describe('Length of an embedding vector; the vector store index is built for it.'),
    baseUrl: z.url().optional().describe('Endpoint of an OpenAI-compatible embeddings server.'),
  })
  .superRefine((embeddings, ctx) => {
    if (embeddings.provider === 'openai-compatible' && embeddings.baseUrl === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message: 'the openai-compatible provider needs a baseUrl',
        params: problemParams('E_MANIFEST_BASE_URL', 'add baseUrl: the server URL, e.g. http://localhost:11434/v1'),
      });
    }
  })
  .describe('The embedding model used for ingestion and retrieval.');

export const vectorStoreSection = z
  .strictObject({
    kind: z
      .enum(vectorStores)
      .default(DEFAULT_VECTOR_STORE)
      .describe('pgvector (PGlite locally, Aurora in AWS), opensearch, qdrant or s3vectors.'),
  })
  .describe('Where document chunks and their embeddings are stored.');

export const retrievalSection = z
  .strictObject({
    topK: z.number().int().min(1).max(50).default(DEFAULT_TOP_K).describe('Chunks retrieved per question.'),
    chunkSize: z.number().int().positive().default(DEFAULT_CHUNK_SIZE).describe('Chunk length in tokens.'),
    chunkOverlap: z
      .number()
      .int()
      .nonnegative()
      .default(DEFAULT_CHUNK_OVERLAP)
      .describe('Tokens shared by consecutive chunks; less than chunkSize.'),
  })
  .superRefine((retrieval, ctx) => {
    if (retrieval.chunkOverlap >= retrieval.chunkSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['chunkOverlap'],
        message: `chunkOverlap (${retrieval.chunkOverlap}) must be less than chunkSize (${retrieval.chunkSize})`,
        params: problemParams(
          'E_MANIFEST_CHUNK_OVERLAP',
          `lower chunkOverlap below ${retrieval.chunkSize}, e.g. ${Math.floor(retrieval.chunkSize / 8)}`,
        ),
      });
    }
  })
  .describe('How documents are chunked and how many chunks a question retrieves.');

export const promotionSection = z
  .strictObject({
    maxRegression: z
      .number()
      .min(0)
      .max(1)
      .default(DEFAULT_MAX_REGRESSION)
      .describe(
        'Largest drop of an eval score against the target environment baseline that a promotion tolerates (0..1).',
      ),
    approval: z
      .array(z.string())
      .optional()
      .describe('Environments whose promotions need a human approval; each must be defined under environments.'),
    order: z
      .array(z.string())
      .min(2)
      .optional()
      .describe(
        'The order releases move through the environments, e.g. [dev, staging, prod]; default: the order of environments. genai promote never goes backwards.',
      ),
  })
  .describe('The gates of genai promote.');

export const localEnvironment = z
  .strictObject({
    target: z
      .literal('local')
      .describe('Runs on this machine: PGlite, the offline or an OpenAI-compatible model, a supervised Node process.'),
    port: z.number().int().min(1024).max(65535).optional().describe('Port of the local service (1024..65535).'),
    budgetUsdPerMonth: monthlyBudget.optional(),
  })
  .describe('A local environment.');

export const awsEnvironment = z
  .strictObject({
    target: z.literal('aws').describe('Deployed to AWS with Pulumi.'),
    region: awsRegion.describe('AWS region of the environment; must be one of constraints.regions.'),
    scale: scale.optional(),
    budgetUsdPerMonth: monthlyBudget.optional(),
    certificateArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/)
      .optional()
      .describe('ACM certificate ARN for HTTPS on the load balancer; plain HTTP on port 80 when absent.'),
    ciRepository: z
      .string()
      .regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/)
      .optional()
      .describe('GitHub repository (owner/name) whose workflows may assume the CI deploy role through OIDC.'),
    vpcCidr: z
      .string()
      .regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-8])$/)
      .default(DEFAULT_VPC_CIDR)
      .describe(`IPv4 range of the VPC the stack creates, /16 to /28. Default ${DEFAULT_VPC_CIDR}.`),
  })
  .describe('An AWS environment.');

export const kubernetesEnvironment = z
  .strictObject({
    target: z.literal('kubernetes').describe('Deployed to a Kubernetes cluster with Pulumi.'),
    context: z.string().min(1).optional().describe('kubeconfig context; the current context when absent.'),
    namespace: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Namespace; SERVICE-ENV (e.g. cycle-assistant-prod) when absent, so environments sharing a cluster stay apart.',
      ),
    scale: scale.optional(),
    budgetUsdPerMonth: monthlyBudget.optional(),
    storageClass: z
      .string()
      .min(1)
      .optional()
      .describe("Storage class of the vector store's volume; the cluster default when absent."),
    storageSize: z
      .string()
      .regex(/^\d+(Mi|Gi|Ti)$/)
      .default(DEFAULT_STORAGE_SIZE)
      .describe(`Size of the vector store's volume, e.g. 50Gi. Default ${DEFAULT_STORAGE_SIZE}.`),
    host: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/)
      .optional()
      .describe('Ingress host of the service, e.g. assistant.example.com; cluster-internal when absent.'),
    ciServiceAccount: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
      .default(DEFAULT_CI_SERVICE_ACCOUNT)
      .describe(`The CI service account given deploy rights in the namespace. Default ${DEFAULT_CI_SERVICE_ACCOUNT}.`),
  })
  .describe('A Kubernetes environment.');

/** One entry per target of the vocabulary: adding a target to the list makes the compiler ask for its schema. */
const environmentByTarget = {
  local: localEnvironment,
  aws: awsEnvironment,
  kubernetes: kubernetesEnvironment,
} as const satisfies { [T in Target]: z.ZodObject<{ target: z.ZodLiteral<T> }> };

type EnvironmentEntrySchema = (typeof environmentByTarget)[Target];

export const environmentSchema = z
  .discriminatedUnion(
    'target',
    Object.values(environmentByTarget) as [EnvironmentEntrySchema, ...EnvironmentEntrySchema[]],
  )
  .describe('Where and how one environment runs: target local, aws or kubernetes.');

export const environmentsSection = z
  .record(environmentName, environmentSchema)
  .superRefine((environments, ctx) => {
    if (Object.keys(environments).length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'no environment is defined',
        params: problemParams('E_MANIFEST_NO_ENVIRONMENT', 'add one, e.g. local: { target: local }'),
      });
    }
  })
  .meta({ minProperties: 1 })
  .describe('The environments, by name (local, dev, staging, prod...).');

const stateBackend = z
  .string()
  .superRefine((url, ctx) => {
    if (!/^(file:\/\/.+|s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?)$/.test(url)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected a file://PATH or s3://BUCKET state backend, found ${JSON.stringify(url)}`,
        params: problemParams(
          'E_MANIFEST_STATE_BACKEND',
          `write e.g. ${DEFAULT_STATE_BACKEND} or s3://my-bucket/genai`,
        ),
      });
    }
  })
  .describe(
    `Where Pulumi keeps stack state: file://PATH (relative to genai.yaml) or s3://BUCKET[/prefix]. Default ${DEFAULT_STATE_BACKEND}.`,
  );

const secretsProvider = z
  .string()
  .superRefine((provider, ctx) => {
    if (provider !== 'passphrase' && !/^awskms:\/\/\S+$/.test(provider)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected passphrase or awskms://KEY, found ${JSON.stringify(provider)}`,
        params: problemParams(
          'E_MANIFEST_SECRETS_PROVIDER',
          'write passphrase, or awskms://alias/my-key?region=eu-west-1',
        ),
      });
    }
  })
  .describe(
    `How stack secrets are encrypted: passphrase (PULUMI_CONFIG_PASSPHRASE) or awskms://KEY. Default ${DEFAULT_SECRETS_PROVIDER}.`,
  );

export const stateSection = z
  .strictObject({ backend: stateBackend.optional(), secretsProvider: secretsProvider.optional() })
  .describe('Where the cloud environments keep their Pulumi state and how its secrets are encrypted.');

export const manifestSchema = z
  .strictObject({
    name: projectName,
    description: z.string().optional().describe('One sentence on what the service does.'),
    constraints: constraintsSection.prefault({}),
    model: modelSection.prefault(() => ({ ...DEFAULT_MODEL })),
    embeddings: embeddingsSection.prefault(() => ({ ...DEFAULT_EMBEDDINGS })),
    vectorStore: vectorStoreSection.prefault({}),
    retrieval: retrievalSection.prefault({}),
    evals: evalsSection.prefault(() => ({ dataset: DEFAULT_EVAL_DATASET })),
    cost: costSection.optional(),
    promotion: promotionSection.prefault({}),
    environments: environmentsSection,
    state: stateSection.optional(),
  })
  // Runs even when other fields have problems, so that `genai check` lists every problem at once.
  .superRefine(checkApprovals, { when: () => true })
  .describe('genai.yaml: the service, its constraints and its environments.');

/** Every environment named under promotion.approval must exist. Defensive: the value may be malformed. */
function checkApprovals(manifest: unknown, ctx: z.RefinementCtx): void {
  const { promotion, environments } = (manifest ?? {}) as { promotion?: unknown; environments?: unknown };
  if (typeof environments !== 'object' || environments === null) return;
  const defined = Object.keys(environments);
  for (const key of ['approval', 'order'] as const) {
    const names = (promotion as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(names)) continue;
    names.forEach((name, index) => {
      if (typeof name !== 'string') return;
      const unknown = !defined.includes(name);
      if (!unknown && names.indexOf(name) === index) return;
      ctx.addIssue({
        code: 'custom',
        path: ['promotion', key, index],
        message: `${key} names the environment ${JSON.stringify(name)}, ${unknown ? 'which is not defined under environments' : 'which it already lists'}`,
        params: problemParams(
          key === 'approval' ? 'E_MANIFEST_APPROVAL' : 'E_MANIFEST_ORDER',
          !unknown
            ? `list ${name} once`
            : defined.length
              ? `use one of ${defined.join(', ')}, or add ${name} under environments`
              : `add ${name} under environments`,
        ),
      });
    });
  }
}

export type Manifest = z.infer<typeof manifestSchema>;
/** What a user may write: fields with defaults are optional. */
export type ManifestInput = z.input<typeof manifestSchema>;
export type Environment = Manifest['environments'][string];
export type LocalEnvironment = z.infer<typeof localEnvironment>;
export type AwsEnvironment = z.infer<typeof awsEnvironment>;
export type KubernetesEnvironment = z.infer<typeof kubernetesEnvironment>;
