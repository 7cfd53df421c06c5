import * as pulumi from '@pulumi/pulumi';

/** Provider-shaped JSON, as the engine hands it over: untyped by nature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Inputs = Record<string, any>;

/** Exported by the runtime but absent from its declarations: waits for every outstanding registration. */
const { waitForRPCs } = pulumi.runtime as unknown as { waitForRPCs(): Promise<void> };

/** One resource as the program declared it: what the policies and the assertions read. */
export interface RecordedResource {
  type: string;
  name: string;
  /** The inputs as the provider would receive them (outputs resolved). */
  inputs: Inputs;
  custom: boolean;
  /** The provider reference (`URN::ID`) the resource was registered with, when it names one. */
  provider?: string | undefined;
}

export interface MockedRun<T> {
  resources: RecordedResource[];
  /** Every URN the mock monitor computed; the same URN twice would mean one resource silently replaces another. */
  urns: string[];
  /** How many registrations the monitor received (equal to urns.length when every URN is unique). */
  registrations: number;
  outputs: T;
}

/**
 * Runs a Pulumi program in-process under `pulumi.runtime.setMocks` (docs/architecture.md §4; no CLI, no
 * plugins): inputs are echoed back as state, ids are `NAME-id`, and every registration is recorded.
 * Programs must be imported after the first call (their providers read the mocked settings), hence the
 * `load` callback. Runs may follow one another in one process: each call installs a fresh mock monitor.
 */
export async function runUnderMocks<T>(
  project: string,
  stack: string,
  load: () => Promise<() => T | Promise<T>>,
  config: Record<string, string> = {},
): Promise<MockedRun<pulumi.Unwrap<T>>> {
  const resources: RecordedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          custom: args.custom ?? true,
          provider: args.provider,
        });
        return { id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:aws:mock:::${args.name}` } };
      },
      call(args) {
        return mockCall(args.token, args.inputs);
      },
    },
    project,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(config);
  const program = await load();
  const outputs = await resolve(await program());
  await waitForRPCs();
  const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources(): Map<string, unknown> };
  const urns = [...monitor.getRegisteredResources().keys()];
  return { resources, urns, registrations: resources.length, outputs: outputs as pulumi.Unwrap<T> };
}

/** Answers the data-source calls the stacks make, as the provider would for a plain account. */
function mockCall(token: string, inputs: Inputs): Inputs {
  switch (token) {
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: '123456789012', arn: 'arn:aws:iam::123456789012:user/ci', userId: 'AIDA' };
    case 'aws:index/getRegion:getRegion':
      return { name: inputs.region ?? 'eu-west-1', region: inputs.region ?? 'eu-west-1' };
    case 'aws:index/getPartition:getPartition':
      return { partition: 'aws', dnsSuffix: 'amazonaws.com' };
    case 'aws:index/getAvailabilityZones:getAvailabilityZones':
      return { names: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], zoneIds: ['euw1-az1', 'euw1-az2', 'euw1-az3'] };
    default:
      return inputs;
  }
}

/** Waits for every output inside a value (objects, arrays) and returns the plain value. */
async function resolve(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    return new Promise((done) => (value as pulumi.Output<unknown>).apply((v) => done(v)));
  }
  if (Array.isArray(value)) return Promise.all(value.map(resolve));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolve(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}
