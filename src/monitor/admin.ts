import { resolve } from 'node:path';
import { environmentError, usageError } from '../errors.js';
import { AdminHttpError, type AdminApi, type ServiceErrorBody } from './admin-api.js';

/**
 * Opens ENV's admin API. The service owns its data folder while it runs (PGlite is single-process), so the
 * CLI reads traces, interactions and feedback over HTTP; a stopped local environment is read by the
 * project's own `dist/admin-read.js` (src/monitor/stopped.ts); one never started is exit 3 with `genai up`.
 */
export async function openAdmin(cwd: string, env: string | undefined): Promise<AdminApi> {
  const environments = await import('../environments/index.js');
  const { readEnvironmentKeys } = await import('../environments/service-env.js');
  const resolved = await environments.resolveEnvironment(cwd, env);
  let url: string;
  try {
    ({ url } = await environments.driverFor(resolved).outputs());
  } catch (err) {
    const { stoppedAdmin } = await import('./stopped.js');
    const stopped = stoppedAdmin(resolved, err);
    if (stopped) return stopped;
    throw err;
  }
  const adminKey = readEnvironmentKeys(resolve(cwd), resolved.env)?.adminKey;
  return {
    env: resolved.env,
    url,
    async get<T>(path: string): Promise<T> {
      let response: Response;
      try {
        response = await fetch(`${url}${path}`, {
          headers: { accept: 'application/json', ...(adminKey ? { authorization: `Bearer ${adminKey}` } : {}) },
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        throw environmentError('E_ADMIN_UNREACHABLE', `${url} did not answer: ${(err as Error).message}`, {
          fix: `check the environment with genai outputs ${resolved.env}, or start it with genai up ${resolved.env}`,
        });
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw environmentError('E_ADMIN_RESPONSE', `${url}${path} answered HTTP ${response.status} without JSON`, {
          fix: `is it a genai service? read its log (genai outputs ${resolved.env})`,
        });
      }
      if (response.ok) return body as T;
      const error = (body as ServiceErrorBody).error ?? {};
      if (response.status === 401) {
        throw environmentError(
          'E_ADMIN_KEY',
          `${url} refused the admin key: ${error.message ?? 'unauthorized'}`,
          adminKey
            ? {
                fix: `restart the environment so it reads .genai/envs/${resolved.env}/keys.json: genai up ${resolved.env}`,
              }
            : {
                fix: `${resolved.env} has no keys.json here; a cloud environment's admin key is in its stack's secrets`,
              },
        );
      }
      throw new AdminHttpError(response.status, error.code ?? 'http_error', error.message ?? `HTTP ${response.status}`);
    },
  };
}

/** A trace id as the service stores it: 32 hexadecimal digits. */
export function checkTraceId(id: string): string {
  if (!/^[0-9a-f]{32}$/i.test(id)) {
    throw usageError('E_TRACE_ID', `"${id}" is not a trace id (32 hexadecimal digits)`, {
      field: 'TRACE_ID',
      fix: 'copy one from genai traces, or from the traceId of an answer',
    });
  }
  return id.toLowerCase();
}
