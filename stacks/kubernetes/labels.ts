import type { KubernetesStackSpec } from '../spec.js';

/** The labels every object of one environment carries: who it belongs to, for selection and cost reports. */
export type Labels = Record<string, string>;

/**
 * The environment's labels, from `spec.tags`: the recommended `app.kubernetes.io/*` set plus the kit's
 * service, environment and cost-centre labels (the Kubernetes form of the AWS tags). Components add
 * `app.kubernetes.io/component` themselves.
 */
export function environmentLabels(spec: KubernetesStackSpec): Labels {
  const tag = (...names: string[]) => {
    const wanted = names.map(normalize);
    return Object.entries(spec.tags).find(([key]) => wanted.includes(normalize(key)))?.[1];
  };
  return {
    'app.kubernetes.io/name': labelValue(spec.project),
    'app.kubernetes.io/instance': labelValue(`${spec.project}-${spec.env}`),
    'app.kubernetes.io/part-of': labelValue(spec.project),
    'app.kubernetes.io/managed-by': 'pulumi',
    'genai.dev/service': labelValue(tag('service') ?? spec.project),
    'genai.dev/environment': labelValue(tag('environment', 'env') ?? spec.env),
    'genai.dev/cost-centre': labelValue(tag('cost-centre', 'cost-center', 'costcentre', 'costcenter') ?? 'unassigned'),
  };
}

/** A component's labels: the environment's plus its component name. */
export function componentLabels(labels: Labels, component: string): Labels {
  return { ...labels, 'app.kubernetes.io/component': component };
}

/**
 * The labels a selector matches on: stable across releases (a Deployment's selector is immutable), so no
 * version and no tags that an edit of genai.yaml could change.
 */
export function selectorLabels(labels: Labels): Labels {
  const keys = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component'];
  return Object.fromEntries(keys.filter((key) => labels[key] !== undefined).map((key) => [key, labels[key]!]));
}

function normalize(key: string): string {
  return key.toLowerCase().replace(/[^a-z]/g, '');
}

/** A valid label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric. */
export function labelValue(value: string): string {
  const cleaned = value
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned || 'unset';
}
