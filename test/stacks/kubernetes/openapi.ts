import { Ajv } from 'ajv';
import type { RecordedResource } from '../mocks.js';
import { kindOf, plain } from './fixtures.js';

/**
 * Validates recorded objects offline: built-in kinds against the Kubernetes OpenAPI schema through
 * kubernetes-models (its precompiled validators); the Prometheus Operator's kinds, for which no models
 * package is installed, against the structural schema of their CRDs written out below (the fields we use,
 * with additionalProperties closed so a misspelt field fails too).
 */
export async function validateObject(r: RecordedResource): Promise<void> {
  const object = plain(r.inputs);
  const [, groupVersion] = r.type.split(':') as [string, string, string];
  if (groupVersion.startsWith('monitoring.coreos.com/')) {
    const check = crdValidators[kindOf(r)];
    if (!check) throw new Error(`no schema for ${r.type}`);
    if (!check(object)) throw new Error(`${r.type} ${r.name}: ${ajv.errorsText(check.errors)}`);
    return;
  }
  const module = groupVersion.startsWith('core/') ? groupVersion.slice('core/'.length) : groupVersion;
  const models = (await import(`kubernetes-models/${module}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = models[kindOf(r)];
  if (!Model) throw new Error(`kubernetes-models has no ${kindOf(r)} in ${module}`);
  new Model(object).validate();
}

const duration = {
  type: 'string',
  pattern: '^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$',
};
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const metadata = {
  type: 'object',
  required: ['name', 'namespace'],
  properties: {
    name: { type: 'string', minLength: 1 },
    namespace: { type: 'string' },
    labels: stringMap,
    annotations: stringMap,
  },
  additionalProperties: false,
};
const labelSelector = {
  type: 'object',
  properties: { matchLabels: stringMap, matchExpressions: { type: 'array' } },
  additionalProperties: false,
};

const prometheusRule = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'PrometheusRule' },
    metadata,
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        groups: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
              name: { type: 'string', minLength: 1 },
              interval: duration,
              limit: { type: 'integer' },
              rules: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['expr'],
                  additionalProperties: false,
                  // Exactly one of alert and record.
                  oneOf: [{ required: ['alert'] }, { required: ['record'] }],
                  properties: {
                    alert: { type: 'string', minLength: 1 },
                    record: { type: 'string', minLength: 1 },
                    expr: { anyOf: [{ type: 'integer' }, { type: 'string', minLength: 1 }] },
                    for: duration,
                    keep_firing_for: duration,
                    labels: stringMap,
                    annotations: stringMap,
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  additionalProperties: false,
};

const serviceMonitor = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'monitoring.coreos.com/v1' },
    kind: { const: 'ServiceMonitor' },
    metadata,
    spec: {
      type: 'object',
      required: ['selector'],
      additionalProperties: false,
      properties: {
        selector: labelSelector,
        endpoints: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              port: { type: 'string' },
              path: { type: 'string' },
              interval: duration,
              scheme: { enum: ['http', 'https'] },
            },
          },
        },
      },
    },
  },
  additionalProperties: false,
};

const ajv = new Ajv({ allErrors: true, strict: false });
const crdValidators: Record<string, ReturnType<typeof ajv.compile>> = {
  PrometheusRule: ajv.compile(prometheusRule),
  ServiceMonitor: ajv.compile(serviceMonitor),
};
