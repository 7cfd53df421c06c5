import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig, loadDotEnv, type ChunkingConfig } from './config.js';
import { chunkText, parseDocument, readCorpusFiles, snapshotId } from './corpus.js';
import { exitWithError } from './errors.js';
import { createProvider, type Provider } from './providers/index.js';
import { redactProcessOutput } from './redact.js';
import { openStore, type Store, type StoredChunk } from './store.js';

export interface IngestOptions {
  store: Store;
  provider: Provider;
  corpusDir: string;
  chunking: ChunkingConfig;
}

export interface IngestResult {
  snapshotId: string;
  documents: number;
  chunks: number;
  /** False when the corpus, model and chunking were unchanged: nothing was embedded or written. */
  changed: boolean;
  embeddingTokens: number;
}

/** Reads, chunks and embeds the corpus and makes it the served snapshot, unless it already is. */
export async function ingest({ store, provider, corpusDir, chunking }: IngestOptions): Promise<IngestResult> {
  const files = await readCorpusFiles(corpusDir);
  const id = snapshotId(files, provider.embeddingModel, provider.dimensions, chunking);
  const current = store.snapshot;
  if (current?.id === id) {
    return { snapshotId: id, documents: current.documents, chunks: current.chunks, changed: false, embeddingTokens: 0 };
  }

  const documents = files.map(parseDocument);
  const pieces = documents.flatMap((document) =>
    chunkText(document.body, chunking).map((text, ordinal) => ({ document, ordinal, text })),
  );
  // The title is embedded with each chunk: it is often the best summary of what the chunk is about.
  const { vectors, tokens } = await provider.embed(pieces.map((p) => `${p.document.title}\n\n${p.text}`));
  const chunks: StoredChunk[] = pieces.map((p, i) => ({
    documentId: p.document.id,
    ordinal: p.ordinal,
    text: p.text,
    embedding: vectors[i] ?? [],
  }));

  const snapshot = await store.replaceCorpus(
    { id, embeddingModel: provider.embeddingModel, dimensions: provider.dimensions },
    documents.map(({ id: documentId, title, sha256 }) => ({ id: documentId, title, sha256 })),
    chunks,
  );
  return {
    snapshotId: snapshot.id,
    documents: snapshot.documents,
    chunks: snapshot.chunks,
    changed: true,
    embeddingTokens: tokens,
  };
}

/** The project's data/ folder, beside dist/ (or src/ under the tests). */
export const defaultCorpusDir = fileURLToPath(new URL('../data/', import.meta.url));

/** `node dist/ingest.js [CORPUS_DIR]`: the corpus defaults to the project's data/ folder. */
async function main(): Promise<void> {
  redactProcessOutput();
  loadDotEnv();
  const config = loadConfig();
  const corpusDir = path.resolve(process.argv[2] ?? defaultCorpusDir);
  const store = await openStore(config);
  try {
    const result = await store.whileIngesting(() =>
      ingest({ store, provider: createProvider(config.provider), corpusDir, chunking: config.chunking }),
    );
    console.log(`snapshot ${result.snapshotId}: ${result.documents} documents, ${result.chunks} chunks`);
    if (!result.changed) console.error('unchanged corpus: nothing re-embedded');
  } finally {
    await store.close();
  }
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  main().catch(exitWithError);
}
