import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { DataClass, ModelServing } from '../spec.js';
import { transform, type Transform } from '../transform.js';
import {
  componentPrefix,
  ecrRepositoryArn,
  encryptionKey,
  identity,
  physicalName,
  policyDocument,
  serviceTrust,
  type PolicyStatement,
  type Tags,
} from './common.js';

/** Model providers the AWS target serves; vLLM runs on the kubernetes target. */
export const awsModelProviders = ['bedrock', 'sagemaker', 'openai-compatible', 'offline'] as const;

/** Cross-region (system) inference profile ids start with a geography: eu.anthropic…, us.meta…, global.… */
const systemProfilePrefix = /^(us|eu|apac|us-gov|ca|jp|au|global)\./;

/** Content filter categories of the guardrail (Bedrock's names). */
export const contentFilterTypes = ['SEXUAL', 'VIOLENCE', 'HATE', 'INSULTS', 'MISCONDUCT'] as const;

export interface ModelEndpointArgs {
  /**
   * Who serves the model: Bedrock, a SageMaker real-time endpoint, an external OpenAI-compatible server,
   * or the offline provider (no resources).
   * @default spec.model.provider
   * @example "bedrock"
   */
  provider: string;
  /**
   * The model: a Bedrock model id or system inference profile id; for SageMaker, a name for the model.
   * @default spec.model.id
   * @example "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
   */
  modelId: string;
  /**
   * Embedding model id the service may invoke on Bedrock, when embeddings come from Bedrock.
   * @default spec.embeddings.id when spec.embeddings.provider is bedrock
   * @example "amazon.titan-embed-text-v2:0"
   */
  embeddingModelId?: string;
  /**
   * Pay per token, or buy model units (Bedrock provisioned throughput).
   * @default "on-demand"
   * @example "provisioned"
   */
  throughput?: 'on-demand' | 'provisioned';
  /**
   * Bedrock model units bought with provisioned throughput.
   * @default 1
   * @example 2
   */
  modelUnits?: number;
  /**
   * Self-hosted model server (SageMaker): image, weights, instance type and count.
   * @default spec.model.serving
   * @example { image: "763104351884.dkr.ecr.eu-west-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124", modelData: "s3://models/llama/", instanceType: "ml.g5.2xlarge", gpus: 1, scale: { min: 1, max: 2 } }
   */
  serving?: ModelServing;
  /**
   * Base URL of an external OpenAI-compatible server (provider openai-compatible).
   * @default spec.model.baseUrl
   * @example "https://models.internal.example.com/v1"
   */
  baseUrl?: string;
  /**
   * The data class: pii and phi get the strictest content filters, PII anonymised or blocked and
   * contextual grounding checks.
   * @default spec.constraints.dataClass
   * @example "phi"
   */
  dataClass: DataClass;
  /**
   * Regions a cross-region inference profile may route to (IAM scopes the foundation model to them).
   * @default spec.constraints.regions
   * @example ["eu-west-1", "eu-central-1"]
   */
  regions: string[];
  /**
   * Name of the endpoint's resources, a DNS label.
   * @default `${spec.project}-${spec.env}`
   * @example "cycle-assistant-prod"
   */
  endpointName: string;
  /**
   * Record every Bedrock invocation (prompt and answer) in a KMS-encrypted log group. Bedrock keeps one
   * logging configuration per account and region: turn it off in all but one stack that share them.
   * @default true
   * @example false
   */
  invocationLogging?: boolean;
  /**
   * Days invocation logs are kept.
   * @default spec.logRetentionDays
   * @example 30
   */
  logRetentionDays: number;
  /**
   * VPC subnets and security group of a SageMaker endpoint's instances.
   * @default the Network's private subnets and the service security group
   * @example { subnetIds: [...], securityGroupIds: [...] }
   */
  vpc?: { subnetIds: pulumi.Input<string>[]; securityGroupIds: pulumi.Input<string>[] };
  /** Longer key deletion windows in production. @default spec.production @example true */
  production: boolean;
  /**
   * Tags on every resource.
   * @default spec.tags
   * @example { service: "cycle-assistant", environment: "prod" }
   */
  tags: Tags;
  /**
   * Changes to the arguments of each child resource.
   * @default {}
   * @example { guardrail: { blockedInputMessaging: "Sorry, I can't help with that." } }
   */
  transform?: {
    key?: Transform<aws.kms.KeyArgs>;
    inferenceProfile?: Transform<aws.bedrock.InferenceProfileArgs>;
    provisionedThroughput?: Transform<aws.bedrock.ProvisionedModelThroughputArgs>;
    guardrail?: Transform<aws.bedrock.GuardrailArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    loggingRole?: Transform<aws.iam.RoleArgs>;
    invocationLogging?: Transform<aws.bedrockmodel.InvocationLoggingConfigurationArgs>;
    sagemakerRole?: Transform<aws.iam.RoleArgs>;
    sagemakerModel?: Transform<aws.sagemaker.ModelArgs>;
    endpointConfiguration?: Transform<aws.sagemaker.EndpointConfigurationArgs>;
    endpoint?: Transform<aws.sagemaker.EndpointArgs>;
    scalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
    scalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
  };
}

/**
 * The model the service calls. Bedrock on demand: an application inference profile (its tags allocate
 * the cost), a guardrail, invocation logs in an encrypted log group, and IAM statements scoped to the
 * exact model and profile ARNs. Bedrock provisioned throughput buys model units instead. SageMaker:
 * model, endpoint configuration and real-time endpoint in private subnets, with autoscaling.
 */
export class ModelEndpoint extends pulumi.ComponentResource {
  /** Where the model is called: a Bedrock runtime URL with the model ARN, a SageMaker invocation URL, a base URL. */
  readonly url: pulumi.Output<string>;
  /** What the service's task role needs to call the model (and apply the guardrail). */
  readonly statements: pulumi.Output<PolicyStatement[]>;
  /** Environment variables that tell the service which model, profile and guardrail to use. */
  readonly environment: pulumi.Output<{ name: string; value: string }[]>;
  readonly key: aws.kms.Key | undefined;
  readonly inferenceProfile: aws.bedrock.InferenceProfile | undefined;
  readonly provisionedThroughput: aws.bedrock.ProvisionedModelThroughput | undefined;
  readonly guardrail: aws.bedrock.Guardrail | undefined;
  readonly guardrailVersion: aws.bedrock.GuardrailVersion | undefined;
  readonly logGroup: aws.cloudwatch.LogGroup | undefined;
  readonly endpoint: aws.sagemaker.Endpoint | undefined;

  constructor(name: string, args: ModelEndpointArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(`${componentPrefix}:ModelEndpoint`, name, {}, opts);
    checkModel(args);
    // The children's inner functions below take the component as their parent (SST's pattern).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const parent = this;
    const t = args.transform ?? {};
    const { tags, production } = args;
    const strict = args.dataClass === 'pii' || args.dataClass === 'phi';
    const id = identity(parent);
    const foundationModelArn = (modelId: string, region: pulumi.Input<string> = id.region) =>
      pulumi.interpolate`arn:${id.partition}:bedrock:${region}::foundation-model/${modelId}`;
    const embeddingStatements: PolicyStatement[] = args.embeddingModelId
      ? [
          {
            Sid: 'InvokeEmbeddingModel',
            Effect: 'Allow',
            Action: ['bedrock:InvokeModel'],
            Resource: [foundationModelArn(args.embeddingModelId)],
          },
        ]
      : [];

    if (args.provider === 'bedrock') {
      const key = encryptionKey({
        parent,
        name: `${name}-key`,
        description: `${args.endpointName} guardrail and invocation logs`,
        tags,
        production,
        services: [pulumi.interpolate`logs.${id.region}.amazonaws.com`],
        transform: t.key,
      });
      const guardrail = createGuardrail(key);
      const guardrailVersion = new aws.bedrock.GuardrailVersion(
        `${name}-guardrail`,
        { guardrailArn: guardrail.guardrailArn, description: 'Pinned by the stack', skipDestroy: true },
        { parent },
      );
      if (args.invocationLogging ?? true) this.logGroup = createInvocationLogging(key);
      this.key = key;
      this.guardrail = guardrail;
      this.guardrailVersion = guardrailVersion;

      let invokeArn: pulumi.Output<string>;
      let invokeResources: pulumi.Input<string>[];
      if ((args.throughput ?? 'on-demand') === 'provisioned') {
        const throughput = createProvisionedThroughput();
        this.provisionedThroughput = throughput;
        invokeArn = throughput.provisionedModelArn;
        invokeResources = [throughput.provisionedModelArn];
      } else {
        const systemProfile = systemProfilePrefix.test(args.modelId);
        const baseModelId = args.modelId.replace(systemProfilePrefix, '');
        const source = systemProfile
          ? pulumi.interpolate`arn:${id.partition}:bedrock:${id.region}:${id.accountId}:inference-profile/${args.modelId}`
          : foundationModelArn(args.modelId);
        const profile = createInferenceProfile(source);
        this.inferenceProfile = profile;
        invokeArn = profile.arn;
        // Invoking through a profile needs the profile and what it routes to: the system profile and the
        // foundation model in each allowed region, or the foundation model here.
        invokeResources = systemProfile
          ? [profile.arn, source, ...args.regions.map((region) => foundationModelArn(baseModelId, region))]
          : [profile.arn, source];
      }
      this.url = pulumi.interpolate`https://bedrock-runtime.${id.region}.amazonaws.com/model/${invokeArn.apply(encodeURIComponent)}`;
      this.statements = pulumi.output<PolicyStatement[]>([
        {
          Sid: 'InvokeModel',
          Effect: 'Allow',
          Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          Resource: invokeResources,
        },
        ...embeddingStatements,
        {
          Sid: 'ApplyGuardrail',
          Effect: 'Allow',
          Action: ['bedrock:ApplyGuardrail'],
          Resource: [guardrail.guardrailArn],
        },
        { Sid: 'GuardrailKey', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [key.arn] },
      ]);
      this.environment = pulumi
        .all([invokeArn, guardrail.guardrailId, guardrailVersion.version])
        .apply(([model, guardrailId, version]) => [
          { name: 'GENAI_MODEL_PROVIDER', value: 'bedrock' },
          { name: 'GENAI_CHAT_MODEL', value: model },
          { name: 'GENAI_GUARDRAIL_ID', value: guardrailId ?? '' },
          { name: 'GENAI_GUARDRAIL_VERSION', value: version ?? '' },
        ]);
    } else if (args.provider === 'sagemaker') {
      const serving = args.serving!;
      const endpointName = physicalName([args.endpointName, 'model'], 63);
      const role = createSagemakerRole(serving);
      const model = createSagemakerModel(serving, role);
      const endpoint = createEndpoint(endpointName, serving, model);
      createAutoscaling(endpoint, serving);
      this.endpoint = endpoint;
      this.url = pulumi.interpolate`https://runtime.sagemaker.${id.region}.amazonaws.com/endpoints/${endpoint.name}/invocations`;
      this.statements = pulumi.output<PolicyStatement[]>([
        {
          Sid: 'InvokeEndpoint',
          Effect: 'Allow',
          Action: ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointWithResponseStream'],
          Resource: [endpoint.arn],
        },
        ...embeddingStatements,
      ]);
      this.environment = endpoint.name.apply((endpointId) => [
        { name: 'GENAI_MODEL_PROVIDER', value: 'sagemaker' },
        { name: 'GENAI_CHAT_MODEL', value: endpointId },
      ]);
    } else {
      const url = args.provider === 'offline' ? 'offline' : (args.baseUrl ?? '');
      this.url = pulumi.output(url);
      this.statements = pulumi.output(embeddingStatements);
      this.environment = pulumi.output([
        { name: 'GENAI_MODEL_PROVIDER', value: args.provider },
        { name: 'GENAI_CHAT_MODEL', value: args.modelId },
        ...(args.baseUrl ? [{ name: 'OPENAI_BASE_URL', value: args.baseUrl }] : []),
      ]);
    }
    this.registerOutputs({ url: this.url });

    function createGuardrail(key: aws.kms.Key) {
      const strength = strict ? 'HIGH' : 'MEDIUM';
      const blocked = ['AWS_ACCESS_KEY', 'AWS_SECRET_KEY', 'PASSWORD', 'CREDIT_DEBIT_CARD_NUMBER', 'PIN'];
      const anonymised = strict
        ? ['NAME', 'EMAIL', 'PHONE', 'ADDRESS', 'AGE', 'US_SOCIAL_SECURITY_NUMBER', 'IP_ADDRESS', 'LICENSE_PLATE']
        : [];
      return new aws.bedrock.Guardrail(
        ...transform(
          t.guardrail,
          `${name}-guardrail`,
          {
            name: physicalName([args.endpointName], 50),
            description: `${args.endpointName}: content filters and ${strict ? 'strict ' : ''}sensitive-information handling (${args.dataClass} data)`,
            blockedInputMessaging: 'This request cannot be answered.',
            blockedOutputsMessaging: 'The answer was withheld by the content policy.',
            kmsKeyArn: key.arn,
            contentPolicyConfig: {
              filtersConfigs: [
                ...contentFilterTypes.map((type) => ({ type, inputStrength: strength, outputStrength: strength })),
                // Prompt attacks are judged on input only; Bedrock requires NONE on output.
                { type: 'PROMPT_ATTACK', inputStrength: strength, outputStrength: 'NONE' },
              ],
            },
            sensitiveInformationPolicyConfig: {
              piiEntitiesConfigs: [
                ...blocked.map((type) => ({ type, action: 'BLOCK' })),
                ...anonymised.map((type) => ({ type, action: 'ANONYMIZE' })),
              ],
            },
            ...(strict
              ? {
                  contextualGroundingPolicyConfig: {
                    filtersConfigs: [
                      { type: 'GROUNDING', threshold: 0.75 },
                      { type: 'RELEVANCE', threshold: 0.5 },
                    ],
                  },
                }
              : {}),
            tags,
          },
          { parent },
        ),
      );
    }

    function createInvocationLogging(key: aws.kms.Key) {
      const logGroup = new aws.cloudwatch.LogGroup(
        ...transform(
          t.logGroup,
          `${name}-invocations`,
          {
            name: `/genai/${args.endpointName}/bedrock-invocations`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: key.arn,
            tags,
          },
          { parent },
        ),
      );
      const role = new aws.iam.Role(
        ...transform(
          t.loggingRole,
          `${name}-logging`,
          {
            description: 'Bedrock writes invocation logs',
            assumeRolePolicy: serviceTrust('bedrock.amazonaws.com', id.accountId),
            tags,
          },
          { parent },
        ),
      );
      new aws.iam.RolePolicy(
        `${name}-logging`,
        {
          role: role.id,
          policy: policyDocument([
            {
              Sid: 'WriteInvocationLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: [pulumi.interpolate`${logGroup.arn}:log-stream:*`],
            },
          ]),
        },
        { parent },
      );
      new aws.bedrockmodel.InvocationLoggingConfiguration(
        ...transform(
          t.invocationLogging,
          `${name}-invocation-logging`,
          {
            loggingConfig: {
              cloudwatchConfig: { logGroupName: logGroup.name, roleArn: role.arn },
              textDataDeliveryEnabled: true,
              embeddingDataDeliveryEnabled: false,
              imageDataDeliveryEnabled: false,
              videoDataDeliveryEnabled: false,
            },
          },
          { parent },
        ),
      );
      return logGroup;
    }

    function createInferenceProfile(source: pulumi.Input<string>) {
      return new aws.bedrock.InferenceProfile(
        ...transform(
          t.inferenceProfile,
          `${name}-profile`,
          {
            name: physicalName([args.endpointName], 64),
            description: `${args.endpointName}: cost allocation of ${args.modelId}`,
            modelSource: { copyFrom: source },
            tags,
          },
          { parent },
        ),
      );
    }

    function createProvisionedThroughput() {
      return new aws.bedrock.ProvisionedModelThroughput(
        ...transform(
          t.provisionedThroughput,
          `${name}-throughput`,
          {
            provisionedModelName: physicalName([args.endpointName], 63),
            modelArn: foundationModelArn(args.modelId),
            modelUnits: args.modelUnits ?? 1,
            tags,
          },
          { parent },
        ),
      );
    }

    function createSagemakerRole(serving: ModelServing) {
      const role = new aws.iam.Role(
        ...transform(
          t.sagemakerRole,
          `${name}-sagemaker`,
          {
            description: 'SageMaker reads the model weights and pulls the server image',
            assumeRolePolicy: serviceTrust('sagemaker.amazonaws.com', id.accountId),
            tags,
          },
          { parent },
        ),
      );
      const statements: pulumi.Input<PolicyStatement>[] = [
        // ECR issues registry tokens for the account only; the action takes no resource.
        { Sid: 'RegistryToken', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
        {
          Sid: 'PullServerImage',
          Effect: 'Allow',
          Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Resource: [repositoryArn(serving.image)],
        },
        {
          Sid: 'WriteLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [
            pulumi.interpolate`arn:${id.partition}:logs:${id.region}:${id.accountId}:log-group:/aws/sagemaker/Endpoints/*`,
          ],
        },
        // Instances in the VPC: SageMaker manages their network interfaces, which EC2 cannot scope.
        {
          Sid: 'VpcInterfaces',
          Effect: 'Allow',
          Action: [
            'ec2:CreateNetworkInterface',
            'ec2:CreateNetworkInterfacePermission',
            'ec2:DeleteNetworkInterface',
            'ec2:DeleteNetworkInterfacePermission',
            'ec2:DescribeDhcpOptions',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVpcs',
          ],
          Resource: '*',
        },
      ];
      const weights = s3Location(serving.modelData);
      if (weights) {
        statements.push(
          {
            Sid: 'ReadWeights',
            Effect: 'Allow',
            Action: ['s3:GetObject'],
            Resource: [pulumi.interpolate`arn:${id.partition}:s3:::${weights.bucket}/${weights.prefix}*`],
          },
          {
            Sid: 'ListWeights',
            Effect: 'Allow',
            Action: ['s3:ListBucket'],
            Resource: [pulumi.interpolate`arn:${id.partition}:s3:::${weights.bucket}`],
          },
        );
      }
      new aws.iam.RolePolicy(`${name}-sagemaker`, { role: role.id, policy: policyDocument(statements) }, { parent });
      return role;
    }

    function createSagemakerModel(serving: ModelServing, role: aws.iam.Role) {
      return new aws.sagemaker.Model(
        ...transform(
          t.sagemakerModel,
          `${name}-model`,
          {
            executionRoleArn: role.arn,
            primaryContainer: {
              image: serving.image,
              ...(serving.modelData ? { modelDataUrl: serving.modelData } : {}),
              environment: { SM_NUM_GPUS: String(serving.gpus), MODEL_ID: args.modelId },
            },
            ...(args.vpc
              ? { vpcConfig: { subnets: args.vpc.subnetIds, securityGroupIds: args.vpc.securityGroupIds } }
              : {}),
            tags,
          },
          { parent },
        ),
      );
    }

    function createEndpoint(endpointName: string, serving: ModelServing, model: aws.sagemaker.Model) {
      const key = encryptionKey({
        parent,
        name: `${name}-key`,
        description: `${args.endpointName} model endpoint volumes`,
        tags,
        production,
        transform: t.key,
      });
      const configuration = new aws.sagemaker.EndpointConfiguration(
        ...transform(
          t.endpointConfiguration,
          `${name}-config`,
          {
            kmsKeyArn: key.arn,
            productionVariants: [
              {
                variantName: 'primary',
                modelName: model.name,
                instanceType: serving.instanceType!,
                initialInstanceCount: serving.scale.min,
                containerStartupHealthCheckTimeoutInSeconds: 900,
              },
            ],
            tags,
          },
          { parent },
        ),
      );
      return new aws.sagemaker.Endpoint(
        ...transform(
          t.endpoint,
          `${name}-endpoint`,
          { name: endpointName, endpointConfigName: configuration.name, tags },
          { parent },
        ),
      );
    }

    function createAutoscaling(endpoint: aws.sagemaker.Endpoint, serving: ModelServing) {
      const target = new aws.appautoscaling.Target(
        ...transform(
          t.scalingTarget,
          `${name}-scaling`,
          {
            serviceNamespace: 'sagemaker',
            resourceId: pulumi.interpolate`endpoint/${endpoint.name}/variant/primary`,
            scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
            minCapacity: serving.scale.min,
            maxCapacity: serving.scale.max,
            tags,
          },
          { parent },
        ),
      );
      new aws.appautoscaling.Policy(
        ...transform(
          t.scalingPolicy,
          `${name}-invocations`,
          {
            policyType: 'TargetTrackingScaling',
            serviceNamespace: target.serviceNamespace,
            resourceId: target.resourceId,
            scalableDimension: target.scalableDimension,
            targetTrackingScalingPolicyConfiguration: {
              predefinedMetricSpecification: { predefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
              targetValue: 20,
              scaleInCooldown: 600,
              scaleOutCooldown: 120,
            },
          },
          { parent },
        ),
      );
    }

    function repositoryArn(image: string): pulumi.Output<string> {
      // checkModel has made sure the image is in ECR.
      return ecrRepositoryArn(image, id.partition)!;
    }
  }

  /** The underlying resources of the chosen provider. */
  get nodes() {
    return {
      key: this.key,
      inferenceProfile: this.inferenceProfile,
      provisionedThroughput: this.provisionedThroughput,
      guardrail: this.guardrail,
      guardrailVersion: this.guardrailVersion,
      logGroup: this.logGroup,
      endpoint: this.endpoint,
    };
  }
}

function s3Location(url: string | undefined): { bucket: string; prefix: string } | undefined {
  const match = url ? /^s3:\/\/([^/]+)\/?(.*)$/.exec(url) : null;
  return match ? { bucket: match[1]!, prefix: match[2] ?? '' } : undefined;
}

/** Throws a one-line error with a fix when the AWS target cannot serve the model as specified. */
export function checkModel(args: Pick<ModelEndpointArgs, 'provider' | 'serving' | 'modelId'>): void {
  if (!(awsModelProviders as readonly string[]).includes(args.provider)) {
    const hint =
      args.provider === 'vllm' ? ' (vllm runs on the kubernetes target; sagemaker serves an open model on aws)' : '';
    throw new Error(
      `model.provider ${args.provider} is not served on the aws target; fix: choose ${awsModelProviders.join(', ')}${hint}`,
    );
  }
  if (args.provider === 'sagemaker' && !args.serving?.instanceType) {
    throw new Error(
      'model.serving.instanceType is missing for provider sagemaker; fix: set model.serving (image, modelData, instanceType, scale) in genai.yaml',
    );
  }
  if (args.provider === 'sagemaker' && !/^\d{12}\.dkr\.ecr\./.test(args.serving!.image)) {
    throw new Error(
      `model.serving.image "${args.serving!.image}" is not an ECR image; fix: SageMaker pulls from ECR only: push the server image to ECR and name it ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG`,
    );
  }
}
