import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { vector } from '@electric-sql/pglite/vector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { ingest } from '../src/ingest.js';
import { InteractionLog, listInteractions } from '../src/observability/interactions.js';
import { openStore, Store } from '../src/store.js';
import { createTracing } from '../src/telemetry.js';
import { chunking, corpusDir, offline, tempDataDir, tempStore } from './helpers.js';

const advisoryLocks = (store: Store) =>
  store.db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted");

describe('ingestion under the advisory lock (PGlite)', () => {
  it('holds a Postgres advisory lock while ingesting, and releases it after', async () => {
    const { store, cleanup } = await tempStore();
    try {
      const during = await store.whileIngesting(async () => {
        await ingest({ store, provider: offline(), corpusDir, chunking });
        return (await advisoryLocks(store)).rows[0]?.n;
      });
      expect(during).toBe(1);
      expect((await advisoryLocks(store)).rows[0]?.n).toBe(0);
    } finally {
      await cleanup();
    }
  });

  it('re-reads the served snapshot under the lock: a replica that waited has nothing left to ingest', async () => {
    const { store, dataDir, cleanup } = await tempStore();
    try {
      const first = await store.whileIngesting(() => ingest({ store, provider: offline(), corpusDir, chunking }));
      const second = await store.whileIngesting(() => ingest({ store, provider: offline(), corpusDir, chunking }));
      expect(first.changed).toBe(true);
      expect(second).toMatchObject({ changed: false, snapshotId: first.snapshotId });
      expect(dataDir).toBeTruthy();
    } finally {
      await cleanup();
    }
  });
});

/**
 * The DATABASE_URL path with the real `pg` client over the Postgres wire protocol, served by a PGlite with
 * pgvector (pglite-socket). What this does not show: several sessions of a real server, so two replicas
 * waiting on each other's lock, and Aurora's TLS; see docs/service.md.
 */
describe('the store on DATABASE_URL through pg', () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let store: Store;
  let cleanupDir: () => Promise<void>;
  let url: string;

  beforeAll(async () => {
    const temp = await tempDataDir();
    cleanupDir = temp.cleanup;
    db = await PGlite.create(temp.dataDir, { extensions: { vector } });
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 20 });
    await server.start();
    url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
    store = await openStore({ dataDir: temp.dataDir, databaseUrl: url });
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
    await db?.close();
    await cleanupDir?.();
  });

  it('migrates the schema with the extension at connect: the corpus and observability tables exist', async () => {
    const { rows } = await db.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining(['documents', 'feedback', 'interactions', 'snapshots', 'spans', 'traces']),
    );
    const ext = await db.query("SELECT 1 FROM pg_extension WHERE extname = 'vector'");
    expect(ext.rows).toHaveLength(1);
    expect(store.snapshot).toBeNull();
  });

  it('ingests under the lock, searches, answers and records an interaction with the same SQL as PGlite', async () => {
    const provider = offline();
    const result = await store.whileIngesting(() => ingest({ store, provider, corpusDir, chunking }));
    expect(result.changed).toBe(true);
    expect(store.snapshot?.chunks).toBe(result.chunks);

    const { tracer } = createTracing();
    const interactions = new InteractionLog(store.db);
    const app = createApp({ env: 'cloud', store, provider, tracer, topK: 5, interactions });
    const response = await app.request('/v1/answer', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'How do I export my data as CSV?' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ refused: false, citations: [{ id: 'export-csv' }] });
    await interactions.flush();
    const [recorded] = await listInteractions(store.db, { limit: 1 });
    expect(recorded).toMatchObject({ api: 'answer', citations: [{ id: 'export-csv' }] });
    expect(typeof recorded?.latencyMs.total).toBe('number');
  });

  it('finds the snapshot another replica ingested when it connects', async () => {
    const replica = await Store.connect(url);
    try {
      expect(replica.snapshot?.id).toBe(store.snapshot?.id);
      const again = await replica.whileIngesting(() =>
        ingest({ store: replica, provider: offline(), corpusDir, chunking }),
      );
      expect(again.changed).toBe(false);
    } finally {
      await replica.close();
    }
  });
});
