import { usageError } from '../../errors.js';
import {
  DEFAULT_ALARM_ERROR_RATE,
  DEFAULT_ALARM_JUDGE_SCORE,
  DEFAULT_CLOUD_SCALE,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_MODEL_UNITS,
  MAX_LOG_RETENTION_DAYS,
} from '../../manifest/defaults.js';
import { promotionOrder } from '../../manifest/order.js';
import type { AwsStackSpec, KubernetesStackSpec, StackSpec, StackSpecBase } from 'genai-kit/stacks';
import type { DeployableRelease, ResolvedEnvironment } from '../driver.js';

/**
 * genai.yaml → the spec a cloud stack is given (stacks/spec.ts), for one environment and one release.
 * Pure: no I/O, so every manifest option is tested by what it changes here.
 */

/** Hours in an average month: a budget per month over this is the spend per hour that exhausts it. */
const HOURS_PER_MONTH = 730;
/** CloudWatch accepts these retentions only; a wish in between rounds down. */
const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731] as const;
/** Metrics of evals.thresholds that are not judge scores (latencies, tokens, cost, error rate). */
const NOT_A_SCORE = /(Ms|^tokens|^costUsd|^errorRate)(#\d+)?$/;
/** A container image pinned by digest: REPOSITORY@sha256:HEX. */
export const IMAGE_DIGEST = /^[a-z0-9]+([._/:-][a-z0-9]+)*@sha256:[0-9a-f]{64}$/;

/** The logs retention of an environment: what cost.monitoring asks for, bounded by the data class. */
export function logRetentionDays(dataClass: keyof typeof MAX_LOG_RETENTION_DAYS, asked?: number): number {
  const days = Math.min(asked ?? DEFAULT_LOG_RETENTION_DAYS, MAX_LOG_RETENTION_DAYS[dataClass]);
  return [...CLOUDWATCH_RETENTION_DAYS].reverse().find((allowed) => allowed <= days) ?? 1;
}

/** True for the environment users reach: the last of the promotion order. */
export function isProduction(resolved: Pick<ResolvedEnvironment, 'manifest' | 'env'>): boolean {
  return promotionOrder(resolved.manifest).at(-1) === resolved.env;
}

/** The spec of ENV's stack running `release`; usage errors (exit 2) located in genai.yaml. */
export function specFor(resolved: ResolvedEnvironment, release: DeployableRelease): StackSpec {
  const { manifest, env, entry } = resolved;
  const at = (field: (string | number)[]) => resolved.locate?.(field) ?? resolved.targetLocation;
  if (entry.target === 'local') {
    throw usageError('E_NOT_CLOUD', `environment ${env} has target local, which has no stack`, {
      location: resolved.targetLocation,
    });
  }
  if (release.artifact.kind !== 'image') {
    throw usageError(
      'E_RELEASE_ARTIFACT',
      `release ${release.id} is a local bundle; ${env} (target ${entry.target}) runs a container image`,
      {
        location: resolved.targetLocation,
        fix: `build and push the service image in CI, then genai up ${env} --image REPOSITORY@sha256:DIGEST`,
      },
    );
  }
  const production = isProduction(resolved);
  const { constraints, model } = manifest;
  const selfHosted = model.provider === 'sagemaker' || model.provider === 'vllm';
  if (selfHosted && !model.serving) {
    throw usageError('E_SERVING_MISSING', `model provider ${model.provider} in ${env} needs a model server to run`, {
      location: at(['model', 'provider']),
      field: 'model.serving',
      fix: 'add model.serving: { image: vllm/vllm-openai:v0.6.3, modelData: ..., gpus: 1 }',
    });
  }
  const budget = entry.budgetUsdPerMonth ?? constraints.budgetUsdPerMonth;
  const thresholds = manifest.evals.thresholds ?? {};
  const scores = Object.entries(thresholds)
    .filter(([metric]) => !NOT_A_SCORE.test(metric))
    .map(([, value]) => value);

  const base: StackSpecBase = {
    project: manifest.name,
    env,
    production,
    tags: { service: manifest.name, environment: env, 'cost-centre': constraints.costCentre ?? manifest.name },
    constraints: {
      regions: [...constraints.regions],
      dataClass: constraints.dataClass,
      budgetUsdPerMonth: budget,
      latencyP95Ms: constraints.latencyP95Ms,
    },
    release: { id: release.id, image: release.artifact.digest },
    scale: entry.scale ?? { ...(production ? DEFAULT_CLOUD_SCALE.production : DEFAULT_CLOUD_SCALE.nonProduction) },
    model: {
      provider: model.provider,
      id: model.id,
      throughput: model.throughput,
      maxOutputTokens: model.maxOutputTokens,
      ...(model.baseUrl !== undefined && { baseUrl: model.baseUrl }),
      ...(selfHosted && model.serving && { serving: servingOf(model.serving) }),
      ...(model.throughput === 'provisioned' &&
        model.provider === 'bedrock' && { modelUnits: model.modelUnits ?? DEFAULT_MODEL_UNITS }),
    },
    embeddings: {
      provider: manifest.embeddings.provider,
      id: manifest.embeddings.id,
      dimensions: manifest.embeddings.dimensions,
    },
    vectorStore: { kind: manifest.vectorStore.kind },
    retrieval: { topK: manifest.retrieval.topK },
    alarms: {
      latencyP95Ms: thresholds.latencyP95Ms ?? constraints.latencyP95Ms,
      errorRate: thresholds.errorRate ?? DEFAULT_ALARM_ERROR_RATE,
      judgeScore: scores.length ? Math.min(...scores) : DEFAULT_ALARM_JUDGE_SCORE,
      costUsdPerHour: Math.round((budget / HOURS_PER_MONTH) * 100) / 100,
    },
    logRetentionDays: logRetentionDays(constraints.dataClass, manifest.cost?.monitoring?.logRetentionDays),
  };

  if (entry.target === 'aws') {
    if (!constraints.regions.includes(entry.region)) {
      throw usageError(
        'E_REGION_CONSTRAINT',
        `environment ${env} is in ${entry.region}, outside constraints.regions (${constraints.regions.join(', ')})`,
        {
          location: at(['environments', env, 'region']),
          field: `environments.${env}.region`,
          fix: `use one of ${constraints.regions.join(', ')}, or add ${entry.region} to constraints.regions if the data may live there`,
        },
      );
    }
    const spec: AwsStackSpec = { ...base, target: 'aws', region: entry.region, vpcCidr: entry.vpcCidr };
    if (entry.certificateArn !== undefined) spec.certificateArn = entry.certificateArn;
    if (entry.ciRepository !== undefined) spec.ciRepository = entry.ciRepository;
    return spec;
  }
  const spec: KubernetesStackSpec = {
    ...base,
    target: 'kubernetes',
    namespace: entry.namespace ?? `${manifest.name}-${env}`,
    storageSize: entry.storageSize,
    ciServiceAccount: entry.ciServiceAccount,
  };
  if (entry.context !== undefined) spec.context = entry.context;
  if (entry.storageClass !== undefined) spec.storageClass = entry.storageClass;
  if (entry.host !== undefined) spec.host = entry.host;
  return spec;
}

function servingOf(serving: NonNullable<ResolvedEnvironment['manifest']['model']['serving']>) {
  return {
    image: serving.image,
    gpus: serving.gpus,
    scale: { ...serving.scale },
    ...(serving.modelData !== undefined && { modelData: serving.modelData }),
    ...(serving.instanceType !== undefined && { instanceType: serving.instanceType }),
  };
}
