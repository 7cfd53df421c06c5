import { usageError } from '../errors.js';
import type { Target } from '../vocabulary.js';

/** What a pipeline is generated from: the parts of genai.yaml (and package.json) that shape it. */
export interface PipelineInput {
  /** The service's name (genai.yaml `name`). */
  name: string;
  /** The environments in promotion order, as genai.yaml lists them. */
  environments: Record<string, { target: Target; region?: string | undefined }>;
  /** Environments whose promotions need a human approval (genai.yaml `promotion.approval`). */
  approval?: readonly string[] | undefined;
  /** genai.yaml `promotion.order`, when set: the delivery follows it instead of the listing order. */
  order?: readonly string[] | undefined;
  /** The project's `engines.node` range; CI runs on the oldest Node it allows. */
  nodeEngine?: string | undefined;
}

/** One environment of the delivery chain, as the pipeline deploys it. */
export interface DeliveryStage {
  env: string;
  target: Target;
  /** AWS region of an aws environment. */
  region?: string | undefined;
  /** The environment the release comes from; absent for the first, which deploys the new release. */
  from?: string | undefined;
  /** A person approves this step (the environment is listed under promotion.approval). */
  approval: boolean;
}

export interface PipelineSpec {
  service: string;
  /** Node.js major version the jobs run on. */
  nodeVersion: string;
  /** Deploy the first, then promote through the rest, in order. */
  stages: DeliveryStage[];
}

/** @default '20': the oldest Node the generated service supports. */
export const DEFAULT_NODE_VERSION = '20';

/** Environment names are also job ids, concurrency groups and shell words: the manifest's rule, checked again. */
const SAFE_NAME = /^[a-z][a-z0-9-]{0,30}$/;

/** Position in promotion.order; environments it leaves out go last, in their listing order. */
const rank = (order: readonly string[], env: string) => (order.includes(env) ? order.indexOf(env) : order.length);

/**
 * The delivery chain of a project. A project with cloud environments delivers through those (a `local`
 * environment beside them is for development); a local-only project delivers through all of its
 * environments, which then live on the CI runner for the length of a job: a rehearsal of the promotion.
 */
export function pipelineSpec(input: PipelineInput): PipelineSpec {
  const all = Object.entries(input.environments).map(([env, e]) => ({ env, target: e.target, region: e.region }));
  for (const { env } of all) {
    if (!SAFE_NAME.test(env)) {
      throw usageError('E_CI_ENVIRONMENT', `environment name "${env}" cannot name a CI job`, {
        field: `environments.${env}`,
        fix: 'use lower-case letters, digits and hyphens, starting with a letter',
      });
    }
  }
  if (all.length === 0) {
    throw usageError('E_CI_NO_ENVIRONMENT', 'genai.yaml defines no environment to deliver to', {
      field: 'environments',
      fix: 'add one, e.g. dev: { target: local }',
    });
  }
  for (const { env, target, region } of all) {
    if (target === 'aws' && !region) {
      throw usageError('E_CI_REGION', `the aws environment "${env}" has no region`, {
        field: `environments.${env}.region`,
        fix: 'add its region, e.g. region: eu-west-1',
      });
    }
  }
  const order = input.order;
  const ordered = order ? [...all].sort((a, b) => rank(order, a.env) - rank(order, b.env)) : all;
  const cloud = ordered.filter((e) => e.target !== 'local');
  const chain = cloud.length > 0 ? cloud : ordered;
  const approval = new Set(input.approval ?? []);
  return {
    service: input.name,
    nodeVersion: nodeMajor(input.nodeEngine),
    stages: chain.map((e, i) => ({
      env: e.env,
      target: e.target,
      region: e.target === 'aws' ? e.region : undefined,
      from: i > 0 ? chain[i - 1]!.env : undefined,
      approval: approval.has(e.env),
    })),
  };
}

/** The first major version a semver range names (`>=20.19.0` → `20`), else the default. */
function nodeMajor(range: string | undefined): string {
  const major = range ? /(\d+)/.exec(range)?.[1] : undefined;
  return major ?? DEFAULT_NODE_VERSION;
}

/** The environment the nightly eval watches: the last of the chain, where users are. */
export const watchedStage = (spec: PipelineSpec): DeliveryStage => spec.stages[spec.stages.length - 1]!;
