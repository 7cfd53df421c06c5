import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';
import { componentPrefix, encryptionKey, identity, policyDocument, type PolicyStatement, type Tags } from './common.js';

/** The ADOT collector image run beside the service (OTLP in, X-Ray and CloudWatch EMF out). */
export const collectorImage = 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3';
/** OTLP over HTTP: where the service sends its traces and metrics (localhost inside the task). */
export const otlpHttpPort = 4318;

/**
 * The metrics the service emits (OTLP → EMF) under the namespace `genai/<service>`, with the dimension
 * `Environment`, and `Step` (guard-input, retrieve, generate, guard-output, total) on latency.
 */
export const metricNames = {
  requests: 'Requests',
  errors: 'Errors',
  latency: 'LatencyMs',
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  cost: 'CostUsd',
  guardrailBlocks: 'GuardrailBlocks',
  judgeScore: 'JudgeScore',
  feedbackPositive: 'FeedbackPositive',
  feedbackNegative: 'FeedbackNegative',
} as const;

/** Pipeline steps whose latency the dashboard shows, one line each. */
export const pipelineSteps = ['guard-input', 'retrieve', 'generate', 'guard-output'] as const;

export interface Thresholds {
  latencyP95Ms: number;
  errorRate: number;
  judgeScore: number;
  costUsdPerHour: number;
}

export interface MonitoringArgs {
  /**
   * Service name: the metric namespace is `genai/<service>`.
   * @default spec.project
   * @example "cycle-assistant"
   */
  service: string;
  /**
   * Environment name: the `Environment` dimension of every metric.
   * @default spec.env
   * @example "prod"
   */
  environment: string;
  /**
   * Alarm thresholds.
   * @default spec.alarms
   * @example { latencyP95Ms: 3000, errorRate: 0.02, judgeScore: 0.8, costUsdPerHour: 20 }
   */
  alarms: Thresholds;
  /**
   * The month's budget in US dollars; alerts at 80 % forecast and 100 % actual spend.
   * @default spec.constraints.budgetUsdPerMonth
   * @example 15000
   */
  budgetUsdPerMonth: number;
  /**
   * Cost-allocation tag the budget filters on (must be activated in Billing), as key and value.
   * @default the `environment` tag of spec.tags
   * @example { key: "environment", value: "prod" }
   */
  budgetTag?: { key: string; value: string };
  /**
   * Days the service's and the collector's logs are kept.
   * @default spec.logRetentionDays
   * @example 30
   */
  logRetentionDays: number;
  /**
   * E-mail addresses subscribed to the alarm topic (each confirms once).
   * @default []
   * @example ["oncall@example.com"]
   */
  alertEmails?: string[];
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
   * @example { latencyAlarm: { evaluationPeriods: 5 } }
   */
  transform?: {
    key?: Transform<aws.kms.KeyArgs>;
    topic?: Transform<aws.sns.TopicArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    dashboard?: Transform<aws.cloudwatch.DashboardArgs>;
    latencyAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    errorRateAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    judgeScoreAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    costAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    budget?: Transform<aws.budgets.BudgetArgs>;
  };
}

/**
 * What an environment is watched with: a log group for the service and its collector, a dashboard of the
 * service's metrics, alarms on p95 latency, error rate, judge score and cost rate, a budget, all alerting
 * to one KMS-encrypted SNS topic; and the ADOT collector sidecar that turns the service's OTLP into
 * X-Ray traces and CloudWatch metrics.
 */
export class Monitoring extends pulumi.ComponentResource {
  readonly namespace: string;
  readonly key: aws.kms.Key;
  readonly topic: aws.sns.Topic;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly budget: aws.budgets.Budget;
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(`${componentPrefix}:Monitoring`, name, {}, opts);
    // The children's inner functions below take the component as their parent (SST's pattern).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const parent = this;
    const t = args.transform ?? {};
    const { tags, production } = args;
    const id = identity(parent);
    const namespace = `genai/${args.service}`;
    const dimensions = { Environment: args.environment };
    this.namespace = namespace;

    const key = encryptionKey({
      parent,
      name: `${name}-key`,
      description: `${args.service} ${args.environment} logs and alerts`,
      tags,
      production,
      services: [
        pulumi.interpolate`logs.${id.region}.amazonaws.com`,
        'cloudwatch.amazonaws.com',
        'budgets.amazonaws.com',
      ],
      transform: t.key,
    });
    const topic = createTopic();
    const logGroup = createLogGroup();
    const dashboard = createDashboard();
    const alarms = [createLatencyAlarm(), createErrorRateAlarm(), createJudgeScoreAlarm(), createCostAlarm()];
    const budget = createBudget();
    for (const [i, endpoint] of (args.alertEmails ?? []).entries()) {
      new aws.sns.TopicSubscription(
        `${name}-email-${i + 1}`,
        { topic: topic.arn, protocol: 'email', endpoint },
        { parent },
      );
    }

    this.key = key;
    this.topic = topic;
    this.logGroup = logGroup;
    this.dashboard = dashboard;
    this.alarms = alarms;
    this.budget = budget;
    this.dashboardUrl = pulumi.interpolate`https://${id.region}.console.aws.amazon.com/cloudwatch/home?region=${id.region}#dashboards/dashboard/${dashboard.dashboardName}`;
    this.registerOutputs({ dashboardUrl: this.dashboardUrl, topicArn: topic.arn });

    function createTopic() {
      const created = new aws.sns.Topic(
        ...transform(
          t.topic,
          `${name}-alerts`,
          { displayName: `${args.service} ${args.environment} alerts`, kmsMasterKeyId: key.arn, tags },
          { parent },
        ),
      );
      new aws.sns.TopicPolicy(
        `${name}-alerts`,
        {
          arn: created.arn,
          policy: policyDocument(
            ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com'].map((service) => ({
              Sid: service.split('.')[0]!,
              Effect: 'Allow' as const,
              Principal: { Service: service },
              Action: ['sns:Publish'],
              Resource: [created.arn],
              Condition: { StringEquals: { 'aws:SourceAccount': id.accountId } },
            })),
          ),
        },
        { parent },
      );
      return created;
    }

    function createLogGroup() {
      return new aws.cloudwatch.LogGroup(
        ...transform(
          t.logGroup,
          `${name}-logs`,
          {
            name: `/genai/${args.service}-${args.environment}/service`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: key.arn,
            tags,
          },
          { parent },
        ),
      );
    }

    function metric(metricName: string, extra: Record<string, string> = {}, options: Record<string, unknown> = {}) {
      const dims = Object.entries({ ...dimensions, ...extra }).flat();
      return [namespace, metricName, ...dims, options];
    }

    function widget(title: string, metrics: unknown[][], stat: string, x: number, y: number) {
      return {
        type: 'metric',
        x,
        y,
        width: 12,
        height: 6,
        properties: { title, metrics, stat, period: 300, view: 'timeSeries', region: '${region}' },
      };
    }

    function createDashboard() {
      const m = metricNames;
      const widgets = [
        widget('Requests', [metric(m.requests)], 'Sum', 0, 0),
        widget('Errors', [metric(m.errors)], 'Sum', 12, 0),
        widget(
          'p50 latency per step (ms)',
          pipelineSteps.map((step) => metric(m.latency, { Step: step })),
          'p50',
          0,
          6,
        ),
        widget(
          'p95 latency per step (ms)',
          pipelineSteps.map((step) => metric(m.latency, { Step: step })),
          'p95',
          12,
          6,
        ),
        widget('Tokens', [metric(m.inputTokens), metric(m.outputTokens)], 'Sum', 0, 12),
        widget('Cost (USD)', [metric(m.cost)], 'Sum', 12, 12),
        widget('Guardrail blocks', [metric(m.guardrailBlocks)], 'Sum', 0, 18),
        widget('Judge scores', [metric(m.judgeScore)], 'Average', 12, 18),
        widget('Feedback', [metric(m.feedbackPositive), metric(m.feedbackNegative)], 'Sum', 0, 24),
      ];
      return new aws.cloudwatch.Dashboard(
        ...transform(
          t.dashboard,
          `${name}-dashboard`,
          {
            dashboardName: `${args.service}-${args.environment}`,
            dashboardBody: id.region.apply((region) => JSON.stringify({ widgets }).replaceAll('${region}', region)),
          },
          { parent },
        ),
      );
    }

    function alarmDefaults(description: string) {
      return {
        alarmDescription: description,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
        tags,
      };
    }

    function createLatencyAlarm() {
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          t.latencyAlarm,
          `${name}-latency-p95`,
          {
            ...alarmDefaults(`p95 latency above ${args.alarms.latencyP95Ms} ms (the SLO)`),
            namespace,
            metricName: metricNames.latency,
            dimensions: { ...dimensions, Step: 'total' },
            extendedStatistic: 'p95',
            period: 300,
            evaluationPeriods: 3,
            datapointsToAlarm: 2,
            comparisonOperator: 'GreaterThanThreshold',
            threshold: args.alarms.latencyP95Ms,
            treatMissingData: 'notBreaching',
          },
          { parent },
        ),
      );
    }

    function createErrorRateAlarm() {
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          t.errorRateAlarm,
          `${name}-error-rate`,
          {
            ...alarmDefaults(`More than ${args.alarms.errorRate * 100} % of requests failed over 5 minutes`),
            evaluationPeriods: 1,
            comparisonOperator: 'GreaterThanThreshold',
            threshold: args.alarms.errorRate,
            treatMissingData: 'notBreaching',
            metricQueries: [
              {
                id: 'rate',
                expression: 'IF(requests > 0, errors / requests, 0)',
                label: 'Error rate',
                returnData: true,
              },
              {
                id: 'errors',
                metric: { namespace, metricName: metricNames.errors, dimensions, period: 300, stat: 'Sum' },
              },
              {
                id: 'requests',
                metric: { namespace, metricName: metricNames.requests, dimensions, period: 300, stat: 'Sum' },
              },
            ],
          },
          { parent },
        ),
      );
    }

    function createJudgeScoreAlarm() {
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          t.judgeScoreAlarm,
          `${name}-judge-score`,
          {
            ...alarmDefaults(`Online judge score below ${args.alarms.judgeScore}`),
            namespace,
            metricName: metricNames.judgeScore,
            dimensions,
            statistic: 'Average',
            period: 3600,
            evaluationPeriods: 1,
            comparisonOperator: 'LessThanThreshold',
            threshold: args.alarms.judgeScore,
            treatMissingData: 'missing',
          },
          { parent },
        ),
      );
    }

    function createCostAlarm() {
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          t.costAlarm,
          `${name}-cost-rate`,
          {
            ...alarmDefaults(
              `Model spend above ${args.alarms.costUsdPerHour} USD per hour: the month's budget would be exceeded`,
            ),
            namespace,
            metricName: metricNames.cost,
            dimensions,
            statistic: 'Sum',
            period: 3600,
            evaluationPeriods: 1,
            comparisonOperator: 'GreaterThanThreshold',
            threshold: args.alarms.costUsdPerHour,
            treatMissingData: 'notBreaching',
          },
          { parent },
        ),
      );
    }

    function createBudget() {
      const tag = args.budgetTag ?? { key: 'environment', value: args.environment };
      const notify = (notificationType: string, threshold: number) => ({
        comparisonOperator: 'GREATER_THAN',
        notificationType,
        threshold,
        thresholdType: 'PERCENTAGE',
        subscriberSnsTopicArns: [topic.arn],
      });
      return new aws.budgets.Budget(
        ...transform(
          t.budget,
          `${name}-budget`,
          {
            name: `${args.service}-${args.environment}`,
            budgetType: 'COST',
            limitAmount: args.budgetUsdPerMonth.toFixed(2),
            limitUnit: 'USD',
            timeUnit: 'MONTHLY',
            costFilters: [{ name: 'TagKeyValue', values: [`user:${tag.key}$${tag.value}`] }],
            notifications: [notify('FORECASTED', 80), notify('ACTUAL', 100)],
            tags,
          },
          { parent },
        ),
      );
    }
  }

  /**
   * The ADOT collector container of the service's task: OTLP/HTTP on 4318 from the service, traces to
   * X-Ray, metrics as EMF into the service's log group (CloudWatch turns them into metrics).
   */
  collectorContainer(): pulumi.Output<Record<string, unknown>> {
    const config = [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      http:',
      `        endpoint: 0.0.0.0:${otlpHttpPort}`,
      'processors:',
      '  batch: {}',
      'exporters:',
      '  awsxray: {}',
      '  awsemf:',
      `    namespace: ${this.namespace}`,
      '    log_group_name: LOG_GROUP',
      '    log_stream_name: metrics/{TaskId}',
      '    dimension_rollup_option: NoDimensionRollup',
      'service:',
      '  pipelines:',
      '    traces: { receivers: [otlp], processors: [batch], exporters: [awsxray] }',
      '    metrics: { receivers: [otlp], processors: [batch], exporters: [awsemf] }',
    ].join('\n');
    return pulumi
      .all([this.logGroup.name, aws.getRegionOutput({}, { parent: this }).region])
      .apply(([logGroup, region]): Record<string, unknown> => ({
        name: 'otel-collector',
        image: collectorImage,
        essential: false,
        user: '10001',
        readonlyRootFilesystem: true,
        portMappings: [{ containerPort: otlpHttpPort, protocol: 'tcp' }],
        environment: [{ name: 'AOT_CONFIG_CONTENT', value: config.replace('LOG_GROUP', logGroup) }],
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': logGroup, 'awslogs-region': region, 'awslogs-stream-prefix': 'collector' },
        },
      }));
  }

  /** What the task role needs for the collector: X-Ray segments and the EMF log streams. */
  get statements(): pulumi.Output<PolicyStatement[]> {
    return pulumi.output<PolicyStatement[]>([
      // X-Ray has no resource-level permissions for these actions.
      {
        Sid: 'Traces',
        Effect: 'Allow',
        Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Resource: '*',
      },
      {
        Sid: 'MetricLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Resource: [this.logGroup.arn, pulumi.interpolate`${this.logGroup.arn}:log-stream:*`],
      },
    ]);
  }

  /** The underlying resources. */
  get nodes() {
    return {
      key: this.key,
      topic: this.topic,
      logGroup: this.logGroup,
      dashboard: this.dashboard,
      alarms: this.alarms,
      budget: this.budget,
    };
  }
}
