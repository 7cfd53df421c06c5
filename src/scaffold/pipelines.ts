import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipelineFiles, pipelineSpec, type PipelineSpec } from '../ci/index.js';
import type { CiProvider } from '../vocabulary.js';
import { plannedActions, writeFiles } from './write.js';

export interface WritePipelinesOptions {
  /** Overwrite pipeline files that exist with other content. */
  force?: boolean;
  /** Work out what would be written; write nothing. */
  dryRun?: boolean;
  /** Called once per file, after every file is in place (or at once under dryRun). */
  onFile?: (path: string, action: 'create' | 'overwrite' | 'skip') => void;
}

export interface WritePipelinesResult {
  provider: CiProvider;
  dryRun: boolean;
  spec: PipelineSpec;
  files: { path: string; action: 'create' | 'overwrite' | 'skip' }[];
  /** Under dryRun: files that exist with other content and would stop the write without --force. */
  refused: string[];
}

/**
 * `genai ci PROVIDER`: the project's pipelines from its genai.yaml (the generators of src/ci), written with
 * the scaffold's safe writes (atomic, no silent overwrite). The manifest is loaded here, not at import.
 */
export async function writePipelines(
  projectDir: string,
  provider: CiProvider,
  options: WritePipelinesOptions = {},
): Promise<WritePipelinesResult> {
  const { loadManifest } = await import('../manifest/index.js');
  const { manifest } = await loadManifest(projectDir);
  const spec = pipelineSpec({
    name: manifest.name,
    environments: manifest.environments,
    approval: manifest.promotion.approval,
    order: manifest.promotion.order,
    nodeEngine: await nodeEngine(projectDir),
  });
  const files = pipelineFiles(provider, spec).map((f) => ({ path: f.path, content: Buffer.from(f.content) }));

  if (options.dryRun) {
    const actions = await plannedActions(projectDir, files);
    for (const [path, action] of actions) options.onFile?.(path, action);
    return {
      provider,
      dryRun: true,
      spec,
      files: [...actions].map(([path, action]) => ({ path, action })),
      refused: options.force ? [] : [...actions].filter(([, a]) => a === 'overwrite').map(([path]) => path),
    };
  }
  const actions = await writeFiles(projectDir, files, { force: options.force, onFile: options.onFile });
  return {
    provider,
    dryRun: false,
    spec,
    files: [...actions].map(([path, action]) => ({ path, action })),
    refused: [],
  };
}

/** The project's `engines.node`, when its package.json has one. */
async function nodeEngine(projectDir: string): Promise<string | undefined> {
  try {
    const pkg = JSON.parse(await readFile(join(projectDir, 'package.json'), 'utf8')) as {
      engines?: { node?: unknown };
    };
    return typeof pkg.engines?.node === 'string' ? pkg.engines.node : undefined;
  } catch {
    return undefined;
  }
}
