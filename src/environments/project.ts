import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { environmentError, lastOutputLine, splitFix, usageError } from '../errors.js';
import type { Manifest } from '../manifest/index.js';

/** The newest modification time under a folder (0 when absent). */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the service when dist/ is missing or older than src/, so `up` never serves stale code. */
export async function ensureBuilt(projectDir: string): Promise<'built' | 'fresh'> {
  const server = join(projectDir, 'dist', 'server.js');
  if (!existsSync(join(projectDir, 'package.json'))) {
    throw usageError('E_NOT_A_SERVICE', `${projectDir} has no package.json`, {
      fix: 'run genai in a project made by genai init',
    });
  }
  if (existsSync(server) && statSync(server).mtimeMs >= newestMtime(join(projectDir, 'src'))) return 'fresh';
  if (!existsSync(join(projectDir, 'node_modules'))) {
    throw environmentError('E_NOT_INSTALLED', `the project's dependencies are not installed`, {
      fix: 'run npm install in the project',
    });
  }
  const { execa } = await import('execa');
  const result = await execa('npm', ['run', 'build', '--silent'], { cwd: projectDir, reject: false, all: true });
  if (result.failed) {
    const first =
      String(result.all ?? '')
        .split('\n')
        .find((l) => /error/i.test(l)) ??
      result.shortMessage ??
      'npm run build failed';
    throw usageError('E_BUILD', `the service does not build: ${first.trim()}`, {
      fix: 'fix the error, then run npm run build',
    });
  }
  return 'built';
}

export interface Snapshot {
  id: string;
  documents: number;
  chunks: number;
}

/** Loads data/ into the environment's store (a no-op when the corpus is unchanged). */
export async function ingest(
  projectDir: string,
  dataDir: string,
  serviceEnv: Record<string, string>,
): Promise<Snapshot> {
  const { execa } = await import('execa');
  const result = await execa(process.execPath, ['dist/ingest.js'], {
    cwd: projectDir,
    env: { ...serviceEnv, GENAI_DATA_DIR: dataDir },
    reject: false,
    all: true,
  });
  const match = /snapshot (\S+): (\d+) documents?, (\d+) chunks?/.exec(String(result.stdout ?? ''));
  if (result.failed || !match) {
    // The service's own error line carries its fix ("set GENAI_CHAT_MODEL …"): that one is the message's fix.
    const last = splitFix(lastOutputLine(result.all, result.shortMessage));
    throw environmentError('E_INGEST', `ingest failed: ${last.text}`, {
      fix: last.fix ?? 'run npm run ingest in the project to see the whole error',
    });
  }
  return { id: match[1]!, documents: Number(match[2]), chunks: Number(match[3]) };
}

/** The service's variables for the manifest's model, plus the project's .env (which wins). */
export function serviceEnvironment(projectDir: string, manifest: Manifest): Record<string, string> {
  const env: Record<string, string> = {};
  if (manifest.model.provider === 'openai-compatible') {
    if (manifest.model.baseUrl) env.OPENAI_BASE_URL = manifest.model.baseUrl;
    env.GENAI_CHAT_MODEL = manifest.model.id;
    env.GENAI_EMBEDDING_MODEL = manifest.embeddings.id;
    env.GENAI_EMBEDDING_DIMENSIONS = String(manifest.embeddings.dimensions);
  }
  const dotenv = join(projectDir, '.env');
  if (existsSync(dotenv)) Object.assign(env, parseEnv(readFileSync(dotenv, 'utf8')));
  return env;
}

/**
 * What every start of the service needs first, whether in the background, the foreground or for an eval
 * run: a build no older than src/, its variables, and the corpus ingested into its data folder.
 */
export async function prepareService(
  projectDir: string,
  manifest: Manifest,
  dataDir: string,
): Promise<{ built: boolean; serviceEnv: Record<string, string>; snapshot: Snapshot }> {
  const built = (await ensureBuilt(projectDir)) === 'built';
  const serviceEnv = serviceEnvironment(projectDir, manifest);
  await mkdir(dataDir, { recursive: true });
  const snapshot = await ingest(projectDir, dataDir, serviceEnv);
  return { built, serviceEnv, snapshot };
}

export interface Health {
  status: string;
  /** The release the service runs (GENAI_RELEASE_ID), null when started from a project folder. */
  release?: string | null;
  /** GENAI_INSTANCE_ID of the start that answers. */
  instance?: string | null;
  env?: string;
  provider?: string;
  snapshot?: Snapshot | null;
}

/** The service's /healthz, or undefined while it does not answer 2xx. */
export async function fetchHealth(url: string): Promise<Health | undefined> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return undefined;
    return (await response.json()) as Health;
  } catch {
    return undefined;
  }
}
