import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, readCorpusFiles } from '../src/corpus.js';
import { ingest } from '../src/ingest.js';
import type { Provider } from '../src/providers/index.js';
import { efSearch, toVector, type SearchMode, type Store } from '../src/store.js';
import { cases, corpusDir, offline, tempStore } from './helpers.js';

const k = 5;

describe('the HNSW index', () => {
  const provider: Provider = offline();
  let store: Store;
  let cleanup: () => Promise<void>;
  let queries: number[][];

  beforeAll(async () => {
    ({ store, cleanup } = await tempStore());
    // Small chunks give the index a few hundred vectors to get wrong, not one per document.
    await ingest({ store, provider, corpusDir, chunking: { chunkSize: 40, chunkOverlap: 10 } });
    const titles = (await readCorpusFiles(corpusDir)).map((file) => parseDocument(file).title);
    const questions = [...cases.map((c) => c.input.question), ...titles];
    queries = (await provider.embed(questions)).vectors;
  });
  afterAll(() => cleanup());

  const plan = async (mode: SearchMode) =>
    store.db.transaction(async (tx) => {
      if (mode === 'index') await tx.exec('SET LOCAL enable_seqscan = off');
      if (mode === 'exact') await tx.exec('SET LOCAL enable_indexscan = off');
      const { rows } = await tx.query<{ 'QUERY PLAN': string }>(
        'EXPLAIN SELECT document_id FROM chunks ORDER BY embedding <=> $1::vector LIMIT 5',
        [toVector(queries[0] ?? [])],
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });

  it('is used by index searches and bypassed by exact ones', async () => {
    expect(await plan('index')).toMatch(/Index Scan using chunks_embedding_hnsw/);
    expect(await plan('exact')).not.toMatch(/chunks_embedding_hnsw/);
  });

  it('keeps its settings (the index, ef_search) to the search itself, even when the search fails', async () => {
    const setting = async (name: string) =>
      Object.values((await store.db.query<Record<string, string>>(`SHOW ${name}`)).rows[0] ?? {})[0];
    const before = { seqscan: await setting('enable_seqscan'), ef: await setting('hnsw.ef_search') };
    expect((await store.search(queries[0] ?? [], k)).length).toBe(k);
    await expect(store.search([Number.NaN], k)).rejects.toThrow(/not a finite number/);
    await expect(store.search([1, 2, 3], k)).rejects.toThrow(/dimensions/);
    expect({ seqscan: await setting('enable_seqscan'), ef: await setting('hnsw.ef_search') }).toEqual(before);
    expect(before.ef).not.toBe(String(efSearch));
  });

  it(`finds at least 95% of the exact top ${k} with ef_search = ${efSearch}`, async () => {
    const { rows } = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks');
    let found = 0;
    let wanted = 0;
    for (const query of queries) {
      const key = (c: { documentId: string; text: string }) => `${c.documentId}\n${c.text}`;
      const exact = new Set((await store.search(query, k, 'exact')).map(key));
      const approximate = (await store.search(query, k, 'index')).map(key);
      wanted += exact.size;
      found += approximate.filter((c) => exact.has(c)).length;
    }
    const recall = found / wanted;
    console.log(
      `HNSW recall@${k} vs exact: ${recall.toFixed(3)} over ${queries.length} queries and ${rows[0]?.n} chunks`,
    );
    expect(rows[0]?.n).toBeGreaterThan(100);
    expect(recall).toBeGreaterThanOrEqual(0.95);
  });
});
