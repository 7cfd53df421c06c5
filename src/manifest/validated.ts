// Dependency-free until genai.yaml changed: commands that only read the manifest (cost, status) start
// without loading zod and yaml.
import { readCachedManifest } from './cache.js';
import type { AssumedConstraint } from './defaults.js';
import type { Manifest } from './schema.js';

/**
 * The validated manifest: from the cache when genai.yaml is unchanged (the validator is not even loaded),
 * else validated now (located errors, exit 2) and cached for the next command.
 */
export async function readValidatedManifest(
  cwd: string,
): Promise<{ manifest: Manifest; assumed: AssumedConstraint[] }> {
  const cached = await readCachedManifest(cwd);
  if (cached) return cached;
  const { loadManifest } = await import('./load.js');
  return loadManifest(cwd);
}
