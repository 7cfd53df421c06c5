import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkText, parseDocument, snapshotId } from '../src/corpus.js';
import { ServiceError } from '../src/errors.js';
import { ingest } from '../src/ingest.js';
import { estimateTokens } from '../src/providers/index.js';
import { Store } from '../src/store.js';
import { chunking, corpusCopy, offline, tempDataDir } from './helpers.js';

describe('ingest', () => {
  const provider = offline();
  let corpus: { dir: string; cleanup: () => Promise<void> };
  let temp: { dataDir: string; cleanup: () => Promise<void> };
  let dataDir: string;

  beforeAll(async () => {
    corpus = await corpusCopy();
    temp = await tempDataDir();
    dataDir = temp.dataDir;
  });
  afterAll(async () => {
    await corpus.cleanup();
    await temp.cleanup();
  });

  const chunkRows = async (store: Store, documentId: string) =>
    (
      await store.db.query<{ text: string }>('SELECT text FROM chunks WHERE document_id = $1 ORDER BY ordinal', [
        documentId,
      ])
    ).rows.map((r) => r.text);

  it('records a snapshot, and re-ingesting the unchanged corpus is a no-op with the same id', async () => {
    const store = await Store.open(dataDir);
    try {
      const first = await ingest({ store, provider, corpusDir: corpus.dir, chunking });
      expect(first).toMatchObject({ changed: true, documents: 32 });
      expect(first.chunks).toBeGreaterThanOrEqual(32);
      expect(first.snapshotId).toMatch(/^[0-9a-f]{64}$/);
      const ingestedAt = store.snapshot?.ingestedAt;

      const second = await ingest({ store, provider, corpusDir: corpus.dir, chunking });
      expect(second).toEqual({ ...first, changed: false, embeddingTokens: 0 });
      expect(store.snapshot?.ingestedAt).toBe(ingestedAt);
    } finally {
      await store.close();
    }
  });

  it('keeps the snapshot in the data folder across processes', async () => {
    const store = await Store.open(dataDir);
    try {
      expect(store.snapshot).toMatchObject({ documents: 32, embeddingModel: 'offline-hash-384', dimensions: 384 });
      expect((await ingest({ store, provider, corpusDir: corpus.dir, chunking })).changed).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('replaces the chunks under a new id when a document changes or goes', async () => {
    const store = await Store.open(dataDir);
    try {
      const before = store.snapshot?.id;
      const file = path.join(corpus.dir, 'export-csv.md');
      const original = await readFile(file, 'utf8');
      const refunds = path.join(corpus.dir, 'refunds.md');
      const refundsOriginal = await readFile(refunds, 'utf8');
      await writeFile(file, `${original}\nExports now also include your sleep entries.\n`);
      await rm(refunds);

      const result = await ingest({ store, provider, corpusDir: corpus.dir, chunking });
      expect(result.changed).toBe(true);
      expect(result.snapshotId).not.toBe(before);
      expect(result.documents).toBe(31);
      expect((await chunkRows(store, 'export-csv')).join(' ')).toMatch(/sleep entries/);
      expect(await chunkRows(store, 'refunds')).toEqual([]);
      const total = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM chunks');
      expect(total.rows[0]?.n).toBe(result.chunks);

      // Restoring the corpus brings back the first snapshot's id: ids name content, not events.
      await writeFile(file, original);
      await writeFile(refunds, refundsOriginal);
      const restored = await ingest({ store, provider, corpusDir: corpus.dir, chunking });
      expect(restored).toMatchObject({ changed: true, snapshotId: before, documents: 32 });
      expect(await chunkRows(store, 'refunds')).not.toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('lets only one process open a data folder, and takes over the lock of a dead one', async () => {
    const store = await Store.open(dataDir);
    try {
      await expect(Store.open(dataDir)).rejects.toMatchObject({ code: 'data_dir_busy', exitCode: 3 });
    } finally {
      await store.close();
    }
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(`${dataDir}.lock`, String(dead));
    const again = await Store.open(dataDir);
    await again.close();
  });
});

describe('snapshot ids', () => {
  const files = [
    { name: 'b.md', content: '---\ntitle: B\n---\nBee.' },
    { name: 'a.md', content: '---\ntitle: A\n---\nAy.' },
  ];
  const id = snapshotId(files, 'model-a', 384, chunking);

  it('do not depend on the order files are read in', () => {
    expect(snapshotId([...files].reverse(), 'model-a', 384, chunking)).toBe(id);
  });
  it('change with content, file names, the embedding model, dimensions and chunking', () => {
    const variants = [
      snapshotId([{ ...files[0]!, content: 'changed' }, files[1]!], 'model-a', 384, chunking),
      snapshotId([{ ...files[0]!, name: 'c.md' }, files[1]!], 'model-a', 384, chunking),
      snapshotId(files, 'model-b', 384, chunking),
      snapshotId(files, 'model-a', 768, chunking),
      snapshotId(files, 'model-a', 384, { chunkSize: 200, chunkOverlap: 50 }),
      snapshotId(files, 'model-a', 384, { chunkSize: 400, chunkOverlap: 0 }),
    ];
    expect(new Set([id, ...variants]).size).toBe(variants.length + 1);
  });
});

describe('documents and chunks', () => {
  it('reads the title from the front matter and the id from the file name', () => {
    expect(
      parseDocument({ name: 'export-csv.md', content: '---\ntitle: "Export: CSV"\n---\nBody text.\n' }),
    ).toMatchObject({
      id: 'export-csv',
      title: 'Export: CSV',
      body: 'Body text.',
    });
  });

  it('names the file that has no title', () => {
    const read = () => parseDocument({ name: 'broken.md', content: 'No front matter.' });
    expect(read).toThrow(ServiceError);
    expect(read).toThrow(/broken\.md:1/);
  });

  it('packs paragraphs up to the chunk size and repeats the end of a chunk at the start of the next', () => {
    const paragraph = (n: number) => `Paragraph ${n} says one thing. It then says a second thing in a longer sentence.`;
    const body = Array.from({ length: 12 }, (_, i) => paragraph(i + 1)).join('\n\n');
    const chunks = chunkText(body, { chunkSize: 60, chunkOverlap: 20 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(estimateTokens(chunk)).toBeLessThanOrEqual(60);
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i - 1]?.endsWith(chunks[i]!.split('\n\n')[0]!)).toBe(true);
    }
    expect(chunks.join(' ')).toContain('Paragraph 12 says one thing.');
  });

  it('keeps a short document in one chunk', () => {
    expect(chunkText('One.\n\nTwo.', chunking)).toEqual(['One.\n\nTwo.']);
  });
});
