// Benchmark of the eval engine (prints figures; asserts nothing). Run after compiling: node bench/eval.js
//
// First the CLI as a user runs it: a one-case `genai eval`, and 500 cases at concurrency 20 against the
// floor (a bare fetch loop doing the same requests at the same concurrency, plus 150 ms for a Node start).
// Then the engine in-process:
// 500 cases at concurrency 20 against a local OpenAI-compatible endpoint that answers after 20 ms, first
// with one `contains` assertion per case, then also with one LLM judge per case graded by the same
// endpoint. Each measurement runs in its own process so that its peak RSS is its own. Compared with the
// ideal bound (requests × latency ÷ concurrency) and with a plain fetch loop doing the same requests.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CASES = 500;
const CONCURRENCY = 20;
const LATENCY_MS = 20;
const self = fileURLToPath(import.meta.url);
const bin = join(dirname(self), '..', 'bin', 'run.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const [mode, ...rest] = process.argv.slice(2);

if (mode === 'serve') await serve();
else if (mode === 'engine') await engine(rest[0], rest[1] === 'judge');
else if (mode === 'fetch') await fetchLoop(rest[0], rest[1] === 'judge');
else await main();

/** The endpoint: answers chat completions after LATENCY_MS; a judge prompt (it has a rubric) gets a verdict. */
async function serve() {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ object: 'list', data: [{ id: 'bench', object: 'model' }] }));
      }
      const request = JSON.parse(body || '{}');
      const judging = request.messages?.[0]?.role === 'system' && request.messages[0].content.includes('RUBRIC');
      const question = request.messages?.at(-1)?.content ?? '';
      const content = judging
        ? '{"verdict": "pass", "rationale": "helpful"}'
        : `Answer to: ${question}. Open Reports and click Export CSV.`;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'bench',
            object: 'chat.completion',
            choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 40, completion_tokens: 12 },
          }),
        );
      }, LATENCY_MS);
    });
  });
  server.listen(0, '127.0.0.1', () =>
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`),
  );
}

/** The engine, as `genai eval --url … --no-cache` runs it: dataset, target, scorers, judges, results file, reports. */
async function engine(url, withJudge) {
  const { runEval } = await import('../dist/evals/index.js');
  const cwd = await mkdtemp(join(tmpdir(), 'genai-bench-eval-'));
  const lines = Array.from({ length: CASES }, (_, i) =>
    JSON.stringify({
      id: `case-${i}`,
      input: { question: question(i) },
      assert: [{ type: 'contains', value: 'Export CSV' }],
    }),
  );
  await writeFile(join(cwd, 'dataset.jsonl'), `${lines.join('\n')}\n`);
  const evals = {
    dataset: 'dataset.jsonl',
    ...(withJudge
      ? {
          custom: [{ name: 'helpful', rubric: 'The answer helps the user.', output: 'pass-fail' }],
          judgeModel: { provider: 'openai-compatible', id: 'bench', baseUrl: `${url}/v1` },
        }
      : {}),
  };
  const started = performance.now();
  const outcome = await runEval({
    cwd,
    evals,
    target: { kind: 'url', url: `${url}/v1` },
    openTarget: async (spec) => ({ url: spec.url }),
    protocol: 'openai',
    concurrency: CONCURRENCY,
    cache: false,
  });
  const wallMs = performance.now() - started;
  const { passed, total } = outcome.report.summary;
  if (passed !== total) throw new Error(`expected every case to pass, got ${passed}/${total}`);
  report({ wallMs });
  await rm(cwd, { recursive: true, force: true });
}

/** The same requests with nothing but fetch: CONCURRENCY workers, target then judge per case. */
async function fetchLoop(url, withJudge) {
  const post = async (messages) => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench', messages }),
    });
    return (await response.json()).choices[0].message.content;
  };
  const started = performance.now();
  let next = 0;
  let passed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < CASES) {
        const i = next++;
        const answer = await post([{ role: 'user', content: question(i) }]);
        if (withJudge)
          await post([
            { role: 'system', content: 'RUBRIC: helpful' },
            { role: 'user', content: `QUESTION:\n${question(i)}\n\nANSWER:\n${answer}` },
          ]);
        if (answer.includes('Export CSV')) passed++;
      }
    }),
  );
  const wallMs = performance.now() - started;
  if (passed !== CASES) throw new Error('fetch loop lost answers');
  report({ wallMs });
}

function medianOf(run) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

function question(i) {
  return `How do I export report number ${i} as CSV?`;
}

function report(figures) {
  process.stdout.write(`${JSON.stringify({ ...figures, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function child(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && args[0] === 'serve') resolve({ proc, ...JSON.parse(line) });
    });
    proc.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)))
        : reject(new Error(`${args.join(' ')} exited ${code}`)),
    );
  });
}

/** A project whose genai.yaml names a dataset of `count` cases; `genai eval` runs in it as a user would. */
async function cliProject(count) {
  const cwd = await mkdtemp(join(tmpdir(), 'genai-bench-cli-'));
  await writeFile(
    join(cwd, 'genai.yaml'),
    'name: bench\nevals: { dataset: dataset.jsonl }\nenvironments: { local: { target: local } }\n',
  );
  const lines = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      id: `case-${i}`,
      input: { question: question(i) },
      assert: [{ type: 'contains', value: 'Export CSV' }],
    }),
  );
  await writeFile(join(cwd, 'dataset.jsonl'), `${lines.join('\n')}\n`);
  return cwd;
}

/** Wall time of `genai eval` (the built CLI, a process of its own), median of RUNS after one warm-up. */
function cliWall(cwd, url, concurrency) {
  const args = [bin, 'eval', '--url', `${url}/v1`, '--protocol', 'openai', '--no-cache', '--no-progress'];
  if (concurrency) args.push('--concurrency', String(concurrency));
  const samples = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { cwd, stdio: 'pipe' });
    if (result.status !== 0) throw new Error(`genai eval exited ${result.status}: ${result.stderr}`);
    // The first run fills the manifest and dataset caches, as any run after an edit does.
    if (i > 0) samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples.at(-1) };
}

async function main() {
  const server = await child(['serve']);
  try {
    const one = cliWall(await cliProject(1), server.url);
    const node = medianOf(() => spawnSync(process.execPath, ['-e', '0']));
    console.log(`genai eval (the CLI), median of ${RUNS} runs after a warm-up, node ${process.version}`);
    console.log(
      `  one case                 ${one.median.toFixed(0).padStart(6)} ms  (min ${one.min.toFixed(0)}, max ${one.max.toFixed(0)}; target ≤ 450 ms; node -e 0: ${node.toFixed(0)} ms)`,
    );
    const fetches = [];
    for (let i = 0; i < RUNS; i++) fetches.push((await child(['fetch', server.url, 'contains'])).wallMs);
    fetches.sort((a, b) => a - b);
    const floor = fetches[Math.floor(fetches.length / 2)] + 150;
    const many = cliWall(await cliProject(CASES), server.url, CONCURRENCY);
    console.log(
      `  ${CASES} cases, conc. ${CONCURRENCY}     ${many.median.toFixed(0).padStart(6)} ms  floor ${floor.toFixed(0)} ms (fetch loop + 150 ms Node start)  ${(many.median / floor).toFixed(2)}× floor (target ≤ 1.5×)`,
    );

    console.log(
      `eval bench: ${CASES} cases, concurrency ${CONCURRENCY}, endpoint latency ${LATENCY_MS} ms, node ${process.version}`,
    );
    for (const scenario of ['contains', 'judge']) {
      const requests = scenario === 'judge' ? 2 : 1;
      const ideal = (CASES * requests * LATENCY_MS) / CONCURRENCY;
      // One warm-up of each, then the measured runs.
      await child(['fetch', server.url, scenario]);
      await child(['engine', server.url, scenario]);
      const plain = await child(['fetch', server.url, scenario]);
      const ours = await child(['engine', server.url, scenario]);
      console.log(
        `\n${scenario === 'judge' ? 'contains + one LLM judge per case' : 'one contains assertion per case'} (${CASES * requests} requests, ideal ${ideal.toFixed(0)} ms)`,
      );
      console.log(
        `  plain fetch loop  ${plain.wallMs.toFixed(0).padStart(6)} ms  ${(plain.wallMs / ideal).toFixed(2)}× ideal  peak RSS ${plain.maxRssMb.toFixed(0)} MB`,
      );
      console.log(
        `  genai eval        ${ours.wallMs.toFixed(0).padStart(6)} ms  ${(ours.wallMs / ideal).toFixed(2)}× ideal  ${(ours.wallMs / plain.wallMs).toFixed(2)}× fetch loop  peak RSS ${ours.maxRssMb.toFixed(0)} MB`,
      );
    }
  } finally {
    server.proc.kill();
  }
}
