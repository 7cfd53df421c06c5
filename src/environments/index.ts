import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import type { LoadedManifest, Manifest } from '../manifest/index.js';
import type { Target } from '../vocabulary.js';
import { devForeground, startEphemeralService as startEphemeral } from './dev.js';
import type { EnvironmentDriver, EnvironmentOutputs, ResolvedEnvironment } from './driver.js';
import { localDriver, type ResolvedLocalEnvironment } from './local.js';
import { cloudDriver } from './cloud/driver.js';

export type {
  DeployableRelease,
  Deployment,
  EnvironmentDriver,
  EnvironmentOutputs,
  PreviewResult,
  RefreshResult,
  ResolvedEnvironment,
  RunningRelease,
  StopResult,
} from './driver.js';
export type { CloudOutputs } from './cloud/record.js';
export { IMAGE_DIGEST } from './cloud/spec.js';
export type { LocalOutputs, UpResult } from './local.js';
export type { Snapshot } from './project.js';
export { ensureBuilt } from './project.js';
export { isAlive } from './state.js';
export { renderOutputs } from './render.js';

/**
 * The cheapest preflight of ENV, before genai.yaml is even validated: when the manifest cache (dependency-free)
 * says ENV is a cloud environment, the Pulumi CLI must be on PATH — found in a few milliseconds, so a
 * missing CLI is reported before zod, yaml or Pulumi load. Without a cache entry the driver checks it later.
 */
export async function quickPreflight(cwd: string, env: string): Promise<void> {
  const { readCachedManifest } = await import('../manifest/cache.js');
  const target = (await readCachedManifest(cwd))?.manifest.environments[env]?.target;
  if (target === 'aws' || target === 'kubernetes') (await import('./cloud/preflight.js')).checkPulumiCli();
}

/** Finds ENV in genai.yaml (default: the first local environment), located errors for unknown names. */
export async function resolveEnvironment(cwd: string, env: string | undefined): Promise<ResolvedEnvironment> {
  const { loadManifest } = await import('../manifest/index.js');
  const projectDir = resolve(cwd);
  return environmentIn(projectDir, await loadManifest(projectDir), env);
}

/** ENV of a manifest already loaded, so a command that names several environments reads genai.yaml once. */
export async function environmentIn(
  projectDir: string,
  loaded: LoadedManifest,
  env: string | undefined,
): Promise<ResolvedEnvironment> {
  const { closest, locate } = await import('../manifest/index.js');
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
  const entry = manifest.environments[name];
  if (!entry) {
    const [near] = closest(name, names);
    throw usageError('E_UNKNOWN_ENV', `no environment "${name}" in genai.yaml (it has ${names.join(', ')})`, {
      location: at(['environments'], 'key'),
      fix: near ? `did you mean ${near}?` : 'add it under environments in genai.yaml',
    });
  }
  const resolved: ResolvedEnvironment = {
    projectDir,
    manifest,
    env: name,
    entry,
    targetLocation: at(['environments', name, 'target']),
    locate: (field) => at(field),
  };
  if (entry.target === 'local' && entry.port !== undefined) {
    resolved.portLocation = `${at(['environments', name, 'port'])} environments.${name}.port`;
  }
  return resolved;
}

/** Settings a command line may add to an environment's entry. */
export interface DriverOptions {
  /** --port: wins over genai.yaml (local target). */
  port?: number | undefined;
}

/** One driver per target of the vocabulary: adding a target means adding its driver here. */
const drivers: { [T in Target]: (resolved: ResolvedEnvironment, options: DriverOptions) => EnvironmentDriver } = {
  local: (resolved, options) => localDriver(asLocal(resolved, options)),
  aws: (resolved) => cloudDriver(resolved),
  kubernetes: (resolved) => cloudDriver(resolved),
};

function asLocal(resolved: ResolvedEnvironment, options: DriverOptions): ResolvedLocalEnvironment {
  const manifestPort = resolved.entry.target === 'local' ? resolved.entry.port : undefined;
  return {
    ...resolved,
    port: options.port ?? manifestPort,
    portLocation: options.port !== undefined ? '--port' : resolved.portLocation,
  };
}

/** The driver of ENV, whatever its target. */
export function driverFor(resolved: ResolvedEnvironment, options: DriverOptions = {}): EnvironmentDriver {
  return drivers[resolved.entry.target](resolved, options);
}

/** Resolves ENV and returns its driver. */
export async function openEnvironment(
  cwd: string,
  env: string,
  options: DriverOptions = {},
): Promise<EnvironmentDriver> {
  return driverFor(await resolveEnvironment(cwd, env), options);
}

export async function outputs(cwd: string, env: string): Promise<EnvironmentOutputs> {
  return (await openEnvironment(cwd, env)).outputs();
}

export async function destroy(cwd: string, env: string, onStep?: (line: string) => void) {
  await quickPreflight(cwd, env);
  const driver = await openEnvironment(cwd, env);
  await driver.preflight();
  return driver.stop(onStep);
}

/** `genai refresh ENV`: reads the environment's real state back into its record. */
export async function refresh(cwd: string, env: string, onStep?: (line: string) => void) {
  await quickPreflight(cwd, env);
  const driver = await openEnvironment(cwd, env);
  await driver.preflight();
  return driver.refresh(onStep);
}

export async function dev(
  cwd: string,
  env: string | undefined,
  options: DriverOptions,
  onReady: Parameters<typeof devForeground>[1],
) {
  const resolved = await resolveEnvironment(cwd, env);
  if (resolved.entry.target !== 'local') {
    throw usageError(
      'E_DEV_TARGET',
      `genai dev runs local environments; ${resolved.env} has target ${resolved.entry.target}`,
      {
        location: resolved.targetLocation,
        fix: 'name an environment with target: local, e.g. genai dev --env local',
      },
    );
  }
  return devForeground(asLocal(resolved, options), onReady);
}

/** The base URL of a running environment (exit 3 when it is not running). */
export async function environmentEndpoint(cwd: string, env: string): Promise<string> {
  return (await outputs(cwd, env)).url;
}

/** The project's service on a free port with fresh data, for one eval run. */
export async function startEphemeralService(cwd: string): Promise<{ url: string; stop(): Promise<void> }> {
  const projectDir = resolve(cwd);
  const { loadManifest } = await import('../manifest/index.js');
  const { manifest } = await loadManifest(projectDir);
  return startEphemeral({ projectDir, manifest });
}

export type { Manifest };
