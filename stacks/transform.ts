import type * as pulumi from '@pulumi/pulumi';

/**
 * A change to one child resource's arguments, as in SST v3: either fields to merge over the component's
 * own arguments, or a function that edits the arguments and options in place. Every component takes a
 * `transform` object with one optional entry per child, so a project adjusts any child without forking
 * the kit (its `infra/transforms.ts`).
 *
 * @example
 * { cluster: { backupRetentionPeriod: 35 } }
 * { cluster: (args) => { args.preferredBackupWindow = '02:00-03:00'; } }
 */
export type Transform<Args> = Partial<Args> | ((args: Args, opts: pulumi.CustomResourceOptions, name: string) => void);

/** Applies a component's transform for one child: returns the name, arguments and options to construct it with. */
export function transform<Args extends object>(
  change: Transform<Args> | undefined,
  name: string,
  args: Args,
  opts: pulumi.CustomResourceOptions,
): [string, Args, pulumi.CustomResourceOptions] {
  if (typeof change === 'function') {
    change(args, opts, name);
    return [name, args, opts];
  }
  return [name, { ...args, ...change }, opts];
}
