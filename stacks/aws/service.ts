import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
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

/** The port the service's container listens on. */
export const defaultServicePort = 8080;
/** The path the load balancer, ECS and the CLI ask whether the service is up and which release it runs. */
export const healthPath = '/healthz';
/** TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only. */
export const tlsPolicy = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface ServiceArgs {
  /**
   * Name of the service's resources, a DNS label.
   * @default `${spec.project}-${spec.env}`
   * @example "cycle-assistant-prod"
   */
  serviceName: string;
  /**
   * The release to run: its id (GENAI_RELEASE_ID, reported by /healthz) and its image, by digest.
   * @default spec.release
   * @example { id: "rel-20250101-abc123", image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/cycle-assistant@sha256:…" }
   */
  release: { id: string; image: string };
  /**
   * Instances of the service; autoscaling stays inside.
   * @default spec.scale
   * @example { min: 2, max: 20 }
   */
  scale: { min: number; max: number };
  /**
   * Task size in CPU units and MiB.
   * @default { cpu: 1024, memory: 2048 }
   * @example { cpu: 2048, memory: 4096 }
   */
  size?: { cpu: number; memory: number };
  /**
   * Average CPU (percent) and requests per task per minute that autoscaling aims at.
   * @default { cpuPercent: 60, requestsPerTarget: 300 }
   * @example { cpuPercent: 50, requestsPerTarget: 100 }
   */
  scaling?: { cpuPercent: number; requestsPerTarget: number };
  /**
   * ACM certificate: HTTPS on 443 with a redirect from 80; plain HTTP on 80 without one.
   * @default spec.certificateArn
   * @example "arn:aws:acm:eu-west-1:123456789012:certificate/…"
   */
  certificateArn?: string;
  /**
   * Whether the load balancer faces the internet (never for pii or phi data).
   * @default the Network's choice
   * @example false
   */
  publicLoadBalancer: boolean;
  /**
   * Network placement: the load balancer's subnets (public, or private when internal), the tasks'
   * private subnets and the two security groups.
   * @default the Network's
   * @example { vpcId, loadBalancerSubnetIds, taskSubnetIds, loadBalancerSecurityGroupId, serviceSecurityGroupId }
   */
  network: {
    vpcId: pulumi.Input<string>;
    loadBalancerSubnetIds: pulumi.Input<string>[];
    taskSubnetIds: pulumi.Input<string>[];
    loadBalancerSecurityGroupId: pulumi.Input<string>;
    serviceSecurityGroupId: pulumi.Input<string>;
  };
  /**
   * Plain environment variables of the service container (the release id and port are added).
   * @default model, vector store and telemetry settings from the other components
   * @example [{ name: "GENAI_TOP_K", value: "5" }]
   */
  environment: pulumi.Input<{ name: string; value: string }[]>;
  /**
   * The database credentials secret (the Aurora cluster's managed master secret) and its key; the task
   * definition injects its username and password.
   * @default the VectorStore's, for pgvector
   * @example { arn: cluster.masterUserSecrets[0].secretArn, keyArn: key.arn }
   */
  databaseSecret?: { arn: pulumi.Input<string>; keyArn: pulumi.Input<string> };
  /**
   * Statements the service's task role gets: model, vector store, telemetry. Nothing else.
   * @default the ModelEndpoint's, VectorStore's and Monitoring's
   * @example [{ Effect: "Allow", Action: ["bedrock:InvokeModel"], Resource: [profileArn] }]
   */
  taskStatements: pulumi.Input<pulumi.Input<PolicyStatement>[]>;
  /**
   * Log group of the containers.
   * @default the Monitoring's
   * @example { name: "/genai/cycle-assistant-prod/service", arn: "arn:aws:logs:…" }
   */
  logGroup: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
  /**
   * Containers run beside the service (the ADOT collector).
   * @default [the Monitoring's collector]
   * @example []
   */
  sidecars?: pulumi.Input<Record<string, unknown>>[];
  /** Deletion protection on the load balancer, longer secret recovery. @default spec.production @example true */
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
   * @example { taskDefinition: { cpu: "2048", memory: "4096" } }
   */
  transform?: {
    key?: Transform<aws.kms.KeyArgs>;
    repository?: Transform<aws.ecr.RepositoryArgs>;
    cluster?: Transform<aws.ecs.ClusterArgs>;
    apiKey?: Transform<aws.secretsmanager.SecretArgs>;
    adminKey?: Transform<aws.secretsmanager.SecretArgs>;
    executionRole?: Transform<aws.iam.RoleArgs>;
    taskRole?: Transform<aws.iam.RoleArgs>;
    taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
    loadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
    targetGroup?: Transform<aws.lb.TargetGroupArgs>;
    listener?: Transform<aws.lb.ListenerArgs>;
    service?: Transform<aws.ecs.ServiceArgs>;
    scalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
    cpuScaling?: Transform<aws.appautoscaling.PolicyArgs>;
    requestScaling?: Transform<aws.appautoscaling.PolicyArgs>;
  };
}

/**
 * The service on ECS Fargate behind an application load balancer: an ECR repository (immutable tags,
 * scanned on push, KMS), a cluster with Container Insights, a task definition running the release's image
 * as a non-root user on a read-only root file system beside the collector, API and admin keys in Secrets
 * Manager, a task role limited to the statements it is given, and target-tracking autoscaling.
 */
export class Service extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly key: aws.kms.Key;
  readonly repository: aws.ecr.Repository;
  readonly cluster: aws.ecs.Cluster;
  readonly taskRole: aws.iam.Role;
  readonly executionRole: aws.iam.Role;
  readonly taskDefinition: aws.ecs.TaskDefinition;
  readonly loadBalancer: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  readonly service: aws.ecs.Service;
  readonly apiKey: aws.secretsmanager.Secret;
  readonly adminKey: aws.secretsmanager.Secret;

  constructor(name: string, args: ServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(`${componentPrefix}:Service`, name, {}, opts);
    // The children's inner functions below take the component as their parent (SST's pattern).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const parent = this;
    const t = args.transform ?? {};
    const { tags, production } = args;
    const id = identity(parent);
    const port = defaultServicePort;
    const size = args.size ?? { cpu: 1024, memory: 2048 };
    const scaling = args.scaling ?? { cpuPercent: 60, requestsPerTarget: 300 };
    const https = Boolean(args.certificateArn);

    const key = encryptionKey({
      parent,
      name: `${name}-key`,
      description: `${args.serviceName} images and secrets`,
      tags,
      production,
      transform: t.key,
    });
    const repository = createRepository();
    const cluster = createCluster();
    const apiKey = createKey('api-key', 'API key clients send in the Authorization header', t.apiKey);
    const adminKey = createKey('admin-key', 'Admin API key (traces, feedback, interactions)', t.adminKey);
    const executionRole = createExecutionRole();
    const taskRole = createTaskRole();
    const taskDefinition = createTaskDefinition();
    const loadBalancer = createLoadBalancer();
    const targetGroup = createTargetGroup();
    const listener = createListeners();
    const service = createService();
    createAutoscaling();

    this.key = key;
    this.repository = repository;
    this.cluster = cluster;
    this.apiKey = apiKey;
    this.adminKey = adminKey;
    this.executionRole = executionRole;
    this.taskRole = taskRole;
    this.taskDefinition = taskDefinition;
    this.loadBalancer = loadBalancer;
    this.targetGroup = targetGroup;
    this.service = service;
    this.url = pulumi.interpolate`${https ? 'https' : 'http'}://${loadBalancer.dnsName}`;
    this.registerOutputs({ url: this.url });

    function createRepository() {
      return new aws.ecr.Repository(
        ...transform(
          t.repository,
          `${name}-repository`,
          {
            name: physicalName([args.serviceName], 256),
            imageTagMutability: 'IMMUTABLE',
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: 'KMS', kmsKey: key.arn }],
            forceDelete: !production,
            tags,
          },
          { parent },
        ),
      );
    }

    function createCluster() {
      return new aws.ecs.Cluster(
        ...transform(
          t.cluster,
          `${name}-cluster`,
          {
            name: physicalName([args.serviceName], 255),
            settings: [{ name: 'containerInsights', value: 'enhanced' }],
            tags,
          },
          { parent },
        ),
      );
    }

    function createKey(
      suffix: string,
      description: string,
      change: Transform<aws.secretsmanager.SecretArgs> | undefined,
    ) {
      const secret = new aws.secretsmanager.Secret(
        ...transform(
          change,
          `${name}-${suffix}`,
          {
            name: `genai/${args.serviceName}/${suffix}`,
            description,
            kmsKeyId: key.arn,
            recoveryWindowInDays: production ? 30 : 7,
            tags,
          },
          { parent },
        ),
      );
      // Generated once by Secrets Manager; later runs keep the stored value (rotate it with put-secret-value).
      const generated = aws.secretsmanager.getRandomPasswordOutput(
        { passwordLength: 48, excludePunctuation: true },
        { parent },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-${suffix}`,
        { secretId: secret.id, secretString: pulumi.secret(generated.randomPassword) },
        { parent, ignoreChanges: ['secretString'] },
      );
      return secret;
    }

    function createExecutionRole() {
      const role = new aws.iam.Role(
        ...transform(
          t.executionRole,
          `${name}-execution`,
          {
            description: 'ECS pulls the image, writes the logs and reads the secrets of the service',
            assumeRolePolicy: serviceTrust('ecs-tasks.amazonaws.com', id.accountId),
            tags,
          },
          { parent },
        ),
      );
      const secretArns: pulumi.Input<string>[] = [apiKey.arn, adminKey.arn];
      const keyArns: pulumi.Input<string>[] = [key.arn];
      if (args.databaseSecret) {
        secretArns.push(args.databaseSecret.arn);
        keyArns.push(args.databaseSecret.keyArn);
      }
      const repositories: pulumi.Input<string>[] = [repository.arn];
      const imageRepository = ecrRepositoryArn(args.release.image, id.partition);
      if (imageRepository) repositories.push(imageRepository);
      new aws.iam.RolePolicy(
        `${name}-execution`,
        {
          role: role.id,
          policy: policyDocument([
            // ECR issues registry tokens for the account only; the action takes no resource.
            { Sid: 'RegistryToken', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
            {
              Sid: 'PullImage',
              Effect: 'Allow',
              Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
              Resource: repositories,
            },
            {
              Sid: 'WriteLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: [pulumi.interpolate`${args.logGroup.arn}:log-stream:*`],
            },
            { Sid: 'ReadSecrets', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretArns },
            { Sid: 'DecryptSecrets', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: keyArns },
          ]),
        },
        { parent },
      );
      return role;
    }

    function createTaskRole() {
      const role = new aws.iam.Role(
        ...transform(
          t.taskRole,
          `${name}-task`,
          {
            description: 'The service: its model, its vector store, its telemetry; nothing else',
            assumeRolePolicy: serviceTrust('ecs-tasks.amazonaws.com', id.accountId),
            tags,
          },
          { parent },
        ),
      );
      new aws.iam.RolePolicy(
        `${name}-task`,
        { role: role.id, policy: pulumi.output(args.taskStatements).apply((s) => policyDocument(s)) },
        { parent },
      );
      return role;
    }

    function createTaskDefinition() {
      const secrets: { name: string; valueFrom: pulumi.Input<string> }[] = [
        { name: 'GENAI_API_KEYS', valueFrom: apiKey.arn },
        { name: 'GENAI_ADMIN_KEY', valueFrom: adminKey.arn },
      ];
      if (args.databaseSecret) {
        secrets.push(
          { name: 'PGUSER', valueFrom: pulumi.interpolate`${args.databaseSecret.arn}:username::` },
          { name: 'PGPASSWORD', valueFrom: pulumi.interpolate`${args.databaseSecret.arn}:password::` },
        );
      }
      const healthCheck = `node -e "fetch('http://127.0.0.1:${port}${healthPath}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"`;
      const containers = pulumi
        .all([
          pulumi.output(args.environment),
          pulumi.output(secrets),
          pulumi.output(args.logGroup.name),
          id.region,
          pulumi.output(args.sidecars ?? []),
        ])
        .apply(([environment, resolvedSecrets, logGroup, region, sidecars]) =>
          JSON.stringify([
            {
              name: 'service',
              image: args.release.image,
              essential: true,
              user: '1000:1000',
              readonlyRootFilesystem: true,
              portMappings: [{ containerPort: port, protocol: 'tcp' }],
              environment: [
                { name: 'GENAI_RELEASE_ID', value: args.release.id },
                { name: 'HOST', value: '0.0.0.0' },
                { name: 'PORT', value: String(port) },
                { name: 'GENAI_DATA_DIR', value: '/tmp/genai' },
                ...environment,
              ],
              secrets: resolvedSecrets,
              mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false }],
              healthCheck: {
                command: ['CMD-SHELL', healthCheck],
                interval: 15,
                timeout: 5,
                retries: 3,
                startPeriod: 60,
              },
              logConfiguration: {
                logDriver: 'awslogs',
                options: { 'awslogs-group': logGroup, 'awslogs-region': region, 'awslogs-stream-prefix': 'service' },
              },
              ...(sidecars.length
                ? { dependsOn: sidecars.map((s) => ({ containerName: s['name'], condition: 'START' })) }
                : {}),
            },
            ...sidecars,
          ]),
        );
      return new aws.ecs.TaskDefinition(
        ...transform(
          t.taskDefinition,
          `${name}-task`,
          {
            family: physicalName([args.serviceName], 255),
            requiresCompatibilities: ['FARGATE'],
            networkMode: 'awsvpc',
            cpu: String(size.cpu),
            memory: String(size.memory),
            runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
            executionRoleArn: executionRole.arn,
            taskRoleArn: taskRole.arn,
            containerDefinitions: containers,
            volumes: [{ name: 'tmp' }],
            tags,
          },
          { parent },
        ),
      );
    }

    function createLoadBalancer() {
      return new aws.lb.LoadBalancer(
        ...transform(
          t.loadBalancer,
          `${name}-lb`,
          {
            name: physicalName([args.serviceName], 32),
            loadBalancerType: 'application',
            internal: !args.publicLoadBalancer,
            subnets: args.network.loadBalancerSubnetIds,
            securityGroups: [args.network.loadBalancerSecurityGroupId],
            dropInvalidHeaderFields: true,
            enableDeletionProtection: production,
            idleTimeout: 120,
            tags,
          },
          { parent },
        ),
      );
    }

    function createTargetGroup() {
      return new aws.lb.TargetGroup(
        ...transform(
          t.targetGroup,
          `${name}-targets`,
          {
            port,
            protocol: 'HTTP',
            targetType: 'ip',
            vpcId: args.network.vpcId,
            deregistrationDelay: 30,
            healthCheck: {
              path: healthPath,
              matcher: '200',
              interval: 15,
              timeout: 5,
              healthyThreshold: 2,
              unhealthyThreshold: 3,
            },
            tags,
          },
          { parent },
        ),
      );
    }

    function createListeners() {
      const forward = [{ type: 'forward', targetGroupArn: targetGroup.arn }];
      if (!https) {
        return new aws.lb.Listener(
          ...transform(
            t.listener,
            `${name}-http`,
            { loadBalancerArn: loadBalancer.arn, port: 80, protocol: 'HTTP', defaultActions: forward, tags },
            { parent },
          ),
        );
      }
      new aws.lb.Listener(
        `${name}-redirect`,
        {
          loadBalancerArn: loadBalancer.arn,
          port: 80,
          protocol: 'HTTP',
          defaultActions: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
          tags,
        },
        { parent },
      );
      return new aws.lb.Listener(
        ...transform(
          t.listener,
          `${name}-https`,
          {
            loadBalancerArn: loadBalancer.arn,
            port: 443,
            protocol: 'HTTPS',
            sslPolicy: tlsPolicy,
            certificateArn: args.certificateArn!,
            defaultActions: forward,
            tags,
          },
          { parent },
        ),
      );
    }

    function createService() {
      return new aws.ecs.Service(
        ...transform(
          t.service,
          `${name}-service`,
          {
            name: physicalName([args.serviceName], 255),
            cluster: cluster.arn,
            taskDefinition: taskDefinition.arn,
            desiredCount: args.scale.min,
            launchType: 'FARGATE',
            networkConfiguration: {
              subnets: args.network.taskSubnetIds,
              securityGroups: [args.network.serviceSecurityGroupId],
              assignPublicIp: false,
            },
            loadBalancers: [{ targetGroupArn: targetGroup.arn, containerName: 'service', containerPort: port }],
            healthCheckGracePeriodSeconds: 60,
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: 100,
            deploymentMaximumPercent: 200,
            enableExecuteCommand: false,
            propagateTags: 'SERVICE',
            waitForSteadyState: true,
            tags,
          },
          // Autoscaling owns the running count once the service exists.
          { parent, dependsOn: [listener], ignoreChanges: ['desiredCount'] },
        ),
      );
    }

    function createAutoscaling() {
      const target = new aws.appautoscaling.Target(
        ...transform(
          t.scalingTarget,
          `${name}-scaling`,
          {
            serviceNamespace: 'ecs',
            resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
            scalableDimension: 'ecs:service:DesiredCount',
            minCapacity: args.scale.min,
            maxCapacity: args.scale.max,
            tags,
          },
          { parent },
        ),
      );
      const policy = (
        suffix: string,
        change: Transform<aws.appautoscaling.PolicyArgs> | undefined,
        tracking: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
      ) =>
        new aws.appautoscaling.Policy(
          ...transform(
            change,
            `${name}-${suffix}`,
            {
              policyType: 'TargetTrackingScaling',
              serviceNamespace: target.serviceNamespace,
              resourceId: target.resourceId,
              scalableDimension: target.scalableDimension,
              targetTrackingScalingPolicyConfiguration: tracking,
            },
            { parent },
          ),
        );
      policy('cpu', t.cpuScaling, {
        predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        targetValue: scaling.cpuPercent,
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
      });
      policy('requests', t.requestScaling, {
        predefinedMetricSpecification: {
          predefinedMetricType: 'ALBRequestCountPerTarget',
          resourceLabel: pulumi.interpolate`${loadBalancer.arnSuffix}/${targetGroup.arnSuffix}`,
        },
        targetValue: scaling.requestsPerTarget,
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
      });
    }
  }

  /** The underlying resources. */
  get nodes() {
    return {
      key: this.key,
      repository: this.repository,
      cluster: this.cluster,
      apiKey: this.apiKey,
      adminKey: this.adminKey,
      executionRole: this.executionRole,
      taskRole: this.taskRole,
      taskDefinition: this.taskDefinition,
      loadBalancer: this.loadBalancer,
      targetGroup: this.targetGroup,
      service: this.service,
    };
  }
}
