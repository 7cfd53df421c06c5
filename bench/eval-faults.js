// Benchmark of the eval engine against a faulty endpoint (prints figures; asserts nothing).
// Run after compiling: node bench/eval-faults.js
//
// 500 cases at concurrency 20 and --timeout 5000 against a local OpenAI-compatible endpoint that answers
// 10% of requests with 429 (Retry-After: 1), 10% with 500, leaves 5% hanging and sends 5% truncated JSON,
// from a seeded schedule. Prints the wall time, the cases recorded by state, the concurrency trace and any
// process warning (a MaxListenersExceededWarning would show here).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../dist/evals/random.js';

const CASES = 500;
const CONCURRENCY = 20;
const TIMEOUT_MS = 5000;
const SEED = 2024;

const warnings = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

async function serve() {
  // The engine's own seeded PRNG: the schedule is the same on every run.
  const random = seededRandom(SEED);
  const tally = { requests: 0, valid: 0, 429: 0, 500: 0, hang: 0, truncated: 0 };
  const hanging = new Set();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ object: 'list', data: [{ id: 'bench', object: 'model' }] }));
      }
      tally.requests++;
      const r = random();
      if (r < 0.1) {
        tally[429]++;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        return res.end('{"error":"slow down"}');
      }
      if (r < 0.2) {
        tally[500]++;
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end('{"error":"internal"}');
      }
      if (r < 0.25) {
        tally.hang++;
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      if (r < 0.3) {
        tally.truncated++;
        return res.end('{"id":"bench","choices":[{"message":{"content":"Open Rep');
      }
      tally.valid++;
      const question = JSON.parse(body).messages.at(-1).content;
      res.end(
        JSON.stringify({
          id: 'bench',
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: `Answer to: ${question}. Open Reports and click Export CSV.` },
            },
          ],
          usage: { prompt_tokens: 40, completion_tokens: 12 },
        }),
      );
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    tally,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

const { runEval } = await import('../dist/evals/index.js');
const server = await serve();
const cwd = await mkdtemp(join(tmpdir(), 'genai-bench-faults-'));
try {
  // Every 25th case asks for what the endpoint never says, so that "failed" is exercised too.
  const lines = Array.from({ length: CASES }, (_, i) =>
    JSON.stringify({
      id: `case-${i}`,
      input: { question: `How do I export report number ${i} as CSV?` },
      assert: [{ type: 'contains', value: i % 25 === 0 ? 'Import XML' : 'Export CSV' }],
    }),
  );
  await writeFile(join(cwd, 'dataset.jsonl'), `${lines.join('\n')}\n`);
  const started = performance.now();
  const outcome = await runEval({
    cwd,
    evals: { dataset: 'dataset.jsonl', maxErrorRate: 1 },
    target: { kind: 'url', url: `${server.url}/v1` },
    openTarget: async (spec) => ({ url: spec.url }),
    protocol: 'openai',
    concurrency: CONCURRENCY,
    timeoutMs: TIMEOUT_MS,
    cache: false,
  });
  const wallMs = performance.now() - started;
  const { summary, run } = outcome.report;
  const results = (await readFile(join(outcome.files.runDir, 'results.jsonl'), 'utf8')).trim().split('\n');
  const ids = new Set(results.map((line) => JSON.parse(line).caseId));
  const changes = run.concurrency?.changes ?? [];
  const limits = [CONCURRENCY, ...changes.map((c) => c.limit)];
  const decreases = changes.filter((c) => c.reason === 'throttled').length;
  const increases = changes.filter((c) => c.reason === 'recovered').length;
  const t = server.tally;
  console.log(
    `eval faults bench: ${CASES} cases, concurrency ${CONCURRENCY}, timeout ${TIMEOUT_MS} ms, node ${process.version}`,
  );
  console.log(
    `  endpoint: ${t.requests} requests — ${t.valid} valid, ${t[429]} × 429, ${t[500]} × 500, ${t.hang} hung, ${t.truncated} truncated`,
  );
  console.log(`  wall time         ${(wallMs / 1000).toFixed(1)} s`);
  console.log(
    `  cases recorded    ${results.length} lines, ${ids.size} distinct of ${CASES} — ${summary.passed} passed, ${summary.failed} failed, ${summary.errored} errored, ${summary.missing} missing`,
  );
  console.log(
    `  concurrency       min ${Math.min(...limits)}, max ${Math.max(...limits)}, final ${limits.at(-1)}; ${decreases} decreases, ${increases} increases`,
  );
  const mean = timeWeightedMean(changes, wallMs);
  console.log(`  mean limit        ${mean.toFixed(1)} (time-weighted)`);
  console.log(`  warnings          ${warnings.length ? warnings.join('; ') : 'none'}`);
} finally {
  await server.close();
  await rm(cwd, { recursive: true, force: true });
}

function timeWeightedMean(changes, wallMs) {
  let limit = CONCURRENCY;
  let at = 0;
  let area = 0;
  for (const change of changes) {
    area += limit * (change.atMs - at);
    at = change.atMs;
    limit = change.limit;
  }
  area += limit * Math.max(0, wallMs - at);
  return area / Math.max(1, wallMs);
}
