import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { usageError } from '../../errors.js';
import type { StackSpec } from 'genai-kit/stacks';

/**
 * The kit's stack programs, one per cloud target, by module specifier: the package resolves them through
 * its own `exports` (genai-kit/stacks/aws → dist/stacks/aws/index.js). A table of strings, imported only
 * when the Pulumi engine runs the program, so nothing here loads a provider.
 */
const stackModules: { [T in StackSpec['target']]: string } = {
  aws: 'genai-kit/stacks/aws',
  kubernetes: 'genai-kit/stacks/kubernetes',
};

/** What a stack module exports: the program of one environment, given its spec and the project's transforms. */
interface StackModule {
  program(spec: StackSpec, transforms?: unknown): unknown;
}

/**
 * The inline program of one stack: reads the spec from the stack's configuration (`genai:spec`, set by the
 * driver before every up and preview, so a refresh or destroy runs exactly what the last up ran), then runs
 * the kit's program for its target with the project's transforms.
 */
export function inlineProgram(transforms: unknown): () => Promise<Record<string, unknown>> {
  return async () => {
    const { Config } = await import('@pulumi/pulumi');
    const spec = new Config('genai').requireObject<StackSpec>('spec');
    const stack = (await import(stackModules[spec.target])) as StackModule;
    const forTarget = (transforms as Partial<Record<StackSpec['target'], unknown>> | undefined)?.[spec.target];
    return (await stack.program(spec, forTarget)) as Record<string, unknown>;
  };
}

/**
 * infra/transforms.ts (or .js/.mts/.mjs) of the project: changes to the stacks' children, per target, typed
 * against their Args (`ProjectTransforms` of genai-kit/stacks).
 */
export const TRANSFORM_FILES = [
  'infra/transforms.ts',
  'infra/transforms.mts',
  'infra/transforms.js',
  'infra/transforms.mjs',
];

/**
 * Loads the project's transforms with jiti (TypeScript without a build step), or undefined when the project
 * has none. A file that does not load is the user's to fix (exit 2), located at its file and line.
 */
export async function loadTransforms(projectDir: string): Promise<unknown> {
  const file = TRANSFORM_FILES.map((name) => join(projectDir, name)).find((path) => existsSync(path));
  if (!file) return undefined;
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false });
  try {
    const loaded = (await jiti.import(file)) as { default?: unknown; transforms?: unknown };
    const transforms = loaded.default ?? loaded.transforms;
    if (transforms === null || typeof transforms !== 'object') {
      throw new TypeError('it exports no transforms object (export default { … })');
    }
    return transforms;
  } catch (error) {
    const where = relative(projectDir, file);
    const message = String((error as Error).message ?? error).split('\n')[0] ?? 'it does not load';
    const line = /:(\d+):(\d+)/.exec(String((error as Error).stack ?? ''))?.slice(1, 3);
    throw usageError('E_TRANSFORMS', `${where} does not load: ${message.replace(file, where)}`, {
      location: line && String((error as Error).stack).includes(file) ? `${where}:${line[0]}:${line[1]}` : where,
      fix: `fix ${where} (npx tsc --noEmit checks it against the stacks' Args), or remove it`,
      cause: error,
    });
  }
}
