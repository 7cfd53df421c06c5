import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import { closest, loadManifest, locate, type Manifest } from '../manifest/index.js';
import {
  destroyLocal,
  outputsLocal,
  upLocal,
  type ResolvedLocalEnvironment,
  type LocalOutputs,
  type UpResult,
} from './local.js';
import { devForeground, startEphemeralService as startEphemeral } from './dev.js';

export type { LocalOutputs, UpResult } from './local.js';
export type { Snapshot } from './project.js';
export { ensureBuilt } from './project.js';
export { isAlive } from './state.js';

/** Finds ENV in genai.yaml and checks that this version can drive its target. */
export async function resolveEnvironment(
  cwd: string,
  env: string | undefined,
  options: { port?: number } = {},
): Promise<ResolvedLocalEnvironment> {
  const projectDir = resolve(cwd);
  const loaded = await loadManifest(projectDir);
  const { manifest } = loaded;
  const at = (field: (string | number)[], mode: 'value' | 'key' = 'value') =>
    locate(loaded.file, loaded.document, loaded.lineCounter, field, mode).location;
  const names = Object.keys(manifest.environments);
  const name = env ?? names.find((n) => manifest.environments[n]?.target === 'local');
  if (!name) {
    throw usageError('E_NO_LOCAL_ENV', 'genai.yaml has no environment with target: local', {
      location: at(['environments'], 'key'),
      field: 'environments',
      fix: 'add one, e.g. "local: { target: local }"',
    });
  }
  const spec = manifest.environments[name];
  if (!spec) {
    const [near] = closest(name, names);
    throw usageError('E_UNKNOWN_ENV', `no environment "${name}" in genai.yaml (it has ${names.join(', ')})`, {
      location: at(['environments'], 'key'),
      fix: near ? `did you mean ${near}?` : 'add it under environments in genai.yaml',
    });
  }
  if (spec.target !== 'local') {
    throw usageError(
      'E_TARGET_UNSUPPORTED',
      `environment ${name} has target ${spec.target}, which this version of genai cannot provision yet`,
      {
        location: at(['environments', name, 'target']),
        field: `environments.${name}.target`,
        fix: 'use an environment with target: local (genai up local) until the cloud stacks land',
      },
    );
  }
  const manifestPort = 'port' in spec && typeof spec.port === 'number' ? spec.port : undefined;
  return {
    projectDir,
    manifest,
    env: name,
    port: options.port ?? manifestPort,
    portLocation:
      options.port !== undefined
        ? '--port'
        : manifestPort !== undefined
          ? `${at(['environments', name, 'port'])} environments.${name}.port`
          : undefined,
  };
}

export async function up(
  cwd: string,
  env: string,
  options: { port?: number; onStep?: (line: string) => void } = {},
): Promise<UpResult> {
  return upLocal(await resolveEnvironment(cwd, env, options), options.onStep);
}

export async function outputs(cwd: string, env: string): Promise<LocalOutputs> {
  return outputsLocal(await resolveEnvironment(cwd, env));
}

export async function destroy(cwd: string, env: string) {
  return destroyLocal(await resolveEnvironment(cwd, env));
}

export async function dev(
  cwd: string,
  env: string | undefined,
  options: { port?: number },
  onReady: Parameters<typeof devForeground>[1],
) {
  return devForeground(await resolveEnvironment(cwd, env, options), onReady);
}

/** The base URL of a running environment (exit 3 when it is not running). */
export async function environmentEndpoint(cwd: string, env: string): Promise<string> {
  return (await outputs(cwd, env)).url;
}

/** The project's service on a free port with fresh data, for one eval run. */
export async function startEphemeralService(cwd: string): Promise<{ url: string; stop(): Promise<void> }> {
  const projectDir = resolve(cwd);
  const { manifest } = await loadManifest(projectDir);
  return startEphemeral({ projectDir, manifest });
}

export type { Manifest };
