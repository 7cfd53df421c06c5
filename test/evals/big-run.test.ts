import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadDataset, runEval, type EvalRequest } from '../../src/evals/index.js';
import { ResultTable } from '../../src/evals/facts.js';
import type { Progress } from '../../src/evals/progress.js';
import { renderHtml } from '../../src/evals/reports/html.js';
import { renderJunit } from '../../src/evals/reports/junit.js';
import { renderMarkdown } from '../../src/evals/reports/markdown.js';
import { FULL_REPORT_CASES, LISTED_PROBLEM_CASES, PASSED_SAMPLE_CASES } from '../../src/evals/reports/report.js';
import { reportOf } from './helpers/report.js';
import { GenaiError } from '../../src/errors.js';
import { startServer, type Received, type Reply, type TestServer } from './helpers/servers.js';

/**
 * Runs above FULL_REPORT_CASES: the dataset is validated up front but read case by case, and the reports for
 * people and CI list the cases that did not pass (HTML also a sample of passed ones) and count the others.
 */
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const CASES = FULL_REPORT_CASES + 150;
/** Every 200th case is answered without the text its assertion wants. */
const failing = (i: number) => i % 200 === 7;
const line = (i: number) =>
  JSON.stringify({
    id: `case-${String(i).padStart(5, '0')}`,
    input: { question: `How do I export report ${i}?` },
    assert: [{ type: 'contains', value: 'Export CSV' }],
  });

const answer = (received: Received): Reply => {
  if (received.path === '/healthz') return { body: { status: 'ok', version: 'big' } };
  const question = (received.body as { question: string }).question;
  const i = Number(/report (\d+)/.exec(question)![1]);
  return {
    body: {
      answer: failing(i) ? 'I do not know.' : 'Open Reports and click Export CSV.',
      refused: false,
      citations: [],
      contexts: [],
      usage: { inputTokens: 10, outputTokens: 5, embeddingTokens: 0 },
      traceId: `t-${i}`,
    },
  };
};

async function project(lines: string[]): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'genai-big-'));
  await writeFile(join(cwd, 'dataset.jsonl'), `${lines.join('\n')}\n`);
  return cwd;
}

async function request(
  cwd: string,
  handle: (r: Received) => Reply | Promise<Reply>,
  over: Partial<EvalRequest> = {},
): Promise<EvalRequest & { server: TestServer }> {
  const server = await startServer(handle);
  servers.push(server);
  return {
    server,
    cwd,
    dataset: 'dataset.jsonl',
    target: { kind: 'url', url: server.url },
    openTarget: async (spec) => ({ url: spec.kind === 'url' ? spec.url : '' }),
    timeoutMs: 5000,
    cache: false,
    concurrency: 16,
    ...over,
  };
}

const failure = async (promise: Promise<unknown>): Promise<GenaiError> => {
  try {
    await promise;
  } catch (err) {
    return err as GenaiError;
  }
  throw new Error('no error');
};

describe('a dataset is validated before any request, then read case by case', () => {
  it('a broken line near the end of a large dataset is reported with file:line before any request', async () => {
    const lines = Array.from({ length: CASES }, (_, i) => line(i));
    lines[CASES - 2] = '{"id": "case-broken", "input": ';
    const cwd = await project(lines);
    const { server, ...req } = await request(cwd, answer);
    const error = await failure(runEval(req));
    expect(error).toMatchObject({ code: 'E_EVAL_DATASET_JSON', location: `dataset.jsonl:${CASES - 1}` });
    expect(error.exitCode).toBe(2);
    expect(server.requests).toHaveLength(0);
  });

  it('so does a case that breaks the schema, with its field', async () => {
    const lines = Array.from({ length: CASES }, (_, i) => line(i));
    lines[CASES - 1] = JSON.stringify({ id: 'late', input: { question: 'q' }, expectd: {} });
    const cwd = await project(lines);
    const { server, ...req } = await request(cwd, answer);
    const error = await failure(runEval(req));
    expect(error).toMatchObject({ code: 'E_EVAL_DATASET_INVALID', location: `dataset.jsonl:${CASES}` });
    expect(error.message).toContain('expectd');
    expect(server.requests).toHaveLength(0);
  });

  it('a case is read from the file when a worker takes it: a dataset rewritten mid-run is caught, located', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => line(i));
    const cwd = await project(lines);
    let rewritten = false;
    const { server: _server, ...req } = await request(
      cwd,
      async (r) => {
        if (r.path === '/v1/answer' && !rewritten) {
          rewritten = true;
          // Same length, other ids: a run holding the parsed cases would never notice.
          await writeFile(join(cwd, 'dataset.jsonl'), `${lines.map((l) => l.replace('case-', 'kase-')).join('\n')}\n`);
        }
        return answer(r);
      },
      { concurrency: 1 },
    );
    const error = await failure(runEval(req));
    expect(error).toMatchObject({ code: 'E_EVAL_DATASET_CHANGED', location: 'dataset.jsonl:2' });
    expect(error.exitCode).toBe(2);
  });
});

describe('a case read back from its line', () => {
  it('reads as validated, with a byte-order mark, CRLF line ends, blank lines and multi-byte text', async () => {
    const cwd = await project([]);
    const file = join(cwd, 'dataset.jsonl');
    const cases = [
      { id: 'a', input: { question: 'Ça marche ? 😀' }, tags: ['x'], metadata: { from: 'feedback' } },
      { id: 'b', input: { question: 'second' }, expected: { refusal: true } },
    ];
    await writeFile(file, `\uFEFF${JSON.stringify(cases[0])}\r\n\r\n  ${JSON.stringify(cases[1])}\r\n`);
    // Twice: validated by the schema, then read with the mark the first pass left.
    for (let pass = 0; pass < 2; pass++) {
      const dataset = await loadDataset(file, cwd);
      expect(dataset.cases).toEqual([
        { id: 'a', input: { question: 'Ça marche ? 😀' }, tags: ['x'], location: 'dataset.jsonl:1' },
        { id: 'b', input: { question: 'second' }, expected: { refusal: true }, location: 'dataset.jsonl:3' },
      ]);
    }
  });
});

describe(`a run of more than ${FULL_REPORT_CASES} cases`, () => {
  it(`lists the cases that did not pass and ${PASSED_SAMPLE_CASES} passed ones, counts the others; report.json has all`, async () => {
    const cwd = await project(Array.from({ length: CASES }, (_, i) => line(i)));
    const { server: _server, ...req } = await request(cwd, answer);
    const { report, files } = await runEval(req);
    const failed = Array.from({ length: CASES }, (_, i) => i).filter(failing).length;
    expect(report.summary).toMatchObject({ total: CASES, passed: CASES - failed, failed, missing: 0 });

    // In memory (what --json prints): the failures with their scores, the first passed cases, a count.
    expect(report.cases.filter((c) => c.state === 'failed')).toHaveLength(failed);
    expect(report.cases.filter((c) => c.state === 'failed').every((c) => c.scores.contains?.pass === false)).toBe(true);
    expect(report.cases.filter((c) => c.state === 'passed')).toHaveLength(PASSED_SAMPLE_CASES);
    expect(report.omitted).toEqual({ passed: CASES - failed - PASSED_SAMPLE_CASES, failed: 0, errored: 0, missing: 0 });
    expect(report.cases[0]!.id).toBe('case-00000');

    const json = JSON.parse(await readFile(files.json, 'utf8'));
    expect(json.cases).toHaveLength(CASES);
    expect(json.omitted).toBeUndefined();
    expect(json.cases[CASES - 1]).toMatchObject({
      id: `case-${String(CASES - 1).padStart(5, '0')}`,
      state: 'passed',
      traceId: `t-${CASES - 1}`,
    });

    const html = await readFile(files.html, 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.cases).toHaveLength(failed + PASSED_SAMPLE_CASES);
    expect(html).toContain(
      `${(CASES - failed - PASSED_SAMPLE_CASES).toLocaleString('en-US')} more passed case(s) are in report.json and results.jsonl.`,
    );

    const junit = await readFile(files.junit, 'utf8');
    expect(junit).toContain(`<testsuite name="contains" tests="${failed}" failures="${failed}"`);
    expect(junit).not.toContain('did not finish');
    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toContain(`| ${CASES} | ${CASES - failed} | ${failed} | 0 | 0 |`);
    expect(markdown).not.toContain('did not finish');
  });

  it('stopped part-way: every report gives the count of cases that did not finish, report.json lists them', async () => {
    const cwd = await project(Array.from({ length: CASES }, (_, i) => line(i)));
    const controller = new AbortController();
    let finished = 0;
    const progress: Progress = {
      start() {},
      tick() {
        if (++finished === 1000) controller.abort();
      },
      stop() {},
    };
    const { server: _server, ...req } = await request(cwd, answer, { signal: controller.signal, progress });
    const { report, files, interrupted } = await runEval(req);
    expect(interrupted).toBe(true);
    const missing = report.summary.missing;
    expect(missing).toBe(CASES - report.summary.passed - report.summary.failed);
    expect(missing).toBeGreaterThan(CASES - 1000 - 32);
    expect(report.omitted?.missing).toBe(missing);
    expect(report.cases.some((c) => c.state === 'missing')).toBe(false);

    const json = JSON.parse(await readFile(files.json, 'utf8'));
    expect(json.cases.filter((c: { state: string }) => c.state === 'missing')).toHaveLength(missing);
    const count = missing.toLocaleString('en-US');
    const junit = await readFile(files.junit, 'utf8');
    expect(junit).toContain(
      `<testcase name="${count} case(s) did not finish" classname="genai.eval.target" time="0.000">\n      <error message="did not finish (interrupted run): ${count} case(s), listed in report.json as missing; resume with genai eval --resume ${report.run.id}">`,
    );
    expect(junit.match(/<testcase name="[^"]*did not finish/g)).toHaveLength(1);
    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toContain(`${count} case(s) did not finish: not listed here; report.json lists them`);
    expect(markdown).not.toMatch(/\| `case-\d+` \| missing \|/);
    const html = await readFile(files.html, 'utf8');
    expect(html).toContain(`${count} case(s) did not finish (report.json lists them as missing)`);
  });
});

describe(`failed or errored cases beyond the first ${LISTED_PROBLEM_CASES}`, () => {
  it('are counted in every report for people and CI, as one testcase in JUnit', () => {
    const report = reportOf(
      [{ id: 'a', input: { question: 'q' }, location: 'd:1' }],
      [{ caseId: 'a', state: 'failed', scores: { contains: { value: 0, pass: false } }, finishedAt: '' }],
      { status: 'finished', thresholds: {}, maxErrorRate: 1 },
    );
    report.omitted = { passed: 0, failed: 12_345, errored: 6, missing: 0 };
    const junit = renderJunit(report);
    const text = '12,345 more failed and 6 more errored case(s) not listed here; report.json lists every case';
    expect(junit).toContain(`<testsuite name="cases" tests="1" failures="1" errors="1"`);
    expect(junit).toContain(
      `<testcase name="12,345 more failed and 6 more errored case(s) not listed" classname="genai.eval.cases"`,
    );
    expect(junit).toContain(`<failure message="${text}">`);
    expect(renderMarkdown(report)).toContain(
      `The worst cases are picked among the first ${LISTED_PROBLEM_CASES.toLocaleString('en-US')} that did not pass: 12,345 more failed and 6 more errored case(s) are not listed here; report.json lists every case.`,
    );
    expect(renderHtml(report)).toContain(
      '<p class="omitted">12,345 more failed and 6 more errored case(s) are not listed here (report.json lists every case).</p>',
    );
  });
});

describe('the facts table', () => {
  it("keeps where each result's line sits and the judges' agreement, across growth", () => {
    const table = new ResultTable();
    for (let i = 0; i < 3000; i++) {
      table.add(
        {
          caseId: `c${i}`,
          state: 'passed',
          scores: { safety: { value: 1, pass: true, ...(i === 2500 ? { agreement: 0.6 } : {}) } },
        },
        i % 3 ? { offset: i * 1000, length: 999 } : undefined,
      );
    }
    expect(table.where('c1')).toEqual({ offset: 1000, length: 999 });
    expect(table.where('c2999')).toEqual({ offset: 2_999_000, length: 999 });
    expect(table.where('c3')).toBeUndefined();
    expect(table.where('nope')).toBeUndefined();
    expect(table.get('c2500')!.scores.safety).toEqual({ value: 1, pass: true, agreement: 0.6 });
    expect(table.get('c2501')!.scores.safety).toEqual({ value: 1, pass: true });
  });
});
