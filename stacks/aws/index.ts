/**
 * The AWS target's Pulumi program (docs/architecture.md §4): one environment's network, vector store,
 * model endpoint, monitoring, service and CI access, sized from the `AwsStackSpec` the driver derives
 * from genai.yaml. The driver runs `program(spec, transforms)` as an Automation API inline program, once
 * per environment stack; `transforms` come from the project's optional `infra/transforms.ts`.
 */
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AwsStackSpec, StackOutputs } from '../spec.js';
import { Access, checkRepository, type AccessArgs } from './access.js';
import { componentPrefix } from './common.js';
import { checkModel, ModelEndpoint, type ModelEndpointArgs } from './model-endpoint.js';
import { Monitoring, otlpHttpPort, type MonitoringArgs } from './monitoring.js';
import { Network, type NetworkArgs } from './network.js';
import { Service, type ServiceArgs } from './service.js';
import { checkVectorStoreKind, VectorStore, type VectorStoreArgs } from './vector-store.js';

export { Access, type AccessArgs } from './access.js';
export { ModelEndpoint, type ModelEndpointArgs } from './model-endpoint.js';
export { Monitoring, metricNames, pipelineSteps, type MonitoringArgs } from './monitoring.js';
export { Network, type NetworkArgs } from './network.js';
export { Service, type ServiceArgs } from './service.js';
export { VectorStore, awsVectorStoreKinds, type VectorStoreArgs } from './vector-store.js';
export type { PolicyStatement } from './common.js';

/** A project's changes to the stack's children: one component's `transform` object per entry. */
export interface AwsTransforms {
  network?: NetworkArgs['transform'];
  vectorStore?: VectorStoreArgs['transform'];
  modelEndpoint?: ModelEndpointArgs['transform'];
  monitoring?: MonitoringArgs['transform'];
  service?: ServiceArgs['transform'];
  access?: AccessArgs['transform'];
}

/** What the stack exports: the CLI's outputs, plus the image repository and the CI deploy role. */
export type AwsStackOutputs = { [K in keyof StackOutputs]: pulumi.Output<string> } & {
  repositoryUrl: pulumi.Output<string>;
  deployRoleArn: pulumi.Output<string>;
};

/** The environment of one stack: the component that holds the AWS provider every resource is created with. */
class Environment extends pulumi.ComponentResource {
  constructor(name: string, provider: aws.Provider) {
    super(`${componentPrefix}:Environment`, name, {}, { providers: { aws: provider } });
  }
}

/** Builds one environment on AWS. Throws a one-line error with a fix for a spec the target cannot serve. */
export function program(spec: AwsStackSpec, transforms: AwsTransforms = {}): AwsStackOutputs {
  checkSpec(spec);
  const base = `${spec.project}-${spec.env}`;
  const tags = spec.tags;
  const strict = spec.constraints.dataClass === 'pii' || spec.constraints.dataClass === 'phi';
  const provider = new aws.Provider(`${base}-aws`, { region: spec.region });
  const environment = new Environment(base, provider);
  const opts = { parent: environment };

  const network = new Network(
    `${base}-network`,
    {
      cidr: spec.vpcCidr,
      publicLoadBalancer: !strict,
      production: spec.production,
      tags,
      ...withTransform(transforms.network),
    },
    opts,
  );
  const privateSubnetIds = network.privateSubnets.map((subnet) => subnet.id);

  const vectorStore = new VectorStore(
    `${base}-vectors`,
    {
      kind: spec.vectorStore.kind,
      storeName: base,
      vpcId: network.vpc.id,
      subnetIds: privateSubnetIds,
      clientSecurityGroupId: network.serviceSecurityGroup.id,
      dimensions: spec.embeddings.dimensions,
      production: spec.production,
      tags,
      ...withTransform(transforms.vectorStore),
    },
    opts,
  );

  const model = new ModelEndpoint(
    `${base}-model`,
    {
      provider: spec.model.provider,
      modelId: spec.model.id,
      ...(spec.embeddings.provider === 'bedrock' ? { embeddingModelId: spec.embeddings.id } : {}),
      throughput: spec.model.throughput,
      ...(spec.model.modelUnits !== undefined ? { modelUnits: spec.model.modelUnits } : {}),
      ...(spec.model.serving ? { serving: spec.model.serving } : {}),
      ...(spec.model.baseUrl ? { baseUrl: spec.model.baseUrl } : {}),
      dataClass: spec.constraints.dataClass,
      regions: spec.constraints.regions,
      endpointName: base,
      invocationLogging: spec.bedrockInvocationLogging ?? true,
      logRetentionDays: spec.logRetentionDays,
      vpc: { subnetIds: privateSubnetIds, securityGroupIds: [network.serviceSecurityGroup.id] },
      production: spec.production,
      tags,
      ...withTransform(transforms.modelEndpoint),
    },
    opts,
  );

  const monitoring = new Monitoring(
    `${base}-monitoring`,
    {
      service: spec.project,
      environment: spec.env,
      alarms: spec.alarms,
      budgetUsdPerMonth: spec.constraints.budgetUsdPerMonth,
      budgetTag: { key: tagKeyOf(spec, spec.env, 'environment'), value: spec.env },
      logRetentionDays: spec.logRetentionDays,
      ...(spec.alertEmails ? { alertEmails: spec.alertEmails } : {}),
      production: spec.production,
      tags,
      ...withTransform(transforms.monitoring),
    },
    opts,
  );

  const serviceEnvironment = pulumi
    .all([vectorStore.url, model.environment])
    .apply(([vectorStoreUrl, modelEnvironment]) => [
      { name: 'GENAI_ENV', value: spec.env },
      { name: 'AWS_REGION', value: spec.region },
      { name: 'GENAI_TOP_K', value: String(spec.retrieval.topK) },
      { name: 'GENAI_MAX_OUTPUT_TOKENS', value: String(spec.model.maxOutputTokens) },
      { name: 'GENAI_EMBEDDING_PROVIDER', value: spec.embeddings.provider },
      { name: 'GENAI_EMBEDDING_MODEL', value: spec.embeddings.id },
      { name: 'GENAI_EMBEDDING_DIMENSIONS', value: String(spec.embeddings.dimensions) },
      { name: 'GENAI_VECTOR_STORE', value: spec.vectorStore.kind },
      // The service's store speaks Postgres through DATABASE_URL (pg takes PGUSER/PGPASSWORD from the secret).
      { name: spec.vectorStore.kind === 'pgvector' ? 'DATABASE_URL' : 'GENAI_VECTOR_STORE_URL', value: vectorStoreUrl },
      { name: 'OTEL_SERVICE_NAME', value: spec.project },
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: `http://127.0.0.1:${otlpHttpPort}` },
      { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
      ...modelEnvironment,
    ]);

  const service = new Service(
    `${base}-service`,
    {
      serviceName: base,
      release: spec.release,
      scale: spec.scale,
      ...(spec.certificateArn ? { certificateArn: spec.certificateArn } : {}),
      publicLoadBalancer: network.publicLoadBalancer,
      network: {
        vpcId: network.vpc.id,
        loadBalancerSubnetIds: (network.publicLoadBalancer ? network.publicSubnets : network.privateSubnets).map(
          (subnet) => subnet.id,
        ),
        taskSubnetIds: privateSubnetIds,
        loadBalancerSecurityGroupId: network.loadBalancerSecurityGroup.id,
        serviceSecurityGroupId: network.serviceSecurityGroup.id,
      },
      environment: serviceEnvironment,
      ...(vectorStore.secretArn ? { databaseSecret: { arn: vectorStore.secretArn, keyArn: vectorStore.key.arn } } : {}),
      taskStatements: pulumi
        .all([model.statements, vectorStore.statements, monitoring.statements])
        .apply((groups) => groups.flat()),
      logGroup: { name: monitoring.logGroup.name, arn: monitoring.logGroup.arn },
      sidecars: [monitoring.collectorContainer()],
      production: spec.production,
      tags,
      ...withTransform(transforms.service),
    },
    opts,
  );
  vectorStore.allowDataAccess([service.taskRole.arn]);

  const access = spec.ciRepository
    ? new Access(
        `${base}-access`,
        {
          repository: spec.ciRepository,
          environment: spec.env,
          createOidcProvider: spec.ciCreateOidcProvider ?? false,
          roleName: `${base}-deploy`,
          deploy: {
            repositoryArn: service.repository.arn,
            clusterArn: service.cluster.arn,
            serviceArn: service.service.arn,
            passRoleArns: [service.taskRole.arn, service.executionRole.arn],
          },
          tags,
          ...withTransform(transforms.access),
        },
        opts,
      )
    : undefined;

  return {
    url: service.url,
    vectorStoreUrl: vectorStore.url,
    modelEndpoint: model.url,
    dashboardUrl: monitoring.dashboardUrl,
    release: pulumi.output(spec.release.id),
    repositoryUrl: service.repository.repositoryUrl,
    deployRoleArn: access ? access.role.arn : pulumi.output(''),
  };
}

/** Everything the target refuses, checked before the first resource is declared. */
function checkSpec(spec: AwsStackSpec): void {
  checkVectorStoreKind(spec.vectorStore.kind);
  checkModel({
    provider: spec.model.provider,
    modelId: spec.model.id,
    ...(spec.model.serving ? { serving: spec.model.serving } : {}),
  });
  if (spec.ciRepository !== undefined) checkRepository(spec.ciRepository);
  if (spec.target !== 'aws') {
    throw new Error(
      `environment ${spec.env} has target ${String(spec.target)}; fix: run it with the kubernetes program`,
    );
  }
  if (!spec.constraints.regions.includes(spec.region)) {
    throw new Error(
      `environments.${spec.env}.region ${spec.region} is outside constraints.regions (${spec.constraints.regions.join(', ')}); fix: choose one of them, or add the region to constraints.regions`,
    );
  }
  if (spec.scale.min < 1 || spec.scale.max < spec.scale.min) {
    throw new Error(
      `environments.${spec.env}.scale {min: ${spec.scale.min}, max: ${spec.scale.max}} is not a range; fix: set 1 <= min <= max`,
    );
  }
}

/** The key of the tag whose value names the environment (e.g. `environment`), for the budget's filter. */
function tagKeyOf(spec: AwsStackSpec, value: string, fallback: string): string {
  return Object.entries(spec.tags).find(([, v]) => v === value)?.[0] ?? fallback;
}

function withTransform<T>(change: T | undefined): { transform?: T } {
  return change ? { transform: change } : {};
}
