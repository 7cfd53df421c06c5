// Benchmark of ingestion and vector search in the generated service's store (prints figures; asserts nothing).
// Run after compiling: node bench/ingest.js   (GENAI_BENCH_PROJECT=/path/to/a/built/project to reuse one)
//
// 10,000 chunks of the sample corpus (windows of 20, 30, 40, … words sliding over each document, so the
// texts are real, distinct and as overlapping as real chunks get), embedded by the offline provider, written into PGlite + pgvector through the service's own
// Store.replaceCorpus (bulk insert, then the HNSW index, in one transaction) — target ≤ 20 s — then the
// same rows again on a bare PGlite to split insert from index build. Then recall@5 of the HNSW index
// against an exact scan for the eval dataset's questions and half sentences of the corpus, per hnsw.ef_search.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CHUNKS = 10_000;
const EF_SEARCH = [40, 100, 200, 400, 800, 1000];
const kit = resolve(fileURLToPath(new URL('..', import.meta.url)));

function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`${command} ${args.join(' ')}: ${code}\n${out}`)),
    );
  });
}

async function project() {
  if (process.env.GENAI_BENCH_PROJECT)
    return { dir: resolve(process.env.GENAI_BENCH_PROJECT), cleanup: async () => {} };
  const work = await mkdtemp(join(tmpdir(), 'genai-bench-ingest-'));
  await run(process.execPath, [join(kit, 'bin', 'run.js'), 'init', 'bench', '--yes'], { cwd: work });
  const dir = join(work, 'bench');
  if (!existsSync(join(dir, 'dist', 'store.js'))) await run('npm', ['run', 'build'], { cwd: dir });
  return { dir, cleanup: () => rm(work, { recursive: true, force: true }) };
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

const { dir, cleanup } = await project();
const from = (p) => import(pathToFileURL(join(dir, p)).href);
const requireFromProject = createRequire(join(dir, 'package.json'));
const { PGlite } = await import(pathToFileURL(requireFromProject.resolve('@electric-sql/pglite')).href);
const { vector } = await import(pathToFileURL(requireFromProject.resolve('@electric-sql/pglite/vector')).href);
const { readCorpusFiles, parseDocument } = await from('dist/corpus.js');
const { loadConfig } = await from('dist/config.js');
const { createProvider } = await from('dist/providers/index.js');
const { Store, toVector, efSearch } = await from('dist/store.js');
const { sentences, plainText } = await from('dist/text.js');

const work = await mkdtemp(join(tmpdir(), 'genai-bench-pglite-'));
try {
  const config = loadConfig({ ...process.env, GENAI_ENV: 'bench', GENAI_DATA_DIR: join(work, 'store') });
  const provider = createProvider(config.provider);
  const corpus = (await readCorpusFiles(join(dir, 'data'))).map(parseDocument);

  // Chunks: windows of 20, 30, 40, … words sliding by 2 words over each document, distinct texts only, until
  // 10,000: real text, and as near-duplicate as overlapping chunks of a real corpus get (the hard case for HNSW).
  const documents = [];
  const texts = [];
  const seen = new Set();
  const split = corpus.map((doc) => ({ doc, words: plainText(doc.body).split(/\s+/).filter(Boolean) }));
  outer: for (let length = 20; length <= 400; length += 10) {
    for (const { doc, words } of split) {
      const id = `${doc.id}~${length}`;
      let ordinal = 0;
      for (let start = 0; start + length <= words.length; start += 2) {
        const text = words.slice(start, start + length).join(' ');
        if (seen.has(text)) continue;
        seen.add(text);
        texts.push({ documentId: id, ordinal: ordinal++, text });
        if (texts.length >= CHUNKS) break;
      }
      if (ordinal) documents.push({ id, title: doc.title, sha256: doc.sha256 });
      if (texts.length >= CHUNKS) break outer;
    }
  }
  const used = new Set(texts.map((t) => t.documentId));
  const docs = documents.filter((d) => used.has(d.id));

  let t = performance.now();
  const chunks = [];
  for (let i = 0; i < texts.length; i += 256) {
    const batch = texts.slice(i, i + 256);
    const { vectors } = await provider.embed(batch.map((c) => c.text));
    batch.forEach((c, j) => chunks.push({ ...c, embedding: vectors[j] }));
  }
  const embedMs = performance.now() - t;
  const dims = chunks[0].embedding.length;
  console.log(
    `${chunks.length} chunks of ${corpus.length} sample documents (windows of 20–${Math.max(...texts.map((t) => Number(t.documentId.split('~')[1])))} words, distinct), ${dims} dimensions`,
  );
  console.log(`embed (offline provider)              ${seconds(embedMs)}`);

  // The service's path: Store.replaceCorpus, one transaction.
  const store = await Store.open(join(work, 'store'));
  t = performance.now();
  await store.replaceCorpus({ id: 'bench', embeddingModel: provider.embeddingModel, dimensions: dims }, docs, chunks);
  const replaceMs = performance.now() - t;
  console.log(
    `Store.replaceCorpus (insert + HNSW)   ${seconds(replaceMs)}   (target ≤ 20 s; with embedding ${seconds(replaceMs + embedMs)})`,
  );

  // The same rows on a bare PGlite, to see where the time goes.
  const bare = await PGlite.create(join(work, 'bare'), { extensions: { vector } });
  await bare.exec(`CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE chunks (document_id text, ordinal int, text text, embedding vector(${dims}), PRIMARY KEY (document_id, ordinal))`);
  t = performance.now();
  for (let i = 0; i < chunks.length; i += 200) {
    const slice = chunks.slice(i, i + 200);
    const values = slice.map(
      (_, r) => `($${r * 4 + 1}::text, $${r * 4 + 2}::int, $${r * 4 + 3}::text, $${r * 4 + 4}::vector)`,
    );
    await bare.query(
      `INSERT INTO chunks VALUES ${values.join(', ')}`,
      slice.flatMap((c) => [c.documentId, c.ordinal, c.text, toVector(c.embedding)]),
    );
  }
  const insertMs = performance.now() - t;
  t = performance.now();
  await bare.exec('CREATE INDEX ON chunks USING hnsw (embedding vector_cosine_ops)');
  const indexMs = performance.now() - t;
  await bare.close();
  console.log(`  of which bulk insert (bare PGlite)   ${seconds(insertMs)}`);
  console.log(`  of which HNSW build (m=16, ef_construction=64) ${seconds(indexMs)}`);

  // Recall@5: the eval questions and half sentences of the corpus.
  const questions = (await readFile(join(dir, 'evals', 'dataset.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l).input?.question)
    .filter(Boolean);
  // Half sentences: near the corpus but never a chunk's exact text.
  const held = corpus
    .flatMap((d) => sentences(plainText(d.body)))
    .filter((_, i) => i % 3 === 0)
    .map((s) =>
      s
        .split(' ')
        .slice(0, Math.max(3, Math.ceil(s.split(' ').length / 2)))
        .join(' '),
    );
  const queryTexts = [...questions, ...held].slice(0, 300);
  const { vectors: queries } = await provider.embed(queryTexts);
  const key = (r) => `${r.documentId}\u0000${r.text}`;
  t = performance.now();
  const exact = [];
  for (const q of queries) exact.push(await store.search(q, 5, 'exact'));
  const exactMs = (performance.now() - t) / queries.length;
  console.log(
    `\nrecall@5 of HNSW against an exact scan, ${queries.length} queries (${questions.length} eval questions, ${queryTexts.length - questions.length} half sentences of the corpus)`,
  );
  console.log('  same chunks: the exact top 5 found; tie-aware: found chunks as near as the exact 5th (ties count)');
  console.log(`exact scan                             ${exactMs.toFixed(2)} ms/query`);
  for (const ef of EF_SEARCH) {
    let same = 0;
    let near = 0;
    t = performance.now();
    for (let i = 0; i < queries.length; i++) {
      const hits = await store.search(queries[i], 5, 'index', ef);
      const wanted = new Set(exact[i].map(key));
      const fifth = Math.min(...exact[i].map((h) => h.score)) - 1e-9;
      same += hits.filter((h) => wanted.has(key(h))).length;
      near += hits.filter((h) => h.score >= fifth).length;
    }
    const ms = (performance.now() - t) / queries.length;
    const recall = same / (queries.length * 5);
    const tieAware = near / (queries.length * 5);
    console.log(
      `hnsw.ef_search = ${String(ef).padEnd(4)}${ef === efSearch ? ' (service)' : '          '}       ${ms.toFixed(2)} ms/query   recall@5 ${recall.toFixed(3)}   tie-aware ${tieAware.toFixed(3)}${recall >= 0.95 ? '' : '  (< 0.95)'}`,
    );
  }
  await store.close();
} finally {
  await rm(work, { recursive: true, force: true });
  await cleanup();
}
