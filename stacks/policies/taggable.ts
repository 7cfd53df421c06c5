import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Whether an AWS resource type takes `tags`, read from the installed `@pulumi/aws` (the same version the stacks
 * are written against): the Args interface of `aws:MODULE/FILE:Class` lives in `MODULE/FILE.d.ts`. Reading the
 * one declaration file per type, once, keeps the pack in step with the provider without a generated table or
 * loading the provider itself (seconds). `undefined` when the declaration can't be found.
 */
export function awsTypeTakesTags(type: string): boolean | undefined {
  if (!cache.has(type)) cache.set(type, lookUp(type));
  return cache.get(type);
}

const cache = new Map<string, boolean | undefined>();
const listings = new Map<string, string[]>();
let awsRoot: string | null | undefined;

function lookUp(type: string): boolean | undefined {
  const match = /^aws:([^/]+)\/([^:]+):(\w+)$/.exec(type);
  const root = packageRoot();
  if (!match || !root) return undefined;
  const [, module, file, className] = match as unknown as [string, string, string, string];
  const folder = module === 'index' ? root : join(root, module);
  // A few files differ from the token in case (`guardduty/ipset.d.ts` for `iPSet`) or dodge the module's
  // barrel (`kendra/index_.d.ts` for `index`): take the first candidate that declares the Args interface.
  const wanted = [`${file}.d.ts`, `${file}_.d.ts`].map((n) => n.toLowerCase());
  const candidates = listing(folder).filter((n) => wanted.includes(n.toLowerCase()));
  const pattern = new RegExp(`export interface ${className}Args \\{([\\s\\S]*?)\\n\\}`);
  for (const candidate of candidates) {
    const args = pattern.exec(readFileSync(join(folder, candidate), 'utf8'));
    if (args) return /\n {4}tags\??:/.test(args[1] ?? '');
  }
  return candidates.length > 0 ? false : undefined;
}

function listing(folder: string): string[] {
  if (!listings.has(folder)) {
    try {
      listings.set(folder, readdirSync(folder));
    } catch {
      listings.set(folder, []);
    }
  }
  return listings.get(folder) ?? [];
}

function packageRoot(): string | null {
  if (awsRoot === undefined) {
    try {
      awsRoot = dirname(createRequire(import.meta.url).resolve('@pulumi/aws/package.json'));
    } catch {
      awsRoot = null;
    }
  }
  return awsRoot;
}
