import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runEval, type EvalRequest } from '../../src/evals/index.js';
import { readLines } from '../../src/evals/lines.js';
import { readResults, repairResults, resultsPath } from '../../src/evals/store.js';
import { answerHandler, startServer, type TestServer } from './helpers/servers.js';

/** Large datasets: results stream in and out line by line, contexts are stored only when needed, 413 says so. */
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
const scratch = () => mkdtemp(join(tmpdir(), 'genai-large-'));

describe('the results file is read line by line, never as one string', () => {
  it('yields each line as soon as it is written, before the rest of the file exists (a FIFO)', async () => {
    const dir = await scratch();
    const fifo = join(dir, 'results.fifo');
    execFileSync('mkfifo', [fifo]);
    const lines = readLines(fifo);
    const writer = createWriteStream(fifo);
    writer.write('{"caseId":"a"}\n{"caseId":"b"');
    // A reader that waited for the whole file would never return here: the writer is still open.
    expect((await lines.next()).value).toMatchObject({ text: '{"caseId":"a"}', offset: 0 });
    writer.write('}\n{"caseId":"ü"}\n');
    expect((await lines.next()).value).toMatchObject({ text: '{"caseId":"b"}', offset: 15 });
    expect((await lines.next()).value).toMatchObject({ text: '{"caseId":"ü"}', offset: 30 });
    writer.end();
    expect((await lines.next()).done).toBe(true);
  });

  it('reads a results file of many chunks: every line once, at its byte offset, multi-byte text intact', async () => {
    const dir = await scratch();
    const file = join(dir, 'results.jsonl');
    const text = Array.from({ length: 3000 }, (_, i) =>
      JSON.stringify({ caseId: `c${i}`, note: 'é€😀'.repeat(i % 50), pad: 'x'.repeat(500) }),
    ).join('\n');
    await writeFile(file, `${text}\n`);
    expect((await stat(file)).size).toBeGreaterThan(1_500_000);
    const handle = await open(file, 'r');
    let count = 0;
    for await (const line of readLines(file)) {
      const bytes = Buffer.alloc(line.length);
      await handle.read(bytes, 0, line.length, line.offset);
      expect(bytes.toString('utf8')).toBe(line.text);
      expect(JSON.parse(line.text).caseId).toBe(`c${count++}`);
    }
    await handle.close();
    expect(count).toBe(3000);
  });

  it('a kill mid-write: the cut last line is dropped on read and cut from the file before a resume appends', async () => {
    const cwd = await scratch();
    const file = resultsPath(cwd, 'run');
    await mkdir(join(file, '..'), { recursive: true });
    const whole = `${JSON.stringify({ caseId: 'a', state: 'passed', scores: {} })}\n`;
    // The cut line is longer than the 64 KB the repair reads at once from the end.
    await writeFile(file, `${whole}{"caseId":"b","state":"passed","pad":"${'x'.repeat(100_000)}`);
    const read = [];
    for await (const { result } of readResults(cwd, 'run')) read.push(result.caseId);
    expect(read).toEqual(['a']);
    await repairResults(cwd, 'run');
    expect(await readFile(file, 'utf8')).toBe(whole);
  });
});

describe('stored results of a run', () => {
  const withDataset = async () => {
    const cwd = await scratch();
    await writeFile(
      join(cwd, 'dataset.jsonl'),
      [
        {
          id: 'export',
          input: { question: 'How do I export a report as CSV?' },
          expected: { documentIds: ['export-csv'] },
        },
        {
          id: 'reset',
          input: { question: 'How do I reset my password?' },
          expected: { documentIds: ['reset-password'] },
        },
      ]
        .map((c) => JSON.stringify(c))
        .join('\n'),
    );
    return cwd;
  };
  const request = async (cwd: string, over: Partial<EvalRequest> = {}): Promise<EvalRequest> => {
    const server = await startServer(answerHandler());
    servers.push(server);
    return {
      cwd,
      evals: { dataset: 'dataset.jsonl', judges: ['safety'] },
      target: { kind: 'url', url: server.url },
      openTarget: async (spec) => ({ url: spec.kind === 'url' ? spec.url : '' }),
      timeoutMs: 2000,
      cache: false,
      ...over,
    };
  };
  const storedLines = async (cwd: string, runId: string) =>
    (await readFile(resultsPath(cwd, runId), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('keep no retrieved contexts when no judge reads them, yet retrieval metrics are scored from them', async () => {
    const cwd = await withDataset();
    const { report, files } = await runEval(await request(cwd));
    expect(report.summary.metrics['hit@5']).toMatchObject({ value: 1, count: 2 });
    const results = await storedLines(cwd, report.run.id);
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.response.answer).toBeTruthy();
      expect(result.response).not.toHaveProperty('contexts');
    }
    const written = JSON.parse(await readFile(files.json, 'utf8'));
    expect(written.cases.map((c: { contexts?: unknown }) => c.contexts)).toEqual([undefined, undefined]);
    expect(report.run.options.storeContexts).toBe(false);
  });

  it('keep them when a judge reads them (groundedness) or when asked (--store-contexts)', async () => {
    for (const over of [
      { evals: { dataset: 'dataset.jsonl', judges: ['groundedness' as const] } },
      { storeContexts: true },
    ]) {
      const cwd = await withDataset();
      const { report } = await runEval(await request(cwd, over));
      const results = await storedLines(cwd, report.run.id);
      expect(results.every((r) => r.response.contexts?.[0]?.documentId)).toBe(true);
      expect(report.cases.every((c) => c.contexts?.length)).toBe(true);
    }
  });

  it('a target that answers 413 errors the case with "request too large (413)" and a fix, without retrying', async () => {
    const cwd = await withDataset();
    const server = await startServer((received) =>
      received.path === '/healthz' ? { body: { status: 'ok' } } : { status: 413, body: { error: 'payload too large' } },
    );
    servers.push(server);
    const { report } = await runEval({ ...(await request(cwd)), target: { kind: 'url', url: server.url } });
    expect(report.summary.errored).toBe(2);
    for (const c of report.cases) {
      expect(c.error?.message).toMatch(/^request too large \(413\): .* fix: shorten the case's input/);
    }
    expect(server.requests.filter((r) => r.path === '/v1/answer')).toHaveLength(2);
  });
});
