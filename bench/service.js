// Benchmark of the generated service on the local target (prints figures; asserts nothing).
// Run after compiling: node bench/service.js   (BENCH_SECONDS=30 for the 30-second runs; default 10;
// BENCH_DOCUMENTS=10000 for a corpus ten times the issue's)
//
// A project from `genai init` (or GENAI_BENCH_PROJECT=/path/to/a/built/project), 1,000 documents ingested
// with the offline provider, then, each server in its own process and the load from another one (a small
// keep-alive load generator on undici, below):
//   hello      Hono's hello-world (the framework's ceiling)
//   floor      Hono answering with the service's one top-5 query (Store.search) per request, PGlite on the
//              server's thread (the floor)
//   floor-thread the same with PGlite on its own thread, as the service runs it (a floor for that design)
//   tracing-on the service as `genai up` composes it (spans batched into its PGlite)
//   tracing-off the same service with no span processor (spans made, nothing exported or stored)
// at 8 connections (the service's default in-flight limit), then the service at 200 and 1,000 connections
// with its default queue (shedding with 503 + Retry-After) and with an unbounded one (queueing). The load
// generator honours Retry-After: a connection that got a 503 waits that long before its next request.
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 1000);
const self = fileURLToPath(import.meta.url);
const kit = resolve(fileURLToPath(new URL('..', import.meta.url)));
const [mode, ...rest] = process.argv.slice(2);

function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`${command} ${args.join(' ')}: ${code}\n${err || out}`)),
    );
  });
}

/** A built project: GENAI_BENCH_PROJECT, or a fresh `genai init` in a temporary folder. */
async function project() {
  if (process.env.GENAI_BENCH_PROJECT)
    return { dir: resolve(process.env.GENAI_BENCH_PROJECT), cleanup: async () => {} };
  const work = await mkdtemp(join(tmpdir(), 'genai-bench-service-'));
  const started = performance.now();
  await run(process.execPath, [join(kit, 'bin', 'run.js'), 'init', 'bench', '--yes'], { cwd: work });
  const dir = join(work, 'bench');
  if (!existsSync(join(dir, 'dist', 'server.js'))) await run('npm', ['run', 'build'], { cwd: dir });
  console.log(`scaffolded and built a project in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { dir, cleanup: () => rm(work, { recursive: true, force: true }) };
}

/** DOCUMENTS markdown files: the sample corpus's documents, each copied with its own title and a line. */
async function corpus(projectDir, into) {
  await mkdir(into, { recursive: true });
  const dataDir = join(projectDir, 'data');
  const files = (await readdir(dataDir)).filter((f) => f.endsWith('.md'));
  for (let i = 0; i < DOCUMENTS; i++) {
    const file = files[i % files.length];
    const text = await readFile(join(dataDir, file), 'utf8');
    const varied = text.replace(/^title: (.*)$/m, `title: $1 (${i})`) + `\nThis copy is number ${i}.\n`;
    await writeFile(join(into, `${String(i).padStart(4, '0')}-${file}`), varied);
  }
}

const baseEnv = (dataDir) => ({
  ...process.env,
  GENAI_ENV: 'bench',
  GENAI_DATA_DIR: dataDir,
  GENAI_AUTH: 'off',
  GENAI_RATE_LIMIT_PER_MINUTE: '0',
  HOST: '127.0.0.1',
});

async function main() {
  const { dir, cleanup } = await project();
  const work = await mkdtemp(join(tmpdir(), 'genai-bench-data-'));
  try {
    const corpusDir = join(work, 'corpus');
    await corpus(dir, corpusDir);
    const dataDir = join(work, 'data');
    let started = performance.now();
    const ingested = await run(process.execPath, ['dist/ingest.js', corpusDir], { cwd: dir, env: baseEnv(dataDir) });
    console.log(`${ingested.trim()} — ingested in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const questions = readFileSync(join(dir, 'evals', 'dataset.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l))
      // The answerable ones: a refused question skips retrieval (guard-input) or generation (out of scope),
      // which would flatter the service against a floor that searches for every request.
      .filter((c) => !c.expected?.refusal)
      .map((c) => c.input?.question)
      .filter(Boolean);
    const questionsFile = join(work, 'questions.json');
    await writeFile(questionsFile, JSON.stringify(questions));
    console.log(`${questions.length} answerable questions from evals/dataset.jsonl, in turn; ${SECONDS} s per run\n`);

    const rows = [];
    const measure = async (label, kind, connections, extraEnv = {}) => {
      // Each server gets its own copy of the data (PGlite opens a folder from one process only).
      const copy = join(work, `data-${rows.length}`);
      await cp(dataDir, copy, { recursive: true });
      const server = spawn(process.execPath, [self, 'serve', kind, dir, copy, '0'], {
        cwd: dir,
        env: { ...baseEnv(copy), ...extraEnv },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const url = await new Promise((resolveUrl, reject) => {
        let out = '';
        server.stdout.on('data', (d) => {
          out += d;
          const match = /^READY (\S+)$/m.exec(out);
          if (match) resolveUrl(match[1]);
        });
        server.once('exit', (code) => reject(new Error(`${kind} server exited with ${code}: ${out}`)));
      });
      const cpuBefore = cpuMsOf(server.pid);
      const stats = JSON.parse(
        await run(process.execPath, [self, 'load', url, String(connections), String(SECONDS), questionsFile]),
      );
      // CPU time of the server per request it answered: what a request costs, however busy the machine is.
      const cpuPerRequest = (cpuMsOf(server.pid) - cpuBefore) / Math.max(1, stats.answered);
      let steps = null;
      if (kind.startsWith('service')) steps = stepTimes(await (await fetch(`${url}/metrics`)).text());
      const peakRss = peakRssOf(server.pid);
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
      await rm(copy, { recursive: true, force: true });
      rows.push({ label, connections, ...stats, cpuPerRequest, peakRssMb: peakRss, steps });
      print(rows.at(-1));
    };

    console.log(
      'server                              conns   req/s    p50 ms   p95 ms   p99 ms   non-200     CPU ms/req   peak RSS',
    );
    await measure('hello (Hono)', 'hello', 8);
    await measure('floor (Hono + PGlite top-5)', 'floor', 8);
    await measure('floor, 1 connection', 'floor', 1);
    await measure('floor, PGlite on its own thread', 'floor-thread', 8);
    await measure('service, tracing on', 'service-on', 8);
    await measure('service, tracing off', 'service-off', 8);
    await measure('service, tracing on, 1 connection', 'service-on', 1);
    await measure('service, default queue (8+64)', 'service-on', 200);
    await measure('service, default queue (8+64)', 'service-on', 1000);
    await measure('service, unbounded queue', 'service-on', 200, { GENAI_MAX_QUEUE: '100000' });
    await measure('service, unbounded queue', 'service-on', 1000, { GENAI_MAX_QUEUE: '100000' });

    const floor = rows.find((r) => r.label.startsWith('floor (')).rps;
    const floorThread = rows.find((r) => r.label === 'floor, PGlite on its own thread').rps;
    const on = rows.find((r) => r.label === 'service, tracing on').rps;
    const off = rows.find((r) => r.label === 'service, tracing off').rps;
    console.log(
      `\ntracing on: ${((on / floor) * 100).toFixed(0)} % of the floor's req/s (target ≥ 85 %); tracing off: ${((off / floor) * 100).toFixed(0)} %; tracing costs ${(((off - on) / off) * 100).toFixed(0)} % of req/s`,
    );
    console.log(
      `against the floor with PGlite on its own thread too: tracing on ${((on / floorThread) * 100).toFixed(0)} %, off ${((off / floorThread) * 100).toFixed(0)} %`,
    );
    const single = rows.find((r) => r.label === 'service, tracing on, 1 connection');
    const model = single.steps?.generate ?? 0;
    console.log(
      `one connection: p50 ${single.p50.toFixed(2)} ms at the client; the pipeline's mean without model time ${((single.steps?.total ?? NaN) - model).toFixed(2)} ms (generate ${model.toFixed(2)} ms; target ≤ 5 ms)`,
    );
    // At 8 connections `retrieve` includes the wait for the one PGlite (queries run one at a time).
    console.log('\nwhere the time goes (service, tracing on; mean per request from GET /metrics, ms):');
    const traced = rows.find((r) => r.label === 'service, tracing on');
    console.log(`  ${'step'.padEnd(14)} ${'8 conns'.padStart(9)} ${'1 conn'.padStart(9)}`);
    for (const [step, meanMs] of Object.entries(traced.steps ?? {}))
      console.log(
        `  ${step.padEnd(14)} ${meanMs.toFixed(3).padStart(9)} ${(single.steps?.[step] ?? NaN).toFixed(3).padStart(9)}`,
      );
  } finally {
    await rm(work, { recursive: true, force: true });
    await cleanup();
  }
}

function print(r) {
  const pad = (v, n) => String(v).padStart(n);
  const non200 = Object.entries(r.statuses)
    .filter(([s]) => s !== '200')
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  console.log(
    `${r.label.padEnd(36)}${pad(r.connections, 5)}${pad(r.rps.toFixed(0), 8)}${pad(r.p50.toFixed(2), 9)}${pad(r.p95.toFixed(2), 9)}${pad(r.p99.toFixed(2), 9)}   ${(non200 || '0').padEnd(14)}${pad(r.cpuPerRequest.toFixed(2), 6)}${pad(r.peakRssMb.toFixed(0), 10)} MB`,
  );
}

/** Mean seconds per step from genai_step_duration_seconds, in ms. */
function stepTimes(metrics) {
  const sums = {};
  const counts = {};
  for (const line of metrics.split('\n')) {
    const m = /^genai_step_duration_seconds_(sum|count)\{step="([^"]+)"\} (\S+)$/.exec(line);
    if (m) (m[1] === 'sum' ? sums : counts)[m[2]] = Number(m[3]);
  }
  return Object.fromEntries(Object.keys(sums).map((s) => [s, counts[s] ? (sums[s] / counts[s]) * 1000 : 0]));
}

/** The process's user + system CPU time so far, in ms (from /proc; 0 where it is not there). */
function cpuMsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return 0;
  }
}

/** The process's peak resident set (VmHWM), in MB; 0 where /proc is not there. */
function peakRssOf(pid) {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** The servers, each loading its framework from the project's own node_modules. */
async function serve(kind, projectDir, dataDir, port) {
  const from = (p) => import(pathToFileURL(join(projectDir, p)).href);
  const fromModules = async (name, sub = '') => {
    const { createRequire } = await import('node:module');
    return import(pathToFileURL(createRequire(join(projectDir, 'package.json')).resolve(name + sub)).href);
  };
  const { Hono } = await fromModules('hono');
  const { serve: honoServe } = await fromModules('@hono/node-server');
  let fetchHandler;
  if (kind === 'hello') {
    const app = new Hono();
    app.post('/v1/answer', (c) => c.text('Hello, world!'));
    fetchHandler = app.fetch;
  } else if (kind === 'floor' || kind === 'floor-thread') {
    // The service's own store and its one search query (the HNSW index, the service's ef_search), with the
    // questions embedded ahead: what is left of a request when nothing else is done.
    const { Store } = await from('dist/store.js');
    const { loadConfig } = await from('dist/config.js');
    const { createProvider } = await from('dist/providers/index.js');
    const store = await Store.open(dataDir, { thread: kind === 'floor-thread' });
    const provider = createProvider(loadConfig().provider);
    const questions = JSON.parse(readFileSync(join(dataDir, '..', 'questions.json'), 'utf8'));
    const { vectors } = await provider.embed(questions);
    let next = 0;
    const app = new Hono();
    app.post('/v1/answer', async (c) => {
      await c.req.json();
      const found = await store.search(vectors[next++ % vectors.length], 5);
      return c.json({ answer: found[0]?.text ?? '', citations: found.map((r) => ({ id: r.documentId })) });
    });
    fetchHandler = app.fetch;
  } else {
    const { loadConfig } = await from('dist/config.js');
    const { createApp } = await from('dist/app.js');
    const { Store } = await from('dist/store.js');
    const { createProvider } = await from('dist/providers/index.js');
    const { openTracing } = await from('dist/observability/tracing.js');
    const { createTracing } = await from('dist/telemetry.js');
    const config = loadConfig();
    // As service.ts opens it: PGlite on its own thread.
    const store = await Store.open(config.dataDir, { thread: true });
    const tracing =
      kind === 'service-on'
        ? await openTracing({
            store,
            env: config.env,
            release: null,
            retention: { days: config.tracing.retentionDays, maxTraces: config.tracing.maxTraces },
            otlpEndpoint: undefined,
          })
        : { ...createTracing([]), store: undefined };
    const app = createApp({
      env: config.env,
      store,
      provider: createProvider(config.provider),
      tracer: tracing.tracer,
      tracing,
      topK: config.topK,
      build: 'bench',
      release: null,
      instance: null,
      api: config.api,
    });
    fetchHandler = app.fetch;
  }
  const server = honoServe({ fetch: fetchHandler, hostname: '127.0.0.1', port }, (info) =>
    process.stdout.write(`READY http://127.0.0.1:${info.port}\n`),
  );
  process.on('SIGTERM', () => {
    server.close();
    setTimeout(() => process.exit(0), 200).unref();
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

/** The load: `connections` keep-alive connections, each sending the next question as soon as it has an answer. */
async function load(url, connections, seconds, questionsFile) {
  const { Pool } = await import('undici');
  const questions = JSON.parse(readFileSync(questionsFile, 'utf8')).map((q) => JSON.stringify({ question: q }));
  const pool = new Pool(url, { connections, pipelining: 1, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const latencies = [];
  const statuses = {};
  let answered = 0;
  let next = 0;
  const warmupEnd = performance.now() + 1000;
  const end = warmupEnd + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      let status;
      let retryAfter = 0;
      try {
        const response = await pool.request({
          path: '/v1/answer',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: questions[next++ % questions.length],
        });
        await response.body.dump();
        status = String(response.statusCode);
        retryAfter = Number(response.headers['retry-after'] ?? 0);
      } catch (err) {
        status = err.code ?? 'error';
      }
      answered++;
      if (started >= warmupEnd) {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === '200') latencies.push(performance.now() - started);
      }
      // A client that honours Retry-After, as the OpenAI SDKs do: a shed connection waits before its next request.
      if (status === '503' && retryAfter > 0) await new Promise((r) => setTimeout(r, retryAfter * 1000));
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : NaN;
  process.stdout.write(
    JSON.stringify({ rps: latencies.length / seconds, p50: q(0.5), p95: q(0.95), p99: q(0.99), statuses, answered }) +
      '\n',
  );
}

if (mode === 'serve') await serve(rest[0], rest[1], rest[2], Number(rest[3]));
else if (mode === 'load') await load(rest[0], Number(rest[1]), Number(rest[2]), rest[3]);
else await main();
