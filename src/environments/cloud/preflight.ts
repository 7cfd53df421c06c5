import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { environmentError } from '../../errors.js';
import type { ResolvedEnvironment } from '../driver.js';
import type { CloudSettings } from './settings.js';

/**
 * What a cloud environment needs on this machine, checked before any work and before anything heavy is
 * imported: the Pulumi CLI on PATH first (a file-system walk, no child process), then the passphrase,
 * then credentials. Each miss is one line with the command that fixes it, exit 3.
 */

export const PULUMI_INSTALL = 'curl -fsSL https://get.pulumi.com | sh (or brew install pulumi/tap/pulumi)';

/** The first executable called `name` on PATH, without starting a process. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function checkPulumiCli(): string {
  const found = findOnPath('pulumi');
  if (!found) {
    throw environmentError('E_NO_PULUMI', 'the Pulumi CLI is not installed (no pulumi on PATH)', {
      fix: `install it: ${PULUMI_INSTALL}, then open a new shell`,
    });
  }
  return found;
}

export function checkPassphrase(settings: CloudSettings, env: NodeJS.ProcessEnv = process.env): void {
  if (settings.secretsProvider !== 'passphrase') return;
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE) return;
  throw environmentError(
    'E_NO_PASSPHRASE',
    `the stack secrets of ${settings.backend.startsWith('file://') ? 'the file' : 'this'} state backend are encrypted with a passphrase, and PULUMI_CONFIG_PASSPHRASE is not set`,
    {
      fix: 'export PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) from your secret store; in CI, from a repository secret; or set state.secretsProvider: awskms://KEY in genai.yaml',
    },
  );
}

/** AWS credentials through the SDK's default chain (env, SSO, profile, container, instance), lazily loaded. */
export async function checkAwsCredentials(region: string): Promise<void> {
  // The kit supports Node 20 with the SDK version it pins; the SDK's notice about its own later versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { BedrockRuntimeClient } = await import('@aws-sdk/client-bedrock-runtime');
  const client = new BedrockRuntimeClient({ region });
  try {
    const credentials = await client.config.credentials();
    if (!credentials.accessKeyId) throw new Error('no access key');
  } catch (error) {
    throw environmentError(
      'E_NO_AWS_CREDENTIALS',
      `no AWS credentials found (${String((error as Error).message).split('\n')[0]})`,
      { fix: 'run aws sso login (or aws configure), or export AWS_PROFILE for the account of this environment' },
    );
  } finally {
    client.destroy();
  }
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name?: string }[];
}

/** The kubeconfig exists and names the context the environment uses (its own, or the current one). */
export async function checkKubeconfig(resolved: ResolvedEnvironment, env: NodeJS.ProcessEnv = process.env) {
  const paths = (env.KUBECONFIG ?? join(homedir(), '.kube', 'config')).split(delimiter).filter(Boolean);
  const present = paths.filter((path) => existsSync(path));
  if (!present.length) {
    throw environmentError('E_NO_KUBECONFIG', `no kubeconfig at ${paths.join(', ') || '~/.kube/config'}`, {
      fix: "get the cluster's credentials, e.g. aws eks update-kubeconfig --name CLUSTER, or export KUBECONFIG=PATH",
    });
  }
  const { parse } = await import('yaml');
  const configs = present.map((path) => (parse(readFileSync(path, 'utf8')) ?? {}) as Kubeconfig);
  const names = configs.flatMap((config) => (config.contexts ?? []).map((c) => c.name).filter(Boolean) as string[]);
  const entry = resolved.entry.target === 'kubernetes' ? resolved.entry : undefined;
  const wanted = entry?.context ?? configs.find((config) => config['current-context'])?.['current-context'];
  if (!wanted) {
    throw environmentError('E_KUBE_CONTEXT', `the kubeconfig has no current context`, {
      location: resolved.locate?.(['environments', resolved.env]) ?? resolved.targetLocation,
      field: `environments.${resolved.env}.context`,
      fix: `set environments.${resolved.env}.context to one of ${names.join(', ') || 'your contexts'}, or kubectl config use-context NAME`,
    });
  }
  if (!names.includes(wanted)) {
    throw environmentError('E_KUBE_CONTEXT', `the kubeconfig has no context "${wanted}"`, {
      location: entry?.context ? resolved.locate?.(['environments', resolved.env, 'context']) : present.join(delimiter),
      field: entry?.context ? `environments.${resolved.env}.context` : undefined,
      fix: names.length ? `use one of ${names.join(', ')}` : 'add the cluster to your kubeconfig',
    });
  }
}

/** Every check of a cloud environment, in the order that finds the cheapest miss first. */
export async function preflight(resolved: ResolvedEnvironment, settings: CloudSettings): Promise<void> {
  checkPulumiCli();
  checkPassphrase(settings);
  const entry = resolved.entry;
  const awsRegion = entry.target === 'aws' ? entry.region : settings.awsRegion;
  if (awsRegion) await checkAwsCredentials(awsRegion);
  if (entry.target === 'kubernetes') await checkKubeconfig(resolved);
}
