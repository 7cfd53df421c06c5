// @ts-check
/**
 * The server's PGlite, on a thread of its own (started by db-thread.ts). Plain JavaScript, so the same file
 * runs from src/ under the tests and from dist/ once built. Requests arrive one message each; PGlite runs
 * them one at a time, as it would on the main thread, while that thread goes on reading and answering.
 *
 * request:  { id, op: 'query' | 'exec' | 'begin' | 'end' | 'close', sql?, params?, tx?, commit? }
 * response: { id, result } or { id, error: { message, code?, ... } }
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';

if (!parentPort) throw new Error('db-worker.mjs runs as a worker thread (see db-thread.ts)');
const port = parentPort;

/** The fields of a Postgres error worth carrying across: what callers and messages read. */
const errorFields = ['code', 'detail', 'hint', 'position', 'severity', 'schema', 'table', 'column', 'constraint'];

/** @param {unknown} error */
function plainError(error) {
  if (!(error instanceof Error)) return { message: String(error) };
  /** @type {Record<string, unknown>} */
  const plain = { message: error.message, name: error.name };
  for (const field of errorFields) {
    const value = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (error))[field];
    if (value !== undefined) plain[field] = value;
  }
  return plain;
}

/** @param {{ rows: unknown[]; affectedRows?: number }} result */
const plainResult = (result) => ({ rows: result.rows, affectedRows: result.affectedRows });

/** @typedef {import('@electric-sql/pglite').Transaction} Transaction */
/** @type {Map<number, { tx: Transaction; end: (commit: boolean) => void; done: Promise<unknown> }>} */
const transactions = new Map();

const db = await PGlite.create(workerData.dataDir, { extensions: { vector } });

/**
 * Opens a transaction that stays open across messages until 'end': PGlite's own transaction(), whose
 * callback waits for the verdict, so PGlite's queue holds every other statement back meanwhile.
 * @param {number} id
 */
async function begin(id) {
  /** @type {(tx: Transaction) => void} */
  let started = () => {};
  /** @type {(commit: boolean) => void} */
  let end = () => {};
  const ready = new Promise((resolve) => (started = resolve));
  const verdict = new Promise((resolve) => (end = resolve));
  const done = db.transaction(async (tx) => {
    started(tx);
    if (!(await verdict)) await tx.rollback();
  });
  // A transaction that could not begin (BEGIN failed, the database closed) settles `done` first.
  const notBegun = done.then(() => {
    throw new Error('the transaction ended before it began');
  });
  notBegun.catch(() => {});
  const tx = await Promise.race([ready, notBegun]);
  transactions.set(id, { tx: /** @type {Transaction} */ (tx), end, done });
  return id;
}

/** @param {any} message */
async function handle(message) {
  const on = message.tx === undefined ? db : transactions.get(message.tx)?.tx;
  if (!on) throw new Error(`no open transaction ${message.tx}`);
  switch (message.op) {
    case 'query':
      return plainResult(await on.query(message.sql, message.params));
    case 'exec':
      return (await on.exec(message.sql)).map(plainResult);
    case 'begin':
      return begin(message.id);
    case 'end': {
      const open = transactions.get(message.tx);
      transactions.delete(message.tx);
      open?.end(message.commit);
      await open?.done;
      return null;
    }
    case 'close':
      await db.close();
      return null;
    default:
      throw new Error(`unknown request ${message.op}`);
  }
}

port.on('message', (message) => {
  handle(message).then(
    (result) => {
      port.postMessage({ id: message.id, result });
      if (message.op === 'close') port.close();
    },
    (error) => port.postMessage({ id: message.id, error: plainError(error) }),
  );
});
port.postMessage({ ready: true });
