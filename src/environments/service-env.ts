import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The service's variables besides PORT, HOST, GENAI_ENV and GENAI_DATA_DIR travel in this variable of the
 * supervisor's own environment, never in its config file: they may hold credentials (a URL with a password).
 */
export const SERVICE_ENV_VARIABLE = 'GENAI_SUPERVISED_SERVICE_ENV';

/** The keys of a local environment's service: one API key for /v1/*, a separate admin key for /admin/*. */
export interface EnvironmentKeys {
  apiKey: string;
  adminKey: string;
  createdAt: string;
}

/** Where a local environment keeps its keys (mode 0600, beside its state; removed by genai destroy). */
export function environmentKeysPath(projectDir: string, env: string): string {
  return join(projectDir, '.genai', 'envs', env, 'keys.json');
}

const newKey = () => randomBytes(24).toString('base64url');

function parseKeys(text: string): EnvironmentKeys | undefined {
  try {
    const value = JSON.parse(text) as Partial<EnvironmentKeys>;
    if (typeof value.apiKey === 'string' && typeof value.adminKey === 'string' && value.apiKey.length >= 16) {
      return { apiKey: value.apiKey, adminKey: value.adminKey, createdAt: String(value.createdAt ?? '') };
    }
  } catch {
    /* unreadable: treated as absent */
  }
  return undefined;
}

/** The environment's keys, or undefined when it has none (a cloud environment, or one never started). */
export function readEnvironmentKeys(projectDir: string, env: string): EnvironmentKeys | undefined {
  try {
    return parseKeys(readFileSync(environmentKeysPath(projectDir, env), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The environment's keys, generated on first use (24 random bytes each, base64url) and kept from then on.
 * Written to a temporary (0600) and hard-linked into place, so that two processes starting at once agree on
 * one pair and nobody reads half a file.
 */
export function ensureEnvironmentKeys(projectDir: string, env: string): EnvironmentKeys {
  const existing = readEnvironmentKeys(projectDir, env);
  if (existing) return existing;
  const path = environmentKeysPath(projectDir, env);
  mkdirSync(dirname(path), { recursive: true });
  const keys: EnvironmentKeys = { apiKey: newKey(), adminKey: newKey(), createdAt: new Date().toISOString() };
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (err) {
    // Someone else won the race (or left a broken file): theirs counts when readable, else ours replaces it.
    const theirs = readEnvironmentKeys(projectDir, env);
    if (theirs) return theirs;
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    rmSync(path, { force: true });
    linkSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
  return keys;
}

/** A shell expression printing the API key of a keys file, for the curl examples the kit prints. */
export function apiKeyShell(keysFile: string): string {
  return `$(node -p "JSON.parse(require('fs').readFileSync('${keysFile}','utf8')).apiKey")`;
}

/**
 * The project folder when `dataDir` is a local environment's own data folder (`PROJECT/.genai/data/ENV`),
 * else undefined (the throw-away folder of an eval run, which stays on the loopback default without keys).
 */
export function projectOfDataDir(dataDir: string, env: string): string | undefined {
  const data = dirname(dataDir);
  if (basename(dataDir) !== env || basename(data) !== 'data' || basename(dirname(data)) !== '.genai') return undefined;
  return dirname(dirname(data));
}

/** The variables a service process runs with: ours last, so no stray PORT or GENAI_* of the shell wins. */
export function serviceProcessEnv(settings: {
  host: string;
  port: number;
  env: string;
  dataDir: string;
  serviceEnv: Record<string, string>;
}): NodeJS.ProcessEnv {
  const projectDir = projectOfDataDir(settings.dataDir, settings.env);
  const keys = projectDir ? ensureEnvironmentKeys(projectDir, settings.env) : undefined;
  return {
    ...process.env,
    ...settings.serviceEnv,
    HOST: settings.host,
    PORT: String(settings.port),
    GENAI_ENV: settings.env,
    GENAI_DATA_DIR: settings.dataDir,
    // A local environment's service requires its keys; an eval run's throw-away service keeps the loopback
    // default (no keys) unless the shell sets them. Cloud environments take theirs from the stack's secrets.
    ...(keys ? { GENAI_API_KEYS: keys.apiKey, GENAI_ADMIN_KEY: keys.adminKey } : {}),
  };
}
