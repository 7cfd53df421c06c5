import type {
  PolicyResource,
  PolicyProviderResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from '@pulumi/policy';
import { policies as allPolicies } from '../../../stacks/policies/policies.js';
import { policyPackConfig } from '../../../stacks/policies/settings.js';
import type { PolicySettings } from '../../../stacks/policies/settings.js';
import type { RecordedResource } from '../mocks.js';

export interface Violation {
  policy: string;
  type: string;
  name: string;
  urn: string;
  message: string;
}

type Policy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * Runs the pack's policies over what `runUnderMocks` recorded, the way the Pulumi engine calls them: each
 * resource policy's `validateResource` once per resource with the resource's inputs, then each stack policy's
 * `validateStack` once over all resources. Config reaches each policy as the CLI hands it on, from the same
 * `policyPackConfig` file the driver writes. `notApplicable` ends a policy's run for that resource, as in the engine.
 *
 * What the engine knows and the recording lacks is rebuilt from the mocks' conventions: URNs
 * (`urn:pulumi:STACK::PROJECT::TYPE::NAME`), and property dependencies: an input holding `NAME-id` or
 * `arn:aws:mock:::NAME` (the id and ARN the mock monitor gives resource NAME) depends on that resource.
 */
export async function runPolicies(
  resources: RecordedResource[],
  settings: Partial<PolicySettings> = {},
  policies: Policy[] = allPolicies,
): Promise<Violation[]> {
  const config = policyPackConfig(settings, policies);
  const violations: Violation[] = [];
  const stackResources = toPolicyResources(resources);
  for (const policy of policies) {
    const getConfig = <T extends object>() => ({ ...config[policy.name] }) as T;
    if ('validateResource' in policy && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
      for (const r of stackResources) {
        const provider = providerOf(r, stackResources);
        const args: ResourceValidationArgs = {
          ...(provider ? { provider } : {}),
          type: r.type,
          props: r.props,
          urn: r.urn,
          name: r.name,
          opts: r.opts,
          stackTags: new Map(),
          isType: (resourceClass) => pulumiTypeOf(resourceClass) === r.type,
          asType: (resourceClass) => (pulumiTypeOf(resourceClass) === r.type ? (r.props as never) : undefined),
          getConfig,
          notApplicable,
        };
        for (const validate of validations) {
          const report = (message: string) =>
            violations.push({ policy: policy.name, type: r.type, name: r.name, urn: r.urn, message });
          if (!(await notApplicableEnds(() => validate(args, report)))) break;
        }
      }
    }
    if ('validateStack' in policy) {
      const report = (message: string, urn?: string) => {
        const r = stackResources.find((s) => s.urn === urn);
        violations.push({ policy: policy.name, type: r?.type ?? '', name: r?.name ?? '', urn: urn ?? '', message });
      };
      await notApplicableEnds(() =>
        policy.validateStack({ resources: stackResources, stackTags: new Map(), getConfig, notApplicable }, report),
      );
    }
  }
  return violations;
}

/** The messages of one policy's violations, for assertions. */
export function messagesOf(violations: Violation[], policy: string): string[] {
  return violations.filter((v) => v.policy === policy).map((v) => v.message);
}

/** The type token a generated resource class carries, as `@pulumi/policy` reads it. */
function pulumiTypeOf(resourceClass: unknown): string | undefined {
  return (resourceClass as { __pulumiType?: string }).__pulumiType;
}

class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason);
}

/** Runs a validation; false when it declared itself not applicable. */
async function notApplicableEnds(run: () => unknown): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (error instanceof NotApplicable) return false;
    throw error;
  }
}

const OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function toPolicyResources(resources: RecordedResource[]): PolicyResource[] {
  const list: PolicyResource[] = resources.map((r) => ({
    type: r.type,
    name: r.name,
    urn: `urn:pulumi:test::genai::${r.type}::${r.name}`,
    props: r.inputs,
    opts: OPTIONS,
    dependencies: [],
    propertyDependencies: {},
    isType: (resourceClass) => pulumiTypeOf(resourceClass) === r.type,
    asType: (resourceClass) => (pulumiTypeOf(resourceClass) === r.type ? (r.inputs as never) : undefined),
    recordedProvider: (r as { provider?: string }).provider,
  }));
  const byReference = new Map<string, PolicyResource[]>();
  for (const r of list) {
    for (const reference of [`${r.name}-id`, `arn:aws:mock:::${r.name}`]) {
      byReference.set(reference, [...(byReference.get(reference) ?? []), r]);
    }
  }
  for (const r of list) {
    for (const [key, value] of Object.entries(r.props)) {
      const targets = stringsIn(value)
        .flatMap((s) => byReference.get(s) ?? [])
        .filter((t) => t !== r);
      if (targets.length > 0) r.propertyDependencies[key] = [...new Set(targets)];
    }
    r.dependencies = [...new Set(Object.values(r.propertyDependencies).flat())];
  }
  return list;
}

/**
 * The provider a resource was registered with, when the recording names one (`URN::ID`, recorded by mocks that
 * keep `args.provider`): found among the recorded resources by the type and name its URN ends with.
 */
function providerOf(r: PolicyResource, resources: PolicyResource[]): PolicyProviderResource | undefined {
  const reference = (r as { recordedProvider?: string }).recordedProvider;
  const urn = reference?.split('::').slice(0, -1).join('::');
  const [type, name] = urn?.split('::').slice(-2) ?? [];
  const provider = resources.find((p) => p.type === type && p.name === name);
  return provider ? { type: provider.type, name: provider.name, urn: provider.urn, props: provider.props } : undefined;
}

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
