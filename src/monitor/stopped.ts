import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GenaiError, environmentError, lastOutputLine, splitFix } from '../errors.js';
import type { ResolvedEnvironment } from '../environments/driver.js';
import { environmentPaths } from '../environments/paths.js';
import { AdminHttpError, type AdminApi } from './admin-api.js';

/** What `outputs` says of a local environment whose service does not serve: its data may still be read. */
const notServing = new Set(['E_NOT_RUNNING', 'E_DEAD', 'E_FAILED', 'E_FOREIGN_SERVICE']);

/** The generated project's reader of a stopped store (templates/service/base/src/admin-read.ts, built). */
export const ADMIN_READ_SCRIPT = join('dist', 'admin-read.js');

/**
 * The admin API of a local environment whose service is stopped, or `undefined` when `cause` is not that.
 * The kit never opens an environment's data folder itself (only the service's code does): it runs the
 * project's `dist/admin-read.js` with the variables and data folder the supervisor gives the service, which
 * prints the admin API's JSON and takes the server's lock (a folder a service still holds is data_dir_busy).
 */
export function stoppedAdmin(resolved: ResolvedEnvironment, cause: unknown): AdminApi | undefined {
  if (resolved.entry.target !== 'local' || !(cause instanceof GenaiError) || !notServing.has(cause.code)) return;
  const paths = environmentPaths(resolved.projectDir, resolved.env);
  // Never started, or destroyed: nothing to read, and `genai up` is the fix the cause already gives.
  if (!existsSync(paths.data)) return;
  const serviceDir = readerDir(resolved, paths.supervisorConfig);
  return {
    env: resolved.env,
    url: `${paths.data} (stopped)`,
    get: <T>(path: string) => runReader<T>(resolved, serviceDir, paths.data, path),
  };
}

/**
 * Where the reader runs from: the release copy the environment last ran (its code wrote the data), else the
 * project. One that predates dist/admin-read.js is exit 3 with the way out.
 */
function readerDir(resolved: ResolvedEnvironment, supervisorConfig: string): string {
  const candidates: string[] = [];
  try {
    const { serviceDir } = JSON.parse(readFileSync(supervisorConfig, 'utf8')) as { serviceDir?: string };
    if (serviceDir) candidates.push(resolve(resolved.projectDir, serviceDir));
  } catch {
    // Never started under a supervisor (ingested only): the project's own build.
  }
  candidates.push(resolved.projectDir);
  const found = candidates.find((dir) => existsSync(join(dir, ADMIN_READ_SCRIPT)));
  if (found) return found;
  throw environmentError(
    'E_NO_ADMIN_READ',
    `${resolved.env} is not running, and its service predates ${ADMIN_READ_SCRIPT}, which reads a stopped environment's traces and interactions`,
    {
      fix: `start it with genai up ${resolved.env} and run this again (or copy src/admin-read.ts from a project made by a newer genai init, then npm run build)`,
    },
  );
}

/** `/admin/traces?limit=N`, `/admin/traces/ID`, `/admin/interactions?rating=R&limit=N` as the reader's arguments. */
export function readerArguments(path: string): string[] {
  const url = new URL(path, 'http://admin.invalid');
  const limit = url.searchParams.get('limit');
  const limitArgs = limit === null ? [] : ['--limit', limit];
  if (url.pathname === '/admin/traces') return ['traces', ...limitArgs];
  const trace = /^\/admin\/traces\/([^/]+)$/.exec(url.pathname);
  if (trace) return ['traces', decodeURIComponent(trace[1]!)];
  if (url.pathname === '/admin/interactions') {
    const rating = url.searchParams.get('rating');
    return ['interactions', ...limitArgs, ...(rating === null ? [] : ['--rating', rating])];
  }
  throw new Error(`no stopped-environment reader for ${path}`);
}

async function runReader<T>(resolved: ResolvedEnvironment, serviceDir: string, dataDir: string, path: string) {
  const { execa } = await import('execa');
  const { serviceEnvironment } = await import('../environments/project.js');
  const result = await execa(process.execPath, [ADMIN_READ_SCRIPT, ...readerArguments(path)], {
    cwd: serviceDir,
    env: {
      ...serviceEnvironment(resolved.projectDir, resolved.manifest),
      GENAI_ENV: resolved.env,
      GENAI_DATA_DIR: dataDir,
    },
    reject: false,
    all: true,
  });
  let body: unknown;
  try {
    body = JSON.parse(String(result.stdout ?? ''));
  } catch {
    // The service's own one-line error ("… data folder … is open in process N — fix: …") carries its fix.
    const last = splitFix(lastOutputLine(result.stderr, result.shortMessage));
    throw environmentError('E_STOPPED_READ', `reading ${resolved.env}'s stopped store failed: ${last.text}`, {
      fix:
        last.fix ??
        `run node ${ADMIN_READ_SCRIPT} ${readerArguments(path).join(' ')} in ${serviceDir} to see the whole error`,
    });
  }
  const error = (body as { error?: { code?: string; message?: string } }).error;
  if (error) {
    const status = error.code === 'unknown_trace' ? 404 : 400;
    throw new AdminHttpError(status, error.code ?? 'error', error.message ?? 'the reader failed');
  }
  return body as T;
}
