import { rm, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPgliteThread } from '../src/db-thread.js';
import type { Database } from '../src/db.js';
import { Store } from '../src/store.js';
import { tempDataDir, tempDir, ticksDuringSlowQuery } from './helpers.js';

const where: [string, (dataDir: string) => Promise<Database>][] = [
  ['on the calling thread', (dataDir) => PGlite.create(dataDir, { extensions: { vector } })],
  ['on its own thread', (dataDir) => openPgliteThread(dataDir)],
];

/** The server's store runs PGlite on a thread of its own; it must behave as PGlite does where it is called. */
describe.each(where)('PGlite %s, behind the Database interface', (_, open) => {
  let db: Database;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const temp = await tempDataDir();
    db = await open(temp.dataDir);
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, at timestamptz, doc json, tags text[], note text)');
    cleanup = async () => {
      if (!db.closed) await db.close();
      await temp.cleanup();
    };
  });
  afterEach(() => cleanup());

  const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0]?.n;

  it('answers queries with parameters and several statements at once, types intact', async () => {
    await db.query('INSERT INTO t VALUES ($1, $2, $3, $4, $5)', [
      1,
      '2026-01-02T03:04:05Z',
      JSON.stringify({ a: [1, 2] }),
      ['x', 'y'],
      null,
    ]);
    expect((await db.query('SELECT * FROM t WHERE id = $1', [1])).rows).toEqual([
      { id: 1, at: new Date('2026-01-02T03:04:05Z'), doc: { a: [1, 2] }, tags: ['x', 'y'], note: null },
    ]);
    const results = (await db.exec('SELECT 1 AS one; SELECT 2 AS two')) as { rows: unknown[] }[];
    expect(results.map((r) => r.rows)).toEqual([[{ one: 1 }], [{ two: 2 }]]);
  });

  it("rejects a failing statement with Postgres's message and code, and answers the next one", async () => {
    await db.query('INSERT INTO t (id) VALUES (1)');
    await expect(db.query('INSERT INTO t (id) VALUES (1)')).rejects.toMatchObject({
      code: '23505',
      message: expect.stringContaining('duplicate key value violates unique constraint'),
    });
    await expect(db.query('SELECT * FROM missing')).rejects.toMatchObject({ code: '42P01' });
    expect(await count()).toBe(1);
  });

  it('commits a transaction, and rolls one back when its body throws or a statement in it fails', async () => {
    expect(await db.transaction(async (tx) => (await tx.query('INSERT INTO t (id) VALUES (1), (2)'), 'done'))).toBe(
      'done',
    );
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id) VALUES (3)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t (id) VALUES (4)');
        await tx.query('INSERT INTO t (id) VALUES (1)');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect((await db.query<{ id: number }>('SELECT id FROM t ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('holds a statement from outside an open transaction until the transaction ends', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inside = () => {};
    const begun = new Promise<void>((resolve) => (inside = resolve));
    const transaction = db.transaction(async (tx) => {
      await tx.query('INSERT INTO t (id) VALUES (1)');
      inside();
      await gate;
      await tx.query('INSERT INTO t (id) VALUES (2)');
    });
    await begun;
    const outside = count();
    release();
    await transaction;
    // Asked while the transaction was open, answered after its commit: both rows, never one.
    expect(await outside).toBe(2);
  });

  it('is closed after close() and refuses statements from then on', async () => {
    expect(db.closed).toBe(false);
    await db.close();
    expect(db.closed).toBe(true);
    await expect(db.query('SELECT 1')).rejects.toThrow();
  });
});

/** The ticks of a 5 ms timer during a slow query on a database that `open` opens (and closes after). */
async function ticksDuring(open: (dataDir: string) => Promise<Database>): Promise<number> {
  const temp = await tempDataDir();
  const db = await open(temp.dataDir);
  try {
    return await ticksDuringSlowQuery(db);
  } finally {
    await db.close();
    await temp.cleanup();
  }
}

describe('PGlite on its own thread', () => {
  it('leaves the calling thread free while a query runs (timers fire during it)', async () => {
    expect(await ticksDuring((dataDir) => openPgliteThread(dataDir))).toBeGreaterThan(5);
  });

  it('blocks the calling thread when PGlite runs on it (what the thread is for)', async () => {
    expect(await ticksDuring((dataDir) => PGlite.create(dataDir))).toBe(0);
  });

  it('reports its death once: waiting calls fail, the database is closed, onFailure hears of it', async () => {
    const temp = await tempDataDir();
    const failures: string[] = [];
    const db = await openPgliteThread(temp.dataDir, (error) => failures.push(error.message));
    try {
      const waiting = db.query('SELECT pg_sleep(5)');
      await db.thread.terminate();
      await expect(waiting).rejects.toThrow('the database thread stopped');
      await expect(db.query('SELECT 1')).rejects.toThrow('the database thread stopped');
      expect(db.closed).toBe(true);
      expect(failures).toEqual([expect.stringContaining('the database thread stopped')]);
    } finally {
      await temp.cleanup();
    }
  });

  it('fails to open where PGlite cannot, and Store.open then leaves no lock behind', async () => {
    const temp = await tempDir();
    const notAFolder = `${temp.dir}/data`;
    await writeFile(notAFolder, 'not a data folder');
    try {
      await expect(Store.open(notAFolder, { thread: true })).rejects.toBeDefined();
      // The lock went with the failure: a second attempt fails the same way, not with "data folder busy".
      await expect(Store.open(notAFolder, { thread: true })).rejects.not.toMatchObject({ code: 'data_dir_busy' });
    } finally {
      await rm(`${notAFolder}.lock`, { force: true });
      await temp.cleanup();
    }
  });

  it('serves the store: a search through the thread finds what the same search finds on this thread', async () => {
    const temp = await tempDataDir();
    const threaded = await Store.open(temp.dataDir, { thread: true });
    try {
      const embedding = Array.from({ length: 3 }, (_, i) => i + 1);
      await threaded.replaceCorpus(
        { id: 'snap', embeddingModel: 'test', dimensions: 3 },
        [
          { id: 'a', title: 'A', sha256: 'x' },
          { id: 'b', title: 'B', sha256: 'y' },
        ],
        [
          { documentId: 'a', ordinal: 0, text: 'alpha', embedding },
          { documentId: 'b', ordinal: 0, text: 'beta', embedding: [3, 2, 1] },
        ],
      );
      expect((await threaded.search(embedding, 1)).map((c) => [c.documentId, c.text])).toEqual([['a', 'alpha']]);
      expect(threaded.snapshot).toMatchObject({ id: 'snap', documents: 2, chunks: 2 });
    } finally {
      await threaded.close();
      await temp.cleanup();
    }
  });
});
