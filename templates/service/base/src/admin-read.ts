import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadConfig, loadDotEnv } from './config.js';
import { ServiceError, exitWithError } from './errors.js';
import { listInteractions } from './observability/interactions.js';
import { listTraces, readTrace } from './observability/trace-store.js';
import { redactProcessOutput } from './redact.js';
import { openStore, type Store } from './store.js';

/**
 * `node dist/admin-read.js traces [ID] [--limit N] | interactions [--rating up|down] [--limit N]`: what the
 * admin API answers, read from a stopped environment's store. `genai traces` and `genai feedback export` run
 * it when the service is not running: only the service's own code opens its data folder, and it takes the
 * same lock as the server, so it fails with data_dir_busy while a service holds the folder.
 */
export type AdminRead =
  | { kind: 'traces'; limit: number }
  | { kind: 'trace'; traceId: string }
  | { kind: 'interactions'; limit: number; rating: 'up' | 'down' | undefined };

const usage = 'node dist/admin-read.js traces [ID] [--limit N] | interactions [--rating up|down] [--limit N]';
const invalid = (message: string) => new ServiceError('invalid_arguments', message, `run it as ${usage}`);

/** The admin API's default and bounds for `limit`. */
const defaultLimit = 50;
const maxLimit = 500;

/** The command line, checked as the admin API checks its query. */
export function parseAdminRead(argv: string[]): AdminRead {
  const [what, ...rest] = argv;
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--limit' || arg === '--rating') {
      const value = rest[++i];
      if (value === undefined) throw invalid(`${arg} needs a value`);
      options.set(arg, value);
    } else if (arg.startsWith('--')) {
      throw invalid(`unknown option ${arg}`);
    } else positional.push(arg);
  }
  const limitText = options.get('--limit');
  const limit = limitText === undefined ? defaultLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw invalid(`--limit must be an integer from 1 to ${maxLimit}`);
  }
  if (what === 'traces') {
    if (options.has('--rating')) throw invalid('--rating applies to interactions');
    if (positional.length > 1) throw invalid(`one trace id at most, got ${positional.length}`);
    const [traceId] = positional;
    if (traceId === undefined) return { kind: 'traces', limit };
    if (!/^[0-9a-f]{32}$/.test(traceId)) throw invalid('a trace id is 32 hexadecimal digits');
    return { kind: 'trace', traceId };
  }
  if (what === 'interactions') {
    if (positional.length) throw invalid(`interactions takes no argument, got ${positional[0]}`);
    const rating = options.get('--rating');
    if (rating !== undefined && rating !== 'up' && rating !== 'down') throw invalid('--rating must be up or down');
    return { kind: 'interactions', limit, rating };
  }
  throw invalid(what === undefined ? 'say what to read' : `unknown read "${what}"`);
}

/**
 * The admin API's body for `read`: `{traces}`, a trace, `{interactions}`; an unknown trace is the API's 404
 * body, `{error: {code: "unknown_trace", message}}`.
 */
export async function adminRead(store: Store, read: AdminRead): Promise<unknown> {
  switch (read.kind) {
    case 'traces':
      return { traces: await listTraces(store.db, read.limit) };
    case 'trace':
      return (
        (await readTrace(store.db, read.traceId)) ?? {
          error: { code: 'unknown_trace', message: `no trace ${read.traceId} is stored (or it has expired)` },
        }
      );
    case 'interactions':
      return { interactions: await listInteractions(store.db, { limit: read.limit, rating: read.rating }) };
  }
}

/** Opens the store as the server does (PGlite with its lock, or DATABASE_URL), reads, and closes it. */
export async function readStopped(
  argv: string[],
  config: { dataDir: string; databaseUrl?: string | undefined },
): Promise<unknown> {
  const read = parseAdminRead(argv);
  const store = await openStore(config);
  try {
    return await adminRead(store, read);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  redactProcessOutput();
  loadDotEnv();
  const body = await readStopped(process.argv.slice(2), loadConfig());
  process.stdout.write(JSON.stringify(body) + '\n');
  // An unknown trace: the body says so, the exit code lets a script tell it from a found one.
  if (body && typeof body === 'object' && 'error' in body) process.exitCode = 1;
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main().catch(exitWithError);
}
