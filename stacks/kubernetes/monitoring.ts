import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { StackSpecBase } from '../spec.js';
import { transform, type Transform } from '../transform.js';
import { componentLabels, labelValue, selectorLabels, type Labels } from './labels.js';
import { containerSecurity, podSecurity, serviceHost } from './security.js';

/** Defaults, stated once; the JSDoc `@default`s below repeat them. */
export const monitoringDefaults = {
  collectorImage: 'otel/opentelemetry-collector-contrib:0.111.0',
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
};

/** The collector's ports: OTLP in, Prometheus out. */
export const collectorPorts = { otlpGrpc: 4317, otlpHttp: 4318, metrics: 8889 } as const;

/**
 * The metric names the alerts and the dashboard read, as Prometheus sees them. Request counts and
 * latencies come from the collector's spanmetrics connector (every span of the pipeline, by span name);
 * tokens follow the OpenTelemetry GenAI conventions; cost, guardrail blocks, judge scores and feedback are
 * the service's own instruments, exported over OTLP.
 */
export const metrics = {
  calls: 'genai_spans_calls_total',
  duration: 'genai_spans_duration_milliseconds_bucket',
  tokens: 'gen_ai_client_token_usage_sum',
  cost: 'genai_cost_usd_total',
  guardrailBlocks: 'genai_guardrail_blocks_total',
  judgeScore: 'genai_judge_score',
  feedback: 'genai_feedback_total',
} as const;

export interface MonitoringArgs {
  /**
   * Namespace of every object.
   * @example 'cycle-assistant-prod'
   */
  namespace: pulumi.Input<string>;
  /**
   * Namespace name used in the alert and dashboard queries (Prometheus labels every scraped series with it).
   * @example 'cycle-assistant-prod'
   */
  namespaceName: string;
  /**
   * Service name: the `service.name` of its spans, and the dashboard's title.
   * @example 'cycle-assistant'
   */
  service: string;
  /**
   * Environment name, in the dashboard's title and uid.
   * @example 'prod'
   */
  env: string;
  /**
   * Alert thresholds.
   * @example { latencyP95Ms: 3000, errorRate: 0.02, judgeScore: 0.8, costUsdPerHour: 20 }
   */
  alarms: StackSpecBase['alarms'];
  /**
   * Page someone (severity critical) rather than warn.
   * @default false
   * @example true
   */
  production?: boolean;
  /**
   * Labels put on every object, besides `app.kubernetes.io/component: monitoring`.
   * @default {}
   * @example { 'genai.dev/environment': 'prod' }
   */
  labels?: Labels;
  /**
   * Labels the Prometheus Operator selects PrometheusRules and ServiceMonitors by (its `ruleSelector`).
   * @default {}
   * @example { release: 'kube-prometheus-stack' }
   */
  prometheusLabels?: Labels;
  /**
   * Labels of the pods that may send OTLP to the collector: the service's.
   * @example { 'app.kubernetes.io/component': 'service', 'app.kubernetes.io/instance': 'cycle-assistant-prod' }
   */
  clients: Labels;
  /**
   * Base URL of the cluster's Grafana, which loads dashboards from ConfigMaps labelled `grafana_dashboard: "1"`.
   * @default none: `dashboardUrl` is then the path `/d/UID` on that Grafana
   * @example 'https://grafana.example.com'
   */
  grafanaUrl?: string;
  /**
   * Container image of the collector (the contrib build: it has the Prometheus exporter and spanmetrics).
   * @default 'otel/opentelemetry-collector-contrib:0.111.0'
   * @example 'otel/opentelemetry-collector-contrib:0.120.0'
   */
  collectorImage?: string;
  /**
   * Changes to the child resources' arguments.
   * @default {}
   * @example { rule: (args) => { args.metadata = { ...args.metadata, labels: { release: 'prom' } }; } }
   */
  transform?: {
    collectorConfig?: Transform<k8s.core.v1.ConfigMapArgs>;
    collector?: Transform<k8s.apps.v1.DeploymentArgs>;
    collectorService?: Transform<k8s.core.v1.ServiceArgs>;
    collectorNetworkPolicy?: Transform<k8s.networking.v1.NetworkPolicyArgs>;
    serviceMonitor?: Transform<k8s.apiextensions.CustomResourceArgs>;
    rule?: Transform<k8s.apiextensions.CustomResourceArgs>;
    dashboard?: Transform<k8s.core.v1.ConfigMapArgs>;
  };
}

/**
 * The environment's observability: an OpenTelemetry collector the service sends traces and metrics to,
 * turning spans into request and latency metrics for Prometheus; a PrometheusRule alerting on latency,
 * errors, judge scores and spend; and a Grafana dashboard.
 */
export class Monitoring extends pulumi.ComponentResource {
  /** Where the service sends OTLP over HTTP: http://NAME.NAMESPACE.svc.cluster.local:4318. */
  readonly otlpEndpoint: pulumi.Output<string>;
  /** The dashboard: GRAFANA/d/UID, or the path /d/UID when no Grafana URL is known. */
  readonly dashboardUrl: string;
  private readonly children: {
    collectorConfig: k8s.core.v1.ConfigMap;
    collector: k8s.apps.v1.Deployment;
    collectorService: k8s.core.v1.Service;
    collectorNetworkPolicy: k8s.networking.v1.NetworkPolicy;
    serviceMonitor: k8s.apiextensions.CustomResource;
    rule: k8s.apiextensions.CustomResource;
    dashboard: k8s.core.v1.ConfigMap;
  };

  constructor(name: string, args: MonitoringArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('genai:kubernetes:Monitoring', name, {}, opts);
    const labels = componentLabels(args.labels ?? {}, 'monitoring');
    const selector = selectorLabels(labels);
    const namespace = pulumi.output(args.namespace);
    const scope = `namespace="${args.namespaceName}"`;
    const server = `${scope}, span_kind="SPAN_KIND_SERVER"`;
    const uid = labelValue(`${args.service}-${args.env}`).slice(0, 40);
    const collectorName = `${name}-collector`;
    const rate = (filter: string) => `sum(rate(${metrics.calls}{${filter}}[5m]))`;
    // Fresh options per child: a function transform may edit them.
    const child = (): pulumi.CustomResourceOptions => ({ parent: this });

    const collectorConfig = createCollectorConfig();
    const collector = createCollector();
    const collectorService = createCollectorService();
    const collectorNetworkPolicy = createCollectorNetworkPolicy();
    const serviceMonitor = createServiceMonitor();
    const rule = createRule();
    const dashboard = createDashboard();

    this.otlpEndpoint = pulumi.interpolate`http://${namespace.apply((ns) => serviceHost(collectorName, ns))}:${collectorPorts.otlpHttp}`;
    this.dashboardUrl = `${args.grafanaUrl?.replace(/\/+$/, '') ?? ''}/d/${uid}`;
    this.children = {
      collectorConfig,
      collector,
      collectorService,
      collectorNetworkPolicy,
      serviceMonitor,
      rule,
      dashboard,
    };
    this.registerOutputs({ otlpEndpoint: this.otlpEndpoint, dashboardUrl: this.dashboardUrl });

    function metadata(objectName: string, extra: Labels = {}) {
      return { name: objectName, namespace, labels: { ...labels, ...extra } };
    }

    function createCollectorConfig() {
      const config = {
        receivers: {
          otlp: {
            protocols: {
              grpc: { endpoint: `0.0.0.0:${collectorPorts.otlpGrpc}` },
              http: { endpoint: `0.0.0.0:${collectorPorts.otlpHttp}` },
            },
          },
        },
        processors: {
          memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
          batch: {},
        },
        connectors: {
          // Request counts and latency histograms per span name (every pipeline step), in milliseconds.
          spanmetrics: {
            namespace: 'genai.spans',
            histogram: {
              unit: 'ms',
              explicit: { buckets: ['50ms', '100ms', '250ms', '500ms', '1s', '2s', '3s', '5s', '10s', '30s'] },
            },
            dimensions: [{ name: 'http.response.status_code' }],
          },
        },
        exporters: {
          prometheus: {
            endpoint: `0.0.0.0:${collectorPorts.metrics}`,
            resource_to_telemetry_conversion: { enabled: false },
          },
        },
        extensions: { health_check: { endpoint: '0.0.0.0:13133' } },
        service: {
          extensions: ['health_check'],
          pipelines: {
            traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['spanmetrics'] },
            metrics: {
              receivers: ['otlp', 'spanmetrics'],
              processors: ['memory_limiter', 'batch'],
              exporters: ['prometheus'],
            },
          },
        },
      };
      return new k8s.core.v1.ConfigMap(
        ...transform(
          args.transform?.collectorConfig,
          `${collectorName}-config`,
          // JSON is YAML: the collector reads it as its config file.
          { metadata: metadata(`${collectorName}-config`), data: { 'config.yaml': JSON.stringify(config, null, 2) } },
          child(),
        ),
      );
    }

    function createCollector() {
      const health = { httpGet: { path: '/', port: 13133 } };
      return new k8s.apps.v1.Deployment(
        ...transform(
          args.transform?.collector,
          collectorName,
          {
            metadata: metadata(collectorName),
            spec: {
              replicas: 1,
              selector: { matchLabels: selector },
              template: {
                metadata: { labels },
                spec: {
                  automountServiceAccountToken: false,
                  enableServiceLinks: false,
                  securityContext: podSecurity(10001),
                  containers: [
                    {
                      name: 'otel-collector',
                      image: args.collectorImage ?? monitoringDefaults.collectorImage,
                      args: ['--config=/conf/config.yaml'],
                      ports: [
                        { name: 'otlp-grpc', containerPort: collectorPorts.otlpGrpc, protocol: 'TCP' },
                        { name: 'otlp-http', containerPort: collectorPorts.otlpHttp, protocol: 'TCP' },
                        { name: 'metrics', containerPort: collectorPorts.metrics, protocol: 'TCP' },
                      ],
                      resources: monitoringDefaults.resources,
                      securityContext: containerSecurity(),
                      readinessProbe: { ...health, periodSeconds: 10 },
                      livenessProbe: { ...health, periodSeconds: 20 },
                      volumeMounts: [{ name: 'config', mountPath: '/conf', readOnly: true }],
                    },
                  ],
                  volumes: [{ name: 'config', configMap: { name: collectorConfig.metadata.name } }],
                },
              },
            },
          },
          child(),
        ),
      );
    }

    function createCollectorService() {
      return new k8s.core.v1.Service(
        ...transform(
          args.transform?.collectorService,
          collectorName,
          {
            metadata: metadata(collectorName),
            spec: {
              type: 'ClusterIP',
              selector,
              ports: [
                { name: 'otlp-grpc', port: collectorPorts.otlpGrpc, targetPort: 'otlp-grpc', protocol: 'TCP' },
                { name: 'otlp-http', port: collectorPorts.otlpHttp, targetPort: 'otlp-http', protocol: 'TCP' },
                { name: 'metrics', port: collectorPorts.metrics, targetPort: 'metrics', protocol: 'TCP' },
              ],
            },
          },
          child(),
        ),
      );
    }

    function createCollectorNetworkPolicy() {
      return new k8s.networking.v1.NetworkPolicy(
        ...transform(
          args.transform?.collectorNetworkPolicy,
          collectorName,
          {
            metadata: metadata(collectorName),
            spec: {
              podSelector: { matchLabels: selector },
              policyTypes: ['Ingress'],
              ingress: [
                {
                  from: [{ podSelector: { matchLabels: args.clients } }],
                  ports: [
                    { protocol: 'TCP', port: collectorPorts.otlpGrpc },
                    { protocol: 'TCP', port: collectorPorts.otlpHttp },
                  ],
                },
                // Prometheus runs in its own namespace: any namespace may scrape, on the metrics port only.
                { from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: collectorPorts.metrics }] },
              ],
            },
          },
          child(),
        ),
      );
    }

    function createServiceMonitor() {
      return new k8s.apiextensions.CustomResource(
        ...transform(
          args.transform?.serviceMonitor,
          collectorName,
          {
            apiVersion: 'monitoring.coreos.com/v1',
            kind: 'ServiceMonitor',
            metadata: metadata(collectorName, args.prometheusLabels),
            spec: {
              selector: { matchLabels: selector },
              endpoints: [{ port: 'metrics', interval: '30s', path: '/metrics' }],
            },
          },
          { ...child(), dependsOn: [collectorService] },
        ),
      );
    }

    function createRule() {
      const severity = args.production ? 'critical' : 'warning';
      const { alarms } = args;
      const alert = (alertName: string, expr: string, forDuration: string, summary: string) => ({
        alert: alertName,
        expr,
        for: forDuration,
        labels: { severity, service: args.service, environment: args.env },
        annotations: { summary, dashboard: `/d/${uid}` },
      });
      return new k8s.apiextensions.CustomResource(
        ...transform(
          args.transform?.rule,
          name,
          {
            apiVersion: 'monitoring.coreos.com/v1',
            kind: 'PrometheusRule',
            metadata: metadata(name, args.prometheusLabels),
            spec: {
              groups: [
                {
                  name: `${args.service}-${args.env}`,
                  interval: '1m',
                  rules: [
                    alert(
                      'GenaiLatencyP95High',
                      `histogram_quantile(0.95, sum by (le) (rate(${metrics.duration}{${server}}[5m]))) > ${alarms.latencyP95Ms}`,
                      '10m',
                      `p95 latency of ${args.service} (${args.env}) is above ${alarms.latencyP95Ms} ms`,
                    ),
                    alert(
                      'GenaiErrorRateHigh',
                      `${rate(`${server}, status_code="STATUS_CODE_ERROR"`)} / ${rate(server)} > ${alarms.errorRate}`,
                      '5m',
                      `more than ${alarms.errorRate * 100}% of requests to ${args.service} (${args.env}) fail`,
                    ),
                    alert(
                      'GenaiJudgeScoreLow',
                      `avg(avg_over_time(${metrics.judgeScore}{${scope}}[1h])) < ${alarms.judgeScore}`,
                      '15m',
                      `online judge score of ${args.service} (${args.env}) is below ${alarms.judgeScore}`,
                    ),
                    alert(
                      'GenaiCostRateHigh',
                      `sum(rate(${metrics.cost}{${scope}}[1h])) * 3600 > ${alarms.costUsdPerHour}`,
                      '15m',
                      `${args.service} (${args.env}) spends more than ${alarms.costUsdPerHour} USD an hour`,
                    ),
                  ],
                },
              ],
            },
          },
          child(),
        ),
      );
    }

    function createDashboard() {
      const panel = (id: number, title: string, unit: string, ...exprs: [string, string][]) => ({
        id,
        title,
        type: 'timeseries',
        gridPos: { h: 8, w: 12, x: ((id - 1) % 2) * 12, y: Math.floor((id - 1) / 2) * 8 },
        fieldConfig: { defaults: { unit }, overrides: [] },
        targets: exprs.map(([expr, legendFormat], i) => ({
          refId: String.fromCharCode(65 + i),
          expr,
          legendFormat,
        })),
      });
      const dashboardJson = {
        uid,
        title: `${args.service} (${args.env})`,
        tags: ['genai', args.service, args.env],
        timezone: 'utc',
        schemaVersion: 39,
        time: { from: 'now-6h', to: 'now' },
        panels: [
          panel(1, 'Requests', 'reqps', [rate(server), 'requests/s']),
          panel(
            2,
            'Latency per step',
            'ms',
            [
              `histogram_quantile(0.5, sum by (le, span_name) (rate(${metrics.duration}{${scope}}[5m])))`,
              'p50 {{span_name}}',
            ],
            [
              `histogram_quantile(0.95, sum by (le, span_name) (rate(${metrics.duration}{${scope}}[5m])))`,
              'p95 {{span_name}}',
            ],
          ),
          panel(3, 'Errors', 'percentunit', [
            `${rate(`${server}, status_code="STATUS_CODE_ERROR"`)} / ${rate(server)}`,
            'error rate',
          ]),
          panel(4, 'Tokens', 'short', [
            `sum by (gen_ai_token_type) (rate(${metrics.tokens}{${scope}}[5m]))`,
            '{{gen_ai_token_type}}',
          ]),
          panel(5, 'Cost', 'currencyUSD', [`sum(rate(${metrics.cost}{${scope}}[1h])) * 3600`, 'USD per hour']),
          panel(6, 'Guardrail blocks', 'short', [
            `sum by (guardrail) (increase(${metrics.guardrailBlocks}{${scope}}[1h]))`,
            '{{guardrail}}',
          ]),
          panel(7, 'Judge scores', 'percentunit', [`avg by (judge) (${metrics.judgeScore}{${scope}})`, '{{judge}}']),
          panel(8, 'Feedback', 'short', [
            `sum by (rating) (increase(${metrics.feedback}{${scope}}[1h]))`,
            '{{rating}}',
          ]),
        ],
      };
      return new k8s.core.v1.ConfigMap(
        ...transform(
          args.transform?.dashboard,
          `${name}-dashboard`,
          {
            metadata: metadata(`${name}-dashboard`, { grafana_dashboard: '1' }),
            data: { [`${uid}.json`]: JSON.stringify(dashboardJson) },
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
