import { Worker } from 'node:worker_threads';
import type { Database, Sql } from './db.js';

type Request =
  | { op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { op: 'exec'; sql: string; tx?: number }
  | { op: 'begin' }
  | { op: 'end'; tx: number; commit: boolean }
  | { op: 'close' };

type Reply = { id: number; result?: unknown; error?: Record<string, unknown> & { message: string } };

/**
 * PGlite in `dataDir` on a thread of its own (src/db-worker.mjs), behind the Database interface. PGlite runs
 * a query in WebAssembly without yielding, 1–3 ms for a search: on the server's own thread nothing else
 * happens meanwhile, so every step of every other request (reading it, guarding, generating, writing the
 * answer) waits its turn after the query. On its own thread the queries still run one at a time, but beside
 * the rest of the work. The server opens its store this way; the CLIs (ingest, admin-read) and most tests
 * keep PGlite on the thread that calls it. A call costs about 0.1 ms more here (a message each way).
 */
export async function openPgliteThread(
  dataDir: string,
  /** Called once if the thread dies while open (a WebAssembly abort, an out-of-memory): every call fails after. */
  onFailure: (error: Error) => void = () => {},
): Promise<Database & { readonly thread: Worker }> {
  const worker = new Worker(new URL('./db-worker.mjs', import.meta.url), { workerData: { dataDir } });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let closed = false;
  let failure: Error | undefined;
  let open = false;
  const failAll = (error: Error) => {
    if (failure) return;
    failure = error;
    if (open && !closed) onFailure(error);
    closed = true;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (reply: Reply | { ready: true }) => {
    if ('ready' in reply) return;
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    // Only a call waiting on the thread keeps the process alive: an idle store does not hold exit back.
    if (pending.size === 0) worker.unref();
    if (reply.error) waiting.reject(Object.assign(new Error(reply.error.message), reply.error));
    else waiting.resolve(reply.result);
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the database thread stopped (exit code ${code})`)));

  await new Promise<void>((resolve, reject) => {
    const onReady = (message: unknown) => {
      if (typeof message === 'object' && message !== null && 'ready' in message) {
        worker.off('message', onReady);
        worker.off('error', reject);
        resolve();
      }
    };
    worker.on('message', onReady);
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`the database thread stopped before it opened (exit code ${code})`)),
    );
  });
  worker.unref();
  open = true;

  const call = (request: Request): Promise<unknown> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  };
  const on = (tx?: number): Sql => ({
    query: async <T>(sql: string, params?: unknown[]) =>
      (await call({ op: 'query', sql, params, tx })) as { rows: T[] },
    exec: (sql: string) => call({ op: 'exec', sql, tx }),
  });

  return {
    ...on(),
    thread: worker,
    get closed() {
      return closed;
    },
    async transaction<T>(run: (tx: Sql) => Promise<T>): Promise<T> {
      const tx = (await call({ op: 'begin' })) as number;
      let result: T;
      try {
        result = await run(on(tx));
      } catch (error) {
        await call({ op: 'end', tx, commit: false }).catch(() => {});
        throw error;
      }
      await call({ op: 'end', tx, commit: true });
      return result;
    },
    async close() {
      if (closed) return;
      await call({ op: 'close' });
      failure = new Error('the database is closed');
      closed = true;
      await worker.terminate();
    },
  };
}
