/**
 * The one database interface of the service: PGlite (Postgres in WebAssembly, a folder per environment)
 * satisfies it as it is, and `openPostgres` adapts a `pg` pool to it for DATABASE_URL in the cloud. Every
 * query of the service is written once against it, so the SQL tested on PGlite is the SQL run on Aurora.
 */

import { ExitCode, ServiceError } from './errors.js';
export interface Sql {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** One or more statements without parameters. */
  exec(sql: string): Promise<unknown>;
}

export interface Database extends Sql {
  readonly closed: boolean;
  /** BEGIN … COMMIT on one connection; ROLLBACK when `run` throws. */
  transaction<T>(run: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The advisory-lock key of corpus ingestion: a constant, so every replica of the service asks for the same. */
export const ingestLockKey = 7_244_117_001;

/**
 * Runs `run` while this session holds a Postgres advisory lock: several replicas starting at once ingest one
 * after the other, and the later ones find the corpus already there. `session` pins one connection (a lock
 * belongs to the session that took it); PGlite has one session, so it pins itself.
 */
export async function withAdvisoryLock<T>(
  session: <R>(use: (sql: Sql) => Promise<R>) => Promise<R>,
  key: number,
  run: () => Promise<T>,
): Promise<T> {
  return session(async (sql) => {
    await sql.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await run();
    } finally {
      await sql.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  });
}

/** A `pg` pool behind the Database interface; `pg` is imported only here, only when DATABASE_URL is set. */
export async function openPostgres(
  connectionString: string,
): Promise<Database & { session<R>(use: (sql: Sql) => Promise<R>): Promise<R> }> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString, max: 10, idleTimeoutMillis: 30_000 });
  let closed = false;
  const wrap = (client: { query: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }> }): Sql => ({
    query: async <T>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as T[] }),
    exec: (sql: string) => client.query(sql),
  });
  const session = async <R>(use: (sql: Sql) => Promise<R>): Promise<R> => {
    const client = await pool.connect().catch((error: unknown) => {
      throw new ServiceError(
        'database_unreachable',
        `cannot connect to DATABASE_URL ${connectionString}: ${error instanceof Error ? error.message : String(error)}`,
        'check the host, port, user and password in DATABASE_URL, and that the database accepts connections from here',
        ExitCode.environment,
      );
    });
    try {
      return await use(wrap(client));
    } finally {
      client.release();
    }
  };
  return {
    ...wrap(pool),
    get closed() {
      return closed;
    },
    session,
    transaction: <T>(run: (tx: Sql) => Promise<T>) =>
      session(async (sql) => {
        await sql.exec('BEGIN');
        try {
          const result = await run(sql);
          await sql.exec('COMMIT');
          return result;
        } catch (error) {
          await sql.exec('ROLLBACK');
          throw error;
        }
      }),
    close: async () => {
      closed = true;
      await pool.end();
    },
  };
}
