import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerHandler, startServer, type TestServer } from './helpers/servers.js';
import { genai, project } from './helpers/project.js';

/** `genai eval` as a user and CI run it: the built CLI against a local service. */
let server: TestServer;
beforeAll(async () => {
  server = await startServer(answerHandler());
});
afterAll(async () => {
  await server.close();
});

describe('genai eval --url', () => {
  it('passes the gates: exit 0, the full report under --json, and copies of the reports where asked', async () => {
    const dir = await project({
      judges: ['correctness', 'safety'],
      thresholds: { citations: 1, safety: 1, latencyP95Ms: 3000 },
    });
    const summaryFile = join(dir, 'step-summary.md');
    await writeFile(summaryFile, '');
    const result = await genai(
      ['eval', '--url', server.url, '--json', '--junit', 'out/evals.xml', '--markdown', 'out/evals.md'],
      dir,
      {
        GITHUB_STEP_SUMMARY: summaryFile,
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      schema: 'genai-eval-report',
      schemaVersion: 1,
      summary: { total: 5, passed: 5 },
      gate: { pass: true },
    });
    const junit = await readFile(join(dir, 'out', 'evals.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="genai eval [^"]+" tests="\d+" failures="0" errors="0"/);
    expect(junit).toContain('<testsuite name="citations" tests="4" failures="0"');
    expect(junit).toContain('<testcase name="export-csv" classname="genai.eval.correctness"');
    const markdown = await readFile(join(dir, 'out', 'evals.md'), 'utf8');
    expect(markdown).toContain('## genai eval — ✅ passed');
    expect(markdown).toContain('**offline heuristic judges**');
    expect(await readFile(summaryFile, 'utf8')).toBe(markdown);
  });

  it('prints a human summary that marks offline judged metrics and thresholds', async () => {
    const dir = await project({ judges: ['correctness'], thresholds: { correctness: 0.5 } });
    const result = await genai(['eval', '--url', server.url, '--no-progress'], dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^run \d{8}T\d{9}Z-[0-9a-f]{4}: 5 cases — 5 passed, 0 failed, 0 errored$/m);
    expect(result.stdout).toMatch(/correctness\s+[\d.]+ \[offline heuristic\] ✓/);
    expect(result.stdout).toContain('note: No judge model is configured');
  });

  it('exits 1 when a threshold fails, saying which', async () => {
    // Scores are capped at 1 by the manifest, so a latency objective no service meets makes the gate fail.
    const dir = await project({ thresholds: { latencyP95Ms: 0 } });
    const result = await genai(['eval', '--url', server.url, '--no-progress'], dir);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/gate failed: latencyP95Ms [\d.]+ > threshold 0/);
  });

  it('exits 1 on a regression against a saved baseline, and lists the moved cases in Markdown', async () => {
    const dir = await project({});
    expect(
      (await genai(['eval', '--url', server.url, '--save-baseline', 'staging', '--no-progress'], dir)).exitCode,
    ).toBe(0);
    const broken = await startServer((r) => {
      const reply = answerHandler()(r);
      if (reply !== 'hang' && r.path === '/v1/answer') (reply.body as { citations: unknown[] }).citations = [];
      return reply;
    });
    try {
      const result = await genai(
        ['eval', '--url', broken.url, '--baseline', 'staging', '--markdown', 'pr.md', '--no-progress'],
        dir,
      );
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/citations regressed from 1 to 0 \(by 1\) vs staging baseline/);
      const markdown = await readFile(join(dir, 'pr.md'), 'utf8');
      expect(markdown).toContain('## genai eval — ❌ gate failed');
      expect(markdown).toMatch(/\*\*citations\*\*: 4 worse \(`delete-account` 1\.00→0\.00/);
      expect(markdown).toContain('| change vs baseline (95% CI, + is better) |');
    } finally {
      await broken.close();
    }
  });

  it('exits 3 when the target is unreachable', async () => {
    const dir = await project({});
    const closed = await startServer(answerHandler());
    const url = closed.url;
    await closed.close();
    const result = await genai(['eval', '--url', url], dir);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /^error: target http:\/\/127\.0\.0\.1:\d+ is unreachable: cannot connect \(ECONNREFUSED\) .* — fix: start the service/m,
    );
  });

  it('exits 3 when more cases error than evals.maxErrorRate allows', async () => {
    const dir = await project({ maxErrorRate: 0.2 });
    const flaky = await startServer((r) => {
      if (r.path === '/v1/answer' && /rain|password/.test((r.body as { question: string }).question))
        return { status: 503, body: { error: 'overloaded' } };
      return answerHandler()(r);
    });
    try {
      const result = await genai(['eval', '--url', flaky.url, '--retries', '1', '--json'], dir);
      expect(result.exitCode).toBe(3);
      const report = JSON.parse(result.stdout);
      expect(report.summary).toMatchObject({ errored: 2, passed: 3 });
      expect(report.cases.find((c: { id: string }) => c.id === 'weather').error.message).toMatch(
        /^HTTP 503.* \(after 2 attempts\)$/,
      );
      expect(result.stderr).toMatch(/error: 40\.0% of cases errored \(max 20\.0%\)/);

      const allowed = await genai(
        ['eval', '--url', flaky.url, '--retries', '1', '--max-error-rate', '0.5', '--json'],
        dir,
      );
      expect(allowed.exitCode, allowed.stderr).toBe(0);
      expect(JSON.parse(allowed.stdout).gate.errorRate).toEqual({ value: 0.4, max: 0.5, pass: true });
    } finally {
      await flaky.close();
    }
  });

  it('exits 2 with one line and a fix when --max-error-rate is not a share', async () => {
    const dir = await project({});
    // As users run it: under NODE_ENV=test (vitest's) oclif adds a note for developers when parsing fails.
    const user = { NODE_ENV: 'production' };
    const result = await genai(['eval', '--url', server.url, '--max-error-rate', '1.5'], dir, user);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'error: --max-error-rate 1.5 is not a share between 0 and 1 — fix: e.g. --max-error-rate 0.05',
    );
    const json = await genai(['eval', '--url', server.url, '--max-error-rate', 'abc', '--json'], dir, user);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout).error).toEqual({
      code: 'E_USAGE',
      message: '--max-error-rate abc is not a share between 0 and 1',
      fix: 'e.g. --max-error-rate 0.05',
      exitCode: 2,
    });
  });

  it('exits 2 with the file, line and field of a bad dataset', async () => {
    const dir = await project(
      {},
      '{"id":"a","input":{"question":"q"}}\n{"id":"b","input":{"question":"q"},"expected":{"documentIDs":["x"]}}\n',
    );
    const result = await genai(['eval', '--url', server.url], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'error: evals/dataset.jsonl:2 expected: unknown field "documentIDs" — fix: each case needs { id, input: { question | messages }, expected?, tags?, assert? } — see docs/evals.md',
    );
  });

  it('Ctrl-C stops cleanly with exit 130 and a resumable run', async () => {
    const dir = await project({});
    const slow = await startServer(async (r) => {
      if (r.path === '/v1/answer') await new Promise((resolve) => setTimeout(resolve, 150));
      return answerHandler()(r);
    });
    try {
      const child = genai(['eval', '--url', slow.url, '--concurrency', '1', '--no-progress'], dir);
      const runs = join(dir, '.genai', 'evals', 'runs');
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        const [run] = existsSync(runs) ? await readdir(runs) : [];
        const lines = run
          ? (await readFile(join(runs, run, 'results.jsonl'), 'utf8').catch(() => '')).split('\n').filter(Boolean)
          : [];
        if (lines.length >= 2) break;
      }
      child.kill('SIGINT');
      const stopped = await child;
      expect(stopped.exitCode).toBe(130);
      expect(stopped.stderr).toMatch(/interrupted: resume with genai eval --resume \d{8}T\d{9}Z-[0-9a-f]{4}/);
      const [run] = await readdir(runs);
      expect(JSON.parse(await readFile(join(runs, run!, 'run.json'), 'utf8')).status).toBe('interrupted');
      const resumed = await genai(['eval', '--resume', run!, '--json'], dir);
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout).summary).toMatchObject({ total: 5, passed: 5, missing: 0 });
      const lines = (await readFile(join(runs, run!, 'results.jsonl'), 'utf8')).trim().split('\n');
      expect(new Set(lines.map((l) => JSON.parse(l).caseId)).size).toBe(5);
      expect(lines).toHaveLength(5);
    } finally {
      await slow.close();
    }
  });

  it('runs without a genai.yaml when --dataset is given, with --filter and --sample', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genai-eval-bare-'));
    const dataset = join(import.meta.dirname, '..', 'fixtures', 'evals', 'dataset.csv');
    const result = await genai(
      ['eval', '--url', server.url, '--dataset', dataset, '--filter', 'tag=out-of-scope', '--json'],
      dir,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).cases.map((c: { id: string }) => c.id)).toEqual(['weather']);
    const usage = await genai(['eval', '--dataset', dataset], dir);
    expect(usage.exitCode).toBe(2);
    expect(usage.stderr).toContain('no target to evaluate — fix: pass --url URL, --env ENV or --local');
  });
});
