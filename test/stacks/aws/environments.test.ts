import { beforeAll, describe, expect, test } from 'vitest';
import { environments, specFor } from './fixtures.js';
import { actionsOf, policyDocuments, runAws, type Inputs } from './run.js';

/**
 * Every action an IAM document of the AWS stack may grant. A new action must be added here on purpose:
 * the test fails on anything else, and on any wildcard.
 */
const allowedActions = new Set([
  // trust policies
  'sts:AssumeRole',
  'sts:AssumeRoleWithWebIdentity',
  // key policies (administration by the account; use by logs, CloudWatch, Budgets)
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
  // the alarm topic
  'sns:Publish',
  // the service's task role
  'bedrock:InvokeModel',
  'bedrock:InvokeModelWithResponseStream',
  'bedrock:ApplyGuardrail',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
  'logs:CreateLogStream',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  // the execution role
  'ecr:GetAuthorizationToken',
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'secretsmanager:GetSecretValue',
  // the CI deploy role
  'ecr:CompleteLayerUpload',
  'ecr:DescribeImages',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
  'ecs:DescribeTaskDefinition',
  'ecs:RegisterTaskDefinition',
  'ecs:DescribeServices',
  'ecs:UpdateService',
  'ecs:DescribeClusters',
  'iam:PassRole',
]);

/** Actions AWS does not scope to a resource: the only ones an identity policy may grant on `*`. */
const unscopableActions = new Set([
  'ecr:GetAuthorizationToken',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
  'ecs:DescribeTaskDefinition',
  'ecs:RegisterTaskDefinition',
]);

/** Resource types of the stack that take tags; each one must carry the spec's tags. */
const taggableTypes = [
  'aws:ec2/vpc:Vpc',
  'aws:ec2/subnet:Subnet',
  'aws:ec2/securityGroup:SecurityGroup',
  'aws:ec2/natGateway:NatGateway',
  'aws:ec2/eip:Eip',
  'aws:ec2/internetGateway:InternetGateway',
  'aws:ec2/routeTable:RouteTable',
  'aws:ec2/flowLog:FlowLog',
  'aws:s3/bucket:Bucket',
  'aws:kms/key:Key',
  'aws:rds/cluster:Cluster',
  'aws:rds/clusterInstance:ClusterInstance',
  'aws:rds/subnetGroup:SubnetGroup',
  'aws:bedrock/inferenceProfile:InferenceProfile',
  'aws:bedrock/guardrail:Guardrail',
  'aws:cloudwatch/logGroup:LogGroup',
  'aws:cloudwatch/metricAlarm:MetricAlarm',
  'aws:sns/topic:Topic',
  'aws:budgets/budget:Budget',
  'aws:iam/role:Role',
  'aws:ecr/repository:Repository',
  'aws:ecs/cluster:Cluster',
  'aws:ecs/taskDefinition:TaskDefinition',
  'aws:ecs/service:Service',
  'aws:secretsmanager/secret:Secret',
  'aws:lb/loadBalancer:LoadBalancer',
  'aws:lb/targetGroup:TargetGroup',
  'aws:lb/listener:Listener',
  'aws:appautoscaling/target:Target',
];

describe.each(environments)('the AWS stack of %s (pgvector, Bedrock on demand, GitHub OIDC)', (env) => {
  const spec = specFor(env, { ciRepository: 'acme/cycle-assistant' });
  const prod = spec.production;
  let run: Awaited<ReturnType<typeof runAws>>;
  beforeAll(async () => {
    run = await runAws(spec);
  });

  test('every resource has its own URN', () => {
    expect(run.registrations).toBeGreaterThan(60);
    expect(new Set(run.urns).size).toBe(run.registrations);
  });

  test('the outputs the CLI records: url, vector store, model endpoint, dashboard, release', () => {
    expect(run.outputs.url).toMatch(/^http:\/\//);
    expect(run.outputs.vectorStoreUrl).toMatch(/^postgres:\/\/.*:5432\/genai$/);
    expect(run.outputs.modelEndpoint).toMatch(/^https:\/\/bedrock-runtime\.eu-west-1\.amazonaws\.com\/model\//);
    expect(run.outputs.dashboardUrl).toContain(`#dashboards/dashboard/cycle-assistant-${env}`);
    expect(run.outputs.release).toBe(`rel-${env}-0001`);
  });

  test('the tags (service, environment, cost-centre) are on every taggable resource', () => {
    const withTags = run.resources.filter((r) => r.custom && r.inputs.tags !== undefined);
    expect(withTags.length).toBeGreaterThan(40);
    for (const r of withTags) expect(r.inputs.tags, r.name).toMatchObject(spec.tags);
    for (const type of taggableTypes) {
      for (const r of run.all(type)) expect(r.inputs.tags, `${type} ${r.name}`).toMatchObject(spec.tags);
    }
    expect(run.one('aws:rds/cluster:Cluster').inputs.copyTagsToSnapshot).toBe(true);
    expect(run.one('aws:ecs/service:Service').inputs.propagateTags).toBe('SERVICE');
  });

  test('every key rotates; data, logs, topic, images and secrets are encrypted with them', () => {
    const keys = run.all('aws:kms/key:Key');
    expect(keys).toHaveLength(4);
    for (const k of keys) {
      expect(k.inputs.enableKeyRotation, k.name).toBe(true);
      expect(k.inputs.deletionWindowInDays).toBe(prod ? 30 : 7);
    }
    const keyArns = new Set(keys.map((k) => `arn:aws:mock:::${k.name}`));
    const cluster = run.one('aws:rds/cluster:Cluster').inputs;
    expect(cluster.storageEncrypted).toBe(true);
    expect(keyArns).toContain(cluster.kmsKeyId);
    expect(cluster.manageMasterUserPassword).toBe(true);
    expect(cluster.masterPassword).toBeUndefined();
    for (const i of run.all('aws:rds/clusterInstance:ClusterInstance')) {
      expect(keyArns).toContain(i.inputs.performanceInsightsKmsKeyId);
    }
    for (const g of run.all('aws:cloudwatch/logGroup:LogGroup')) expect(keyArns, g.name).toContain(g.inputs.kmsKeyId);
    expect(keyArns).toContain(run.one('aws:sns/topic:Topic').inputs.kmsMasterKeyId);
    expect(keyArns).toContain(run.one('aws:bedrock/guardrail:Guardrail').inputs.kmsKeyArn);
    for (const s of run.all('aws:secretsmanager/secret:Secret')) expect(keyArns, s.name).toContain(s.inputs.kmsKeyId);
    const repository = run.one('aws:ecr/repository:Repository').inputs;
    expect(repository.encryptionConfigurations).toEqual([
      { encryptionType: 'KMS', kmsKey: expect.stringMatching(/service-key$/) },
    ]);
    expect(repository.imageTagMutability).toBe('IMMUTABLE');
    expect(repository.imageScanningConfiguration).toEqual({ scanOnPush: true });
    expect(
      run.one('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration'),
    ).toBeDefined();
    expect(run.one('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
  });

  test('data and tasks live in private subnets only; nothing gets a public IP', () => {
    const subnets = run.all('aws:ec2/subnet:Subnet');
    expect(subnets).toHaveLength(4);
    for (const s of subnets) expect(s.inputs.mapPublicIpOnLaunch, s.name).toBe(false);
    const privateIds = subnets.filter((s) => s.inputs.tags.tier === 'private').map((s) => `${s.name}-id`);
    const publicIds = subnets.filter((s) => s.inputs.tags.tier === 'public').map((s) => `${s.name}-id`);
    expect(privateIds).toHaveLength(2);
    expect(run.one('aws:rds/subnetGroup:SubnetGroup').inputs.subnetIds).toEqual(privateIds);
    for (const i of run.all('aws:rds/clusterInstance:ClusterInstance')) expect(i.inputs.publiclyAccessible).toBe(false);
    const network = run.one('aws:ecs/service:Service').inputs.networkConfiguration;
    expect(network).toEqual({
      subnets: privateIds,
      securityGroups: [expect.stringMatching(/network-service-id$/)],
      assignPublicIp: false,
    });
    // Internal data: an internet-facing load balancer in the public subnets.
    const lb = run.one('aws:lb/loadBalancer:LoadBalancer').inputs;
    expect(lb.internal).toBe(false);
    expect(lb.subnets).toEqual(publicIds);
    expect(lb.dropInvalidHeaderFields).toBe(true);
    // Private subnets route out through NAT, never through the internet gateway.
    const privateRoutes = run.all('aws:ec2/route:Route').filter((r) => r.name.includes('private'));
    for (const r of privateRoutes) {
      expect(r.inputs.natGatewayId).toBeDefined();
      expect(r.inputs.gatewayId).toBeUndefined();
    }
    expect(run.all('aws:ec2/natGateway:NatGateway')).toHaveLength(prod ? 2 : 1);
  });

  test('the database is reachable from the service security group only; the service from the load balancer only', () => {
    const groups = run.all('aws:ec2/securityGroup:SecurityGroup');
    const db = groups.find((g) => g.name.endsWith('vectors-sg'))!.inputs;
    expect(db.ingress).toEqual([
      {
        protocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        securityGroups: [`cycle-assistant-${env}-network-service-id`],
        description: 'From the service tasks',
      },
    ]);
    expect(db.egress).toEqual([]);
    expect(run.one('aws:rds/cluster:Cluster').inputs.vpcSecurityGroupIds).toEqual([
      `cycle-assistant-${env}-vectors-sg-id`,
    ]);
    const service = groups.find((g) => g.name.endsWith('network-service'))!.inputs;
    expect(service.ingress).toHaveLength(1);
    expect(service.ingress[0]).toMatchObject({
      fromPort: 8080,
      securityGroups: [`cycle-assistant-${env}-network-lb-id`],
    });
    expect(service.ingress[0].cidrBlocks).toBeUndefined();
  });

  test(`deletion protection and a final snapshot ${prod ? 'in prod' : 'are off outside prod'}`, () => {
    const cluster = run.one('aws:rds/cluster:Cluster').inputs;
    expect(cluster.deletionProtection).toBe(prod);
    expect(cluster.skipFinalSnapshot).toBe(!prod);
    expect(cluster.finalSnapshotIdentifier).toBe(prod ? `cycle-assistant-${env}-final` : undefined);
    expect(cluster.backupRetentionPeriod).toBe(prod ? 14 : 7);
    expect(cluster.serverlessv2ScalingConfiguration).toEqual(
      prod ? { minCapacity: 1, maxCapacity: 16 } : { minCapacity: 0.5, maxCapacity: 4 },
    );
    expect(run.all('aws:rds/clusterInstance:ClusterInstance')).toHaveLength(prod ? 2 : 1);
    expect(run.one('aws:lb/loadBalancer:LoadBalancer').inputs.enableDeletionProtection).toBe(prod);
    expect(run.one('aws:ecr/repository:Repository').inputs.forceDelete).toBe(!prod);
    for (const s of run.all('aws:secretsmanager/secret:Secret'))
      expect(s.inputs.recoveryWindowInDays).toBe(prod ? 30 : 7);
  });

  test('alarms on p95 latency, error rate, judge score and cost rate use the spec thresholds and alert the topic', () => {
    const alarms = Object.fromEntries(
      run
        .all('aws:cloudwatch/metricAlarm:MetricAlarm')
        .map((a): [string, Inputs] => [a.name.split('-monitoring-')[1]!, a.inputs]),
    );
    expect(Object.keys(alarms).sort()).toEqual(['cost-rate', 'error-rate', 'judge-score', 'latency-p95']);
    const topic = `arn:aws:mock:::cycle-assistant-${env}-monitoring-alerts`;
    for (const a of Object.values(alarms)) expect(a.alarmActions).toEqual([topic]);
    expect(alarms['latency-p95']).toMatchObject({
      threshold: 3000,
      extendedStatistic: 'p95',
      comparisonOperator: 'GreaterThanThreshold',
      metricName: 'LatencyMs',
      namespace: 'genai/cycle-assistant',
    });
    expect(alarms['latency-p95']!.dimensions).toEqual({ Environment: env, Step: 'total' });
    expect(alarms['error-rate']).toMatchObject({ threshold: 0.02, comparisonOperator: 'GreaterThanThreshold' });
    expect(alarms['error-rate']!.metricQueries[0].expression).toContain('errors / requests');
    expect(alarms['judge-score']).toMatchObject({
      threshold: spec.alarms.judgeScore,
      comparisonOperator: 'LessThanThreshold',
      metricName: 'JudgeScore',
    });
    expect(alarms['cost-rate']).toMatchObject({
      threshold: 20.55,
      period: 3600,
      statistic: 'Sum',
      metricName: 'CostUsd',
    });
  });

  test('log groups keep logs for the spec retention; the budget alerts at 80 % forecast and 100 % actual', () => {
    const groups = run.all('aws:cloudwatch/logGroup:LogGroup');
    expect(groups.map((g) => g.inputs.name).sort()).toEqual([
      `/genai/cycle-assistant-${env}/bedrock-invocations`,
      `/genai/cycle-assistant-${env}/service`,
    ]);
    for (const g of groups) expect(g.inputs.retentionInDays).toBe(prod ? 90 : 30);
    const budget = run.one('aws:budgets/budget:Budget').inputs;
    expect(budget).toMatchObject({
      budgetType: 'COST',
      limitAmount: '15000.00',
      limitUnit: 'USD',
      timeUnit: 'MONTHLY',
    });
    expect(budget.costFilters).toEqual([{ name: 'TagKeyValue', values: [`user:environment$${env}`] }]);
    expect(
      budget.notifications.map((n: Inputs) => [n.notificationType, n.threshold, n.subscriberSnsTopicArns]),
    ).toEqual([
      ['FORECASTED', 80, [`arn:aws:mock:::cycle-assistant-${env}-monitoring-alerts`]],
      ['ACTUAL', 100, [`arn:aws:mock:::cycle-assistant-${env}-monitoring-alerts`]],
    ]);
  });

  test('the dashboard shows requests, p50/p95 per step, errors, tokens, cost, guardrail blocks, judge scores, feedback', () => {
    const body = JSON.parse(run.one('aws:cloudwatch/dashboard:Dashboard').inputs.dashboardBody);
    const titles = body.widgets.map((w: Inputs) => w.properties.title);
    expect(titles).toEqual([
      'Requests',
      'Errors',
      'p50 latency per step (ms)',
      'p95 latency per step (ms)',
      'Tokens',
      'Cost (USD)',
      'Guardrail blocks',
      'Judge scores',
      'Feedback',
    ]);
    const p95 = body.widgets[3].properties;
    expect(p95.stat).toBe('p95');
    expect(p95.metrics.map((m: unknown[]) => m[5])).toEqual(['guard-input', 'retrieve', 'generate', 'guard-output']);
    expect(p95.region).toBe('eu-west-1');
  });

  test('the task runs the release image as a non-root user on a read-only root, beside the ADOT collector', () => {
    const task = run.one('aws:ecs/taskDefinition:TaskDefinition').inputs;
    expect(task).toMatchObject({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc' });
    expect(task.taskRoleArn).toMatch(/service-task$/);
    expect(task.executionRoleArn).toMatch(/service-execution$/);
    const [service, collector] = JSON.parse(task.containerDefinitions);
    expect(service.image).toBe(spec.release.image);
    expect(service.user).toBe('1000:1000');
    expect(service.readonlyRootFilesystem).toBe(true);
    const environment = Object.fromEntries(service.environment.map((e: Inputs) => [e.name, e.value]));
    expect(environment).toMatchObject({
      GENAI_RELEASE_ID: spec.release.id,
      GENAI_ENV: env,
      GENAI_VECTOR_STORE: 'pgvector',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
    expect(environment.GENAI_CHAT_MODEL).toMatch(/model-profile$/);
    expect(service.healthCheck.command.join(' ')).toContain('/healthz');
    expect(service.secrets.map((s: Inputs) => s.name)).toEqual([
      'GENAI_API_KEYS',
      'GENAI_ADMIN_KEY',
      'PGUSER',
      'PGPASSWORD',
    ]);
    expect(service.secrets[0].valueFrom).toMatch(/service-api-key$/);
    expect(JSON.stringify(service.environment)).not.toMatch(/PASSWORD|API_KEY/);
    expect(collector).toMatchObject({
      name: 'otel-collector',
      essential: false,
      readonlyRootFilesystem: true,
      portMappings: [{ containerPort: 4318, protocol: 'tcp' }],
    });
    const config = collector.environment.find((e: Inputs) => e.name === 'AOT_CONFIG_CONTENT').value;
    expect(config).toContain('awsxray');
    expect(config).toContain('namespace: genai/cycle-assistant');
    expect(config).toContain(`log_group_name: /genai/cycle-assistant-${env}/service`);
    const targets = run.one('aws:lb/targetGroup:TargetGroup').inputs;
    expect(targets.healthCheck).toMatchObject({ path: '/healthz', matcher: '200' });
    expect(run.one('aws:ecs/cluster:Cluster').inputs.settings).toEqual([
      { name: 'containerInsights', value: 'enhanced' },
    ]);
  });

  test('autoscaling follows spec.scale with CPU and request-count target tracking', () => {
    expect(run.one('aws:ecs/service:Service').inputs.desiredCount).toBe(spec.scale.min);
    const target = run.one('aws:appautoscaling/target:Target').inputs;
    expect(target).toMatchObject({
      minCapacity: spec.scale.min,
      maxCapacity: spec.scale.max,
      scalableDimension: 'ecs:service:DesiredCount',
    });
    const metrics = run
      .all('aws:appautoscaling/policy:Policy')
      .map((p) => p.inputs.targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType);
    expect(metrics.sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
  });

  test('every IAM policy document grants listed actions only, never a wildcard, on scoped resources', () => {
    const documents = policyDocuments(run.resources);
    expect(documents.map((d) => d.kind).sort()).toEqual([
      ...Array(4).fill('identity'),
      ...Array(4).fill('key'),
      'topic',
      ...Array(4).fill('trust'),
    ]);
    let checked = 0;
    for (const { where, kind, statements } of documents) {
      for (const statement of statements) {
        expect(statement.Effect, where).toBe('Allow');
        for (const action of actionsOf(statement)) {
          expect(action, where).not.toContain('*');
          expect(allowedActions.has(action), `${where}: ${action} is not in the allow-list`).toBe(true);
          checked++;
        }
        if (kind === 'trust') {
          expect(statement.Resource, where).toBeUndefined();
          expect(statement.Condition, `${where}: a trust policy without a condition`).toBeDefined();
        } else if (kind === 'key') {
          // In a key policy, "*" is the key itself.
          expect(statement.Resource, where).toBe('*');
        } else if (statement.Resource === '*') {
          for (const action of actionsOf(statement))
            expect(unscopableActions.has(action), `${where}: ${action} on *`).toBe(true);
        } else {
          expect(Array.isArray(statement.Resource), where).toBe(true);
          for (const resource of statement.Resource as unknown[]) {
            // null and '' are attributes the provider computes (unknown under the mocks), never a wildcard.
            if (resource === null || resource === '') continue;
            expect(resource, where).toMatch(/^arn:/);
            expect(String(resource).replace(/:log-stream:\*$/, ''), where).not.toContain('*');
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  test('the task role may invoke only the profile, the model and the embedding model it is given', () => {
    const task = policyDocuments(run.all('aws:iam/rolePolicy:RolePolicy')).find((d) =>
      d.where.includes('service-task'),
    )!;
    const invoke = task.statements.find((s) => s.Sid === 'InvokeModel')!;
    expect(invoke.Resource).toEqual([
      `arn:aws:mock:::cycle-assistant-${env}-model-profile`,
      'arn:aws:bedrock:eu-west-1::foundation-model/meta.llama3-1-70b-instruct-v1:0',
    ]);
    expect(task.statements.find((s) => s.Sid === 'InvokeEmbeddingModel')!.Resource).toEqual([
      'arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0',
    ]);
    expect(task.statements.map((s) => s.Sid)).not.toContain('ReadSecrets');
  });

  test('the CI role is assumable only by this repository and GitHub environment through OIDC', () => {
    const role = run.all('aws:iam/role:Role').find((r) => r.name.endsWith('access-deploy'))!;
    const [trust] = JSON.parse(role.inputs.assumeRolePolicy).Statement;
    expect(trust.Principal).toEqual({
      Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
    });
    expect(trust.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': `repo:acme/cycle-assistant:environment:${env}`,
      },
    });
    expect(run.all('aws:iam/openIdConnectProvider:OpenIdConnectProvider')).toHaveLength(0);
  });

  test('Bedrock gets an application inference profile, a guardrail and encrypted invocation logging', () => {
    expect(run.one('aws:bedrock/inferenceProfile:InferenceProfile').inputs.modelSource).toEqual({
      copyFrom: 'arn:aws:bedrock:eu-west-1::foundation-model/meta.llama3-1-70b-instruct-v1:0',
    });
    const logging = run.one('aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration').inputs
      .loggingConfig;
    expect(logging.cloudwatchConfig.logGroupName).toBe(`/genai/cycle-assistant-${env}/bedrock-invocations`);
    expect(logging.cloudwatchConfig.roleArn).toMatch(/model-logging$/);
    const filters = run.one('aws:bedrock/guardrail:Guardrail').inputs.contentPolicyConfig.filtersConfigs;
    expect(filters.map((f: Inputs) => f.type)).toEqual([
      'SEXUAL',
      'VIOLENCE',
      'HATE',
      'INSULTS',
      'MISCONDUCT',
      'PROMPT_ATTACK',
    ]);
  });
});
