import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { loadConfig, loadDotEnv } from './config.js';
import { ExitCode, ServiceError, exitWithError } from './errors.js';
import { redactProcessOutput } from './redact.js';
import { openService } from './service.js';

/** Starts the service; it owns its environment's data folder until SIGTERM or SIGINT. */
async function main(): Promise<void> {
  redactProcessOutput();
  loadDotEnv();
  const config = loadConfig();
  const service = await openService(config, buildHash());
  const { app } = service;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
    console.log(`listening on http://${host}:${info.port}`);
    // Under genai's supervisor (an IPC channel): report the port this process actually bound.
    process.send?.({ kind: 'listening', port: info.port });
  });

  let stopping: Promise<void> | undefined;
  const stop = (exitCode: number) => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive clients must not hold the shutdown hostage.
        setTimeout(() => ('closeAllConnections' in server ? server.closeAllConnections() : undefined), 5_000).unref();
      });
      await service.close();
      process.exit(exitCode);
    })();
    return stopping;
  };

  server.on('error', (error: NodeJS.ErrnoException) => {
    const problem =
      error.code === 'EADDRINUSE'
        ? new ServiceError(
            'port_in_use',
            `port ${config.port} on ${config.host} is in use`,
            'stop what uses it, or set PORT to another port',
            ExitCode.environment,
          )
        : error;
    void service.close().finally(() => exitWithError(problem));
  });
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
}

/** sha256 of the built JavaScript this process runs (dist/), first 12 hex digits. */
function buildHash(): string {
  const dist = path.dirname(fileURLToPath(import.meta.url));
  const hash = createHash('sha256');
  const files = readdirSync(dist, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(path.join(dist, file)));
  return hash.digest('hex').slice(0, 12);
}

main().catch(exitWithError);
