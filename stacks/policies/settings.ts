import type { PolicyConfigSchema } from '@pulumi/policy';
import type { PolicyConfigJSONSchema } from '@pulumi/policy/schema.js';
import type { DataClass } from '../spec.js';

/**
 * What the pack is told about one environment; the driver derives it from genai.yaml and passes it with
 * `--policy-pack-config` (per policy, see `policyPackConfig`). Dependency-free, so the driver can build the
 * config file without loading `@pulumi/policy`.
 */
export interface PolicySettings {
  /** Regions the environment's resources may live in (constraints.regions). Empty: the region policy does not apply. */
  regions: string[];
  /** The most sensitive data the service handles (constraints.dataClass). */
  dataClass: DataClass;
  /** The last environment of the promotion order: deletion protection and final snapshots are required. */
  production: boolean;
  /** AWS tag keys every taggable resource carries; Kubernetes objects carry them as `genai.dev/KEY` labels. */
  requiredTags: string[];
}

export const DEFAULT_REQUIRED_TAGS: readonly string[] = ['service', 'environment', 'cost-centre'];

/** Prefix of the Kubernetes labels that carry the required tags: `genai.dev/service`, … */
export const LABEL_PREFIX = 'genai.dev/';

/**
 * The longest retention (days) a log group may have per data class; `undefined`: not bounded. pii: one year,
 * long enough for incident review, short enough for data minimisation (GDPR art. 5(1)(e)). phi: six years
 * (2192 days, a CloudWatch retention value), the HIPAA retention period for required documentation
 * (45 CFR 164.316(b)(2)) that invocation and audit logs of PHI access fall under.
 */
export const MAX_LOG_RETENTION_DAYS: Readonly<Record<DataClass, number | undefined>> = {
  public: undefined,
  internal: undefined,
  pii: 365,
  phi: 2192,
};

export const DEFAULT_SETTINGS: Readonly<PolicySettings> = {
  regions: [],
  dataClass: 'internal',
  production: false,
  requiredTags: [...DEFAULT_REQUIRED_TAGS],
};

export type SettingName = keyof PolicySettings;

/** The JSON Schema of each setting, as a policy's `configSchema` declares it (the Pulumi CLI validates and fills defaults). */
export const SETTING_SCHEMAS: Readonly<Record<SettingName, PolicyConfigJSONSchema>> = {
  regions: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    default: [...DEFAULT_SETTINGS.regions],
    description: 'Regions the resources may live in (genai.yaml constraints.regions).',
  },
  dataClass: {
    type: 'string',
    enum: ['public', 'internal', 'pii', 'phi'],
    default: DEFAULT_SETTINGS.dataClass,
    description: 'The most sensitive data the service handles (genai.yaml constraints.dataClass).',
  },
  production: {
    type: 'boolean',
    default: DEFAULT_SETTINGS.production,
    description: 'The environment serves users: deletion protection and final snapshots are required.',
  },
  requiredTags: {
    type: 'array',
    items: { type: 'string', minLength: 1 },
    default: [...DEFAULT_REQUIRED_TAGS],
    description: `Tag keys every taggable AWS resource carries; Kubernetes objects carry them as ${LABEL_PREFIX}KEY labels.`,
  },
};

/** A policy's `configSchema` for the settings it reads. */
export function configSchemaOf(names: readonly SettingName[]): PolicyConfigSchema {
  return { properties: Object.fromEntries(names.map((n) => [n, SETTING_SCHEMAS[n]])) };
}

/** Settings from what a policy's `getConfig()` returned, with the defaults for what is missing. */
export function settingsFrom(config: Partial<PolicySettings> | undefined): PolicySettings {
  return {
    regions: config?.regions ?? [...DEFAULT_SETTINGS.regions],
    dataClass: config?.dataClass ?? DEFAULT_SETTINGS.dataClass,
    production: config?.production ?? DEFAULT_SETTINGS.production,
    requiredTags: config?.requiredTags ?? [...DEFAULT_SETTINGS.requiredTags],
  };
}

/**
 * The content of the `--policy-pack-config` file: Pulumi configures each policy on its own
 * (`{ "policy-name": { key: value } }`), so every policy that reads settings gets the keys its schema declares.
 */
export function policyPackConfig(
  settings: Partial<PolicySettings>,
  policies: readonly { name: string; configSchema?: { properties: Record<string, unknown> } }[],
): Record<string, Record<string, unknown>> {
  const full = settingsFrom(settings);
  const config: Record<string, Record<string, unknown>> = {};
  for (const policy of policies) {
    const keys = Object.keys(policy.configSchema?.properties ?? {}) as SettingName[];
    if (keys.length > 0) config[policy.name] = Object.fromEntries(keys.map((k) => [k, full[k]]));
  }
  return config;
}
