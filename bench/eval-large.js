// Large-dataset benchmark of `genai eval` (prints figures; asserts nothing). Run after `npm run build`:
//   node bench/eval-large.js            (BENCH_CASES=100000 by default)
//
// A local /v1/answer service that answers at once with five retrieved contexts (~5 KB a case, like the
// report of issue #11), a JSONL dataset of BENCH_CASES cases, and the built CLI:
//   1. a full run: wall, peak RSS, results.jsonl and report.json size per 1,000 cases;
//   2. a run stopped with SIGTERM part-way, then `--resume latest`: the exit code and peak RSS of each, and
//      that every case is recorded exactly once;
//   3. with BENCH_FAILING=1, a run where every case fails its assertion (the reports' bound on listed cases).
// Peak RSS is the CLI process's own (process.resourceUsage().maxRSS at exit, through a preload).
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const CONCURRENCY = 32;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'run.js');

let failing = false;
const paragraph = 'Reports can be exported as CSV from the Reports page; every column is included. '.repeat(10);
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/healthz') return res.end(JSON.stringify({ status: 'ok', version: 'bench' }));
    const { question } = JSON.parse(body || '{}');
    res.end(
      JSON.stringify({
        answer: failing ? `I cannot help with that. (${question})` : `Open Reports and click Export CSV. (${question})`,
        refused: false,
        citations: [{ id: 'export-csv', title: 'Export to CSV' }],
        contexts: Array.from({ length: 5 }, (_, i) => ({
          documentId: i ? `doc-${i}` : 'export-csv',
          title: `Document ${i}`,
          text: paragraph,
          score: 1 / (i + 1),
        })),
        usage: { inputTokens: 120, outputTokens: 30, embeddingTokens: 12 },
        traceId: `trace-${question.length}`,
      }),
    );
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}`;

const dir = await mkdtemp(join(tmpdir(), 'genai-bench-large-'));
const rssFile = join(dir, 'rss.txt');
const preload = join(dir, 'rss.mjs');
await writeFile(
  preload,
  "import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
);
const lines = [];
for (let i = 0; i < CASES; i++) {
  lines.push(
    JSON.stringify({
      id: `case-${i}`,
      input: { question: `How do I export report ${i} as CSV?` },
      expected: { documentIds: ['export-csv'] },
      assert: [{ type: 'contains', value: 'Export CSV' }],
    }),
  );
}
await writeFile(join(dir, 'dataset.jsonl'), `${lines.join('\n')}\n`);
lines.length = 0;

/** Runs the CLI; `stopWhen` (bytes of results.jsonl) sends SIGTERM once the results file is that large. */
function genai(args, stopAtCases) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', preload, bin, ...args], {
      cwd: dir,
      env: { ...process.env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
    let poll;
    if (stopAtCases) {
      const before = readdir(join(dir, '.genai', 'evals', 'runs')).catch(() => []);
      poll = setInterval(async () => {
        const runs = await readdir(join(dir, '.genai', 'evals', 'runs')).catch(() => []);
        if (runs.length <= (await before).length) return;
        const size = await stat(join(dir, '.genai', 'evals', 'runs', runs.sort().at(-1), 'results.jsonl')).catch(
          () => undefined,
        );
        // About 550 bytes a case without contexts (see the full run's figure).
        if (size && size.size > stopAtCases * 550) {
          clearInterval(poll);
          child.kill('SIGTERM');
        }
      }, 50);
    }
    child.on('exit', async (code) => {
      clearInterval(poll);
      const { readFile } = await import('node:fs/promises');
      const maxRssKb = Number(await readFile(rssFile, 'utf8').catch(() => 'NaN'));
      resolve({ code, wallMs: performance.now() - started, peakRssMb: maxRssKb / 1024, stderr });
    });
  });
}

async function runFiles() {
  const runs = (await readdir(join(dir, '.genai', 'evals', 'runs'))).sort();
  const run = join(dir, '.genai', 'evals', 'runs', runs.at(-1));
  return { results: join(run, 'results.jsonl'), report: join(run, 'report.json') };
}

async function countResults(file) {
  const ids = new Set();
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue;
    lines++;
    ids.add(JSON.parse(line).caseId);
  }
  return { lines, unique: ids.size };
}

const args = [
  'eval',
  '--url',
  url,
  '--dataset',
  'dataset.jsonl',
  '--no-cache',
  '--no-progress',
  '--concurrency',
  String(CONCURRENCY),
];
const perThousand = (bytes) => `${(((bytes / CASES) * 1000) / 1024).toFixed(0)} KB`;
try {
  console.log(`eval-large bench: ${CASES} cases, concurrency ${CONCURRENCY}, node ${process.version}`);
  const full = await genai(args);
  const files = await runFiles();
  const [results, report] = await Promise.all([stat(files.results), stat(files.report)]);
  const count = await countResults(files.results);
  console.log(
    `full run      exit ${full.code}  wall ${(full.wallMs / 1000).toFixed(1)} s  peak RSS ${full.peakRssMb.toFixed(0)} MB  ` +
      `results.jsonl ${(results.size / 2 ** 20).toFixed(1)} MB (${perThousand(results.size)} per 1,000 cases)  ` +
      `report.json ${(report.size / 2 ** 20).toFixed(1)} MB  lines ${count.lines}, cases ${count.unique}`,
  );
  if (full.code !== 0) console.log(full.stderr);

  const stopped = await genai(args, Math.floor(CASES * 0.4));
  const partial = await countResults((await runFiles()).results);
  console.log(
    `SIGTERM'd run exit ${stopped.code}  wall ${(stopped.wallMs / 1000).toFixed(1)} s  peak RSS ${stopped.peakRssMb.toFixed(0)} MB  cases recorded ${partial.unique}`,
  );
  const resumed = await genai(['eval', '--resume', 'latest', '--no-cache', '--no-progress']);
  const after = await countResults((await runFiles()).results);
  console.log(
    `resume        exit ${resumed.code}  wall ${(resumed.wallMs / 1000).toFixed(1)} s  peak RSS ${resumed.peakRssMb.toFixed(0)} MB  ` +
      `lines ${after.lines}, cases ${after.unique} (each exactly once: ${after.lines === after.unique && after.unique === CASES})`,
  );
  if (resumed.code !== 0) console.log(resumed.stderr);

  if (process.env.BENCH_FAILING === '1') {
    failing = true;
    const failed = await genai(args);
    const count = await countResults((await runFiles()).results);
    console.log(
      `all failing   exit ${failed.code}  wall ${(failed.wallMs / 1000).toFixed(1)} s  peak RSS ${failed.peakRssMb.toFixed(0)} MB  cases ${count.unique}`,
    );
  }
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
