import { describe, expect, test } from 'vitest';
import type { AwsStackSpec } from '../../../stacks/spec.js';
import { specFor } from './fixtures.js';
import { actionsOf, policyDocuments, runAws, type Inputs } from './run.js';

type Run = Awaited<ReturnType<typeof runAws>>;

/** The task role's statements, by Sid. */
function taskStatements(run: Run) {
  const doc = policyDocuments(run.all('aws:iam/rolePolicy:RolePolicy')).find((d) => d.where.includes('service-task'))!;
  return Object.fromEntries(doc.statements.map((s) => [s.Sid, s]));
}

/** Actions the options below add to the default stack's allow-list (environments.test.ts). */
const optionActions = new Set([
  'aoss:APIAccessAll',
  's3vectors:GetVectors',
  's3vectors:PutVectors',
  's3vectors:QueryVectors',
  's3vectors:DeleteVectors',
  's3vectors:ListVectors',
  's3vectors:GetIndex',
  'sagemaker:InvokeEndpoint',
  'sagemaker:InvokeEndpointWithResponseStream',
  's3:GetObject',
  's3:ListBucket',
  'logs:CreateLogGroup',
  'ec2:CreateNetworkInterface',
  'ec2:CreateNetworkInterfacePermission',
  'ec2:DeleteNetworkInterface',
  'ec2:DeleteNetworkInterfacePermission',
  'ec2:DescribeDhcpOptions',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
]);

function expectNoWildcardActions(run: Run) {
  for (const { where, statements } of policyDocuments(run.resources)) {
    for (const s of statements) for (const a of actionsOf(s)) expect(a, where).not.toContain('*');
  }
}

const sagemakerServing = {
  image: '763104351884.dkr.ecr.eu-west-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124',
  modelData: 's3://acme-models/llama-3.1-8b-ft/',
  instanceType: 'ml.g5.2xlarge',
  gpus: 1,
  scale: { min: 1, max: 3 },
};

interface Case {
  option: string;
  spec: Partial<AwsStackSpec>;
  env?: 'dev' | 'prod';
  check: (run: Run, spec: AwsStackSpec) => void;
}

const cases: Case[] = [
  {
    option: 'vectorStore.kind pgvector: an Aurora PostgreSQL Serverless v2 cluster',
    spec: { vectorStore: { kind: 'pgvector' } },
    check(run) {
      expect(run.one('aws:rds/cluster:Cluster').inputs).toMatchObject({
        engine: 'aurora-postgresql',
        engineMode: 'provisioned',
      });
      expect(run.all('aws:opensearch/serverlessCollection:ServerlessCollection')).toHaveLength(0);
      expect(run.outputs.vectorStoreUrl).toMatch(/^postgres:/);
    },
  },
  {
    option: 'vectorStore.kind opensearch: an encrypted VECTORSEARCH collection behind a VPC endpoint',
    spec: { vectorStore: { kind: 'opensearch' } },
    env: 'prod',
    check(run) {
      expect(run.all('aws:rds/cluster:Cluster')).toHaveLength(0);
      expect(run.one('aws:opensearch/serverlessCollection:ServerlessCollection').inputs).toMatchObject({
        name: 'cycle-assistant-prod',
        type: 'VECTORSEARCH',
        standbyReplicas: 'ENABLED',
      });
      const policies = Object.fromEntries(
        run
          .all('aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy')
          .map((p) => [p.inputs.type, JSON.parse(p.inputs.policy)]),
      );
      expect(policies.encryption).toEqual({
        Rules: [{ ResourceType: 'collection', Resource: ['collection/cycle-assistant-prod'] }],
        AWSOwnedKey: false,
        KmsARN: 'arn:aws:mock:::cycle-assistant-prod-vectors-key',
      });
      expect(policies.network[0]).toMatchObject({
        AllowFromPublic: false,
        SourceVPCEs: ['cycle-assistant-prod-vectors-endpoint-id'],
      });
      const endpoint = run.one('aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint').inputs;
      expect(endpoint.subnetIds.every((id: string) => id.includes('-private-'))).toBe(true);
      const access = JSON.parse(run.one('aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy').inputs.policy);
      expect(access[0].Principal).toEqual(['arn:aws:mock:::cycle-assistant-prod-service-task']);
      expect(access[0].Rules.flatMap((r: Inputs) => r.Permission)).not.toContain('aoss:*');
      expect(taskStatements(run).VectorCollection!.Resource).toEqual([
        'arn:aws:mock:::cycle-assistant-prod-vectors-collection',
      ]);
      const sg = run.all('aws:ec2/securityGroup:SecurityGroup').find((g) => g.name.endsWith('vectors-sg'))!;
      expect(sg.inputs.ingress[0]).toMatchObject({
        fromPort: 443,
        securityGroups: ['cycle-assistant-prod-network-service-id'],
      });
    },
  },
  {
    option: 'vectorStore.kind s3vectors: a KMS-encrypted vector bucket and an index of spec.embeddings.dimensions',
    spec: {
      vectorStore: { kind: 's3vectors' },
      embeddings: { provider: 'bedrock', id: 'cohere.embed-multilingual-v3', dimensions: 768 },
    },
    check(run) {
      const kms = [{ sseType: 'aws:kms', kmsKeyArn: 'arn:aws:mock:::cycle-assistant-dev-vectors-key' }];
      expect(run.one('aws:s3/vectorsVectorBucket:VectorsVectorBucket').inputs).toMatchObject({
        vectorBucketName: 'cycle-assistant-dev-vectors',
        encryptionConfigurations: kms,
      });
      expect(run.one('aws:s3/vectorsIndex:VectorsIndex').inputs).toMatchObject({
        dimension: 768,
        dataType: 'float32',
        distanceMetric: 'cosine',
        encryptionConfigurations: kms,
      });
      expect(actionsOf(taskStatements(run).VectorIndex!)).toContain('s3vectors:QueryVectors');
      expect(run.all('aws:rds/cluster:Cluster')).toHaveLength(0);
      expect(run.outputs.vectorStoreUrl).toMatch(/^s3vectors:\/\/cycle-assistant-dev-vectors\//);
    },
  },
  {
    option: 'model on demand through a cross-region (system) inference profile: IAM lists each allowed region',
    spec: {
      model: {
        provider: 'bedrock',
        id: 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0',
        throughput: 'on-demand',
        maxOutputTokens: 1024,
      },
    },
    check(run) {
      const system =
        'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
      expect(run.one('aws:bedrock/inferenceProfile:InferenceProfile').inputs.modelSource).toEqual({ copyFrom: system });
      expect(taskStatements(run).InvokeModel!.Resource).toEqual([
        'arn:aws:mock:::cycle-assistant-dev-model-profile',
        system,
        'arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
        'arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0',
      ]);
    },
  },
  {
    option: 'model.throughput provisioned: model units bought, invoked through the provisioned model only',
    spec: {
      model: {
        provider: 'bedrock',
        id: 'meta.llama3-1-70b-instruct-v1:0',
        throughput: 'provisioned',
        modelUnits: 2,
        maxOutputTokens: 1024,
      },
    },
    check(run) {
      expect(run.one('aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput').inputs).toMatchObject({
        modelUnits: 2,
        modelArn: 'arn:aws:bedrock:eu-west-1::foundation-model/meta.llama3-1-70b-instruct-v1:0',
      });
      expect(run.all('aws:bedrock/inferenceProfile:InferenceProfile')).toHaveLength(0);
      expect(run.all('aws:bedrock/guardrail:Guardrail')).toHaveLength(1);
      expect(taskStatements(run).InvokeModel!.Resource).toHaveLength(1);
    },
  },
  {
    option:
      'model.provider sagemaker: model, endpoint configuration and endpoint sized from model.serving, with autoscaling',
    spec: {
      model: {
        provider: 'sagemaker',
        id: 'llama-3.1-8b-ft',
        throughput: 'on-demand',
        maxOutputTokens: 1024,
        serving: sagemakerServing,
      },
    },
    check(run) {
      const model = run.one('aws:sagemaker/model:Model').inputs;
      expect(model.primaryContainer).toMatchObject({
        image: sagemakerServing.image,
        modelDataUrl: sagemakerServing.modelData,
      });
      expect(model.vpcConfig.subnets.every((id: string) => id.includes('-private-'))).toBe(true);
      const config = run.one('aws:sagemaker/endpointConfiguration:EndpointConfiguration').inputs;
      expect(config.productionVariants[0]).toMatchObject({ instanceType: 'ml.g5.2xlarge', initialInstanceCount: 1 });
      expect(config.kmsKeyArn).toBe('arn:aws:mock:::cycle-assistant-dev-model-key');
      const scaling = run
        .all('aws:appautoscaling/target:Target')
        .find((t) => t.inputs.serviceNamespace === 'sagemaker')!;
      expect(scaling.inputs).toMatchObject({
        minCapacity: 1,
        maxCapacity: 3,
        scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
      });
      expect(run.all('aws:bedrock/guardrail:Guardrail')).toHaveLength(0);
      expect(taskStatements(run).InvokeEndpoint!.Resource).toEqual([
        'arn:aws:mock:::cycle-assistant-dev-model-endpoint',
      ]);
      const role = policyDocuments(run.all('aws:iam/rolePolicy:RolePolicy')).find((d) =>
        d.where.includes('model-sagemaker'),
      )!;
      const weights = role.statements.find((s) => s.Sid === 'ReadWeights')!;
      expect(weights.Resource).toEqual(['arn:aws:s3:::acme-models/llama-3.1-8b-ft/*']);
      expect(role.statements.find((s) => s.Sid === 'PullServerImage')!.Resource).toEqual([
        'arn:aws:ecr:eu-west-1:763104351884:repository/djl-inference',
      ]);
      expect(run.outputs.modelEndpoint).toBe(
        'https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/cycle-assistant-dev-model/invocations',
      );
    },
  },
  {
    option: 'constraints.dataClass phi: internal load balancer, strict guardrail, PII anonymised, grounding checks',
    spec: { constraints: { regions: ['eu-west-1'], dataClass: 'phi', budgetUsdPerMonth: 15000, latencyP95Ms: 3000 } },
    check(run) {
      const lb = run.one('aws:lb/loadBalancer:LoadBalancer').inputs;
      expect(lb.internal).toBe(true);
      expect(lb.subnets.every((id: string) => id.includes('-private-'))).toBe(true);
      const lbGroup = run.all('aws:ec2/securityGroup:SecurityGroup').find((g) => g.name.endsWith('network-lb'))!;
      for (const rule of lbGroup.inputs.ingress) expect(rule.cidrBlocks).toEqual(['10.20.0.0/16']);
      const guardrail = run.one('aws:bedrock/guardrail:Guardrail').inputs;
      for (const f of guardrail.contentPolicyConfig.filtersConfigs) expect(f.inputStrength).toBe('HIGH');
      const pii = Object.fromEntries(
        guardrail.sensitiveInformationPolicyConfig.piiEntitiesConfigs.map((e: Inputs) => [e.type, e.action]),
      );
      expect(pii).toMatchObject({
        NAME: 'ANONYMIZE',
        EMAIL: 'ANONYMIZE',
        US_SOCIAL_SECURITY_NUMBER: 'ANONYMIZE',
        PASSWORD: 'BLOCK',
      });
      expect(guardrail.contextualGroundingPolicyConfig.filtersConfigs).toContainEqual({
        type: 'GROUNDING',
        threshold: 0.75,
      });
    },
  },
  {
    option: 'constraints.dataClass internal: public load balancer, medium filters, no anonymisation',
    spec: {},
    check(run) {
      expect(run.one('aws:lb/loadBalancer:LoadBalancer').inputs.internal).toBe(false);
      const guardrail = run.one('aws:bedrock/guardrail:Guardrail').inputs;
      for (const f of guardrail.contentPolicyConfig.filtersConfigs) expect(f.inputStrength).toBe('MEDIUM');
      const actions = guardrail.sensitiveInformationPolicyConfig.piiEntitiesConfigs.map((e: Inputs) => e.action);
      expect(new Set(actions)).toEqual(new Set(['BLOCK']));
      expect(guardrail.contextualGroundingPolicyConfig).toBeUndefined();
    },
  },
  {
    option: 'certificateArn: HTTPS on 443 with TLS 1.2+, and port 80 redirects',
    spec: { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' },
    check(run) {
      const listeners = run.all('aws:lb/listener:Listener').map((l) => l.inputs);
      expect(listeners).toHaveLength(2);
      const https = listeners.find((l) => l.port === 443)!;
      expect(https).toMatchObject({
        protocol: 'HTTPS',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      });
      expect(https.defaultActions[0].type).toBe('forward');
      const http = listeners.find((l) => l.port === 80)!;
      expect(http.defaultActions[0]).toMatchObject({
        type: 'redirect',
        redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' },
      });
      expect(run.outputs.url).toMatch(/^https:\/\//);
    },
  },
  {
    option: 'no certificateArn: one plain HTTP listener on 80',
    spec: {},
    check(run) {
      const listeners = run.all('aws:lb/listener:Listener').map((l) => l.inputs);
      expect(listeners.map((l) => [l.port, l.protocol, l.defaultActions[0].type])).toEqual([[80, 'HTTP', 'forward']]);
    },
  },
  {
    option: 'no ciRepository: no deploy role',
    spec: {},
    check(run) {
      expect(run.all('aws:iam/role:Role').map((r) => r.name)).not.toContain('cycle-assistant-dev-access-deploy');
      expect(run.outputs.deployRoleArn).toBe('');
    },
  },
  {
    option: 'ciRepository with ciCreateOidcProvider: the account GitHub OIDC provider, trusted by the role',
    spec: { ciRepository: 'acme/cycle-assistant', ciCreateOidcProvider: true },
    check(run) {
      const provider = run.one('aws:iam/openIdConnectProvider:OpenIdConnectProvider');
      expect(provider.inputs).toMatchObject({
        url: 'https://token.actions.githubusercontent.com',
        clientIdLists: ['sts.amazonaws.com'],
      });
      const role = run.all('aws:iam/role:Role').find((r) => r.name.endsWith('access-deploy'))!;
      expect(JSON.parse(role.inputs.assumeRolePolicy).Statement[0].Principal).toEqual({
        Federated: `arn:aws:mock:::${provider.name}`,
      });
      expect(run.outputs.deployRoleArn).toBe('arn:aws:mock:::cycle-assistant-dev-access-deploy');
    },
  },
  {
    option: 'scale: the service starts at min and autoscales between min and max',
    spec: { scale: { min: 3, max: 7 } },
    check(run) {
      expect(run.one('aws:ecs/service:Service').inputs.desiredCount).toBe(3);
      expect(run.one('aws:appautoscaling/target:Target').inputs).toMatchObject({ minCapacity: 3, maxCapacity: 7 });
    },
  },
  {
    option: 'alarms: each threshold reaches its alarm',
    spec: { alarms: { latencyP95Ms: 1200, errorRate: 0.05, judgeScore: 0.9, costUsdPerHour: 3 } },
    check(run) {
      const thresholds = Object.fromEntries(
        run
          .all('aws:cloudwatch/metricAlarm:MetricAlarm')
          .map((a) => [a.name.split('-monitoring-')[1], a.inputs.threshold]),
      );
      expect(thresholds).toEqual({ 'latency-p95': 1200, 'error-rate': 0.05, 'judge-score': 0.9, 'cost-rate': 3 });
    },
  },
  {
    option: 'logRetentionDays: every log group keeps logs that long',
    spec: { logRetentionDays: 7 },
    check(run) {
      const days = run.all('aws:cloudwatch/logGroup:LogGroup').map((g) => g.inputs.retentionInDays);
      expect(days).toEqual([7, 7]);
    },
  },
  {
    option: 'bedrockInvocationLogging false: no logging configuration, log group or logging role',
    spec: { bedrockInvocationLogging: false },
    check(run) {
      expect(run.all('aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration')).toHaveLength(0);
      expect(run.all('aws:cloudwatch/logGroup:LogGroup')).toHaveLength(1);
      expect(run.all('aws:iam/role:Role').map((r) => r.name)).not.toContain('cycle-assistant-dev-model-logging');
    },
  },
  {
    option: 'alertEmails: each address subscribes to the alarm topic',
    spec: { alertEmails: ['oncall@example.com', 'lead@example.com'] },
    check(run) {
      const subscriptions = run
        .all('aws:sns/topicSubscription:TopicSubscription')
        .map((s) => [s.inputs.protocol, s.inputs.endpoint]);
      expect(subscriptions).toEqual([
        ['email', 'oncall@example.com'],
        ['email', 'lead@example.com'],
      ]);
    },
  },
  {
    option: 'vpcCidr: subnets are carved from it',
    spec: { vpcCidr: '10.99.0.0/16' },
    check(run) {
      expect(run.one('aws:ec2/vpc:Vpc').inputs.cidrBlock).toBe('10.99.0.0/16');
      expect(run.all('aws:ec2/subnet:Subnet').map((s) => s.inputs.cidrBlock)).toEqual([
        '10.99.0.0/20',
        '10.99.16.0/20',
        '10.99.32.0/20',
        '10.99.48.0/20',
      ]);
    },
  },
];

describe('each spec option changes what it should', () => {
  test.each(cases)('$option', async ({ spec: overrides, env, check }) => {
    const spec = specFor(env ?? 'dev', overrides);
    const run = await runAws(spec);
    check(run, spec);
    expect(new Set(run.urns).size).toBe(run.registrations);
    expectNoWildcardActions(run);
    for (const { where, statements } of policyDocuments(run.resources)) {
      for (const s of statements) {
        for (const a of actionsOf(s)) {
          if (!a.startsWith('kms:') && !a.startsWith('sts:')) {
            expect(
              optionActions.has(a) || /^(bedrock|xray|logs|ecr|secretsmanager|sns|ecs|iam):/.test(a),
              `${where}: ${a}`,
            ).toBe(true);
          }
        }
      }
    }
  });
});

describe('specs the AWS target cannot serve fail with one line that names the field and the fix', () => {
  test.each<[string, Partial<AwsStackSpec>, RegExp]>([
    [
      'qdrant',
      { vectorStore: { kind: 'qdrant' } },
      /^vectorStore\.kind qdrant is not available on the aws target; fix: .*kubernetes/,
    ],
    [
      'vllm',
      { model: { provider: 'vllm', id: 'x', throughput: 'on-demand', maxOutputTokens: 1 } },
      /^model\.provider vllm .*fix: .*sagemaker/,
    ],
    [
      'sagemaker without serving',
      { model: { provider: 'sagemaker', id: 'x', throughput: 'on-demand', maxOutputTokens: 1 } },
      /^model\.serving\.instanceType is missing.*fix:/,
    ],
    [
      'a region outside constraints.regions',
      { region: 'us-east-1' },
      /^environments\.dev\.region us-east-1 is outside constraints\.regions .*fix:/,
    ],
    [
      'a ciRepository that is not OWNER/NAME',
      { ciRepository: 'cycle-assistant' },
      /^ciRepository "cycle-assistant" is not OWNER\/NAME; fix:/,
    ],
  ])('%s', async (_, overrides, message) => {
    const error = await runAws(specFor('dev', overrides)).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
  });
});
