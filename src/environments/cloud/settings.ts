import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SECRETS_PROVIDER, DEFAULT_STATE_BACKEND } from '../../manifest/defaults.js';
import type { ResolvedEnvironment } from '../driver.js';

/** The kit's own folder (this file is dist/environments/cloud/settings.js, or src/… under the tests). */
export const KIT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The policy pack every cloud preview and up runs with (stacks/policies, built). */
export const POLICY_PACK = join(KIT_ROOT, 'dist', 'stacks', 'policies');

/** Where and how the Pulumi stacks of a project live, from genai.yaml's `state` section. */
export interface CloudSettings {
  /** file:///absolute/path or s3://bucket[/prefix]. */
  backend: string;
  secretsProvider: string;
  /** The Pulumi workspace folder: Pulumi.yaml and one Pulumi.ENV.yaml per stack. */
  workDir: string;
  /** A region for the AWS SDK when the state or its secrets live in AWS (s3 backend, awskms). */
  awsRegion?: string | undefined;
}

export function cloudSettings(resolved: Pick<ResolvedEnvironment, 'projectDir' | 'manifest'>): CloudSettings {
  const state = resolved.manifest.state ?? {};
  let backend = state.backend ?? DEFAULT_STATE_BACKEND;
  if (backend.startsWith('file://')) {
    const path = backend.slice('file://'.length);
    backend = `file://${isAbsolute(path) ? path : resolve(resolved.projectDir, path)}`;
  }
  const secretsProvider = state.secretsProvider ?? DEFAULT_SECRETS_PROVIDER;
  const inAws = backend.startsWith('s3://') || secretsProvider.startsWith('awskms://');
  const named = /[?&]region=([a-z0-9-]+)/.exec(`${backend} ${secretsProvider}`)?.[1];
  return {
    backend,
    secretsProvider,
    workDir: join(resolved.projectDir, '.genai', 'pulumi'),
    awsRegion: inAws ? (named ?? resolved.manifest.constraints.regions[0]) : undefined,
  };
}
