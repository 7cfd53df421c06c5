import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamProgress } from '../../src/evals/progress.js';
import { renderJunit } from '../../src/evals/reports/junit.js';
import { renderMarkdown } from '../../src/evals/reports/markdown.js';
import type { CaseResult, EvalCase } from '../../src/evals/types.js';
import { reportOf } from './helpers/report.js';

const cases: EvalCase[] = ['a<1>', 'b&2', 'c', 'd'].map((id, i) => ({
  id,
  input: { question: `question ${i}` },
  tags: ['t'],
  location: `d:${i + 1}`,
}));
const response = {
  answer: 'It is <b>bold</b> & "quoted"',
  refused: false,
  citations: [],
  usage: { inputTokens: 1, outputTokens: 2, embeddingTokens: 0 },
  latencyMs: 250,
  traceId: 't-1',
};
const results: CaseResult[] = [
  {
    caseId: 'a<1>',
    state: 'passed',
    response,
    scores: {
      contains: { value: 1, pass: true },
      safety: {
        value: 1,
        pass: true,
        reason: 'safe',
        judge: { model: 'offline-heuristic', offline: true, repeat: 1, agreement: 1 },
      },
    },
    finishedAt: '',
  },
  {
    caseId: 'b&2',
    state: 'failed',
    response,
    scores: { contains: { value: 0, pass: false, reason: 'missing "x<y"' }, safety: { value: 1, pass: true } },
    finishedAt: '',
  },
  {
    caseId: 'c',
    state: 'errored',
    response,
    scores: {
      contains: { value: 1, pass: true },
      safety: { value: null, error: 'judge error: not a JSON object: "Fine"' },
    },
    error: { kind: 'judge', metric: 'safety', message: 'judge error: not a JSON object: "Fine"' },
    finishedAt: '',
  },
];
const report = reportOf(cases, results, { status: 'interrupted', thresholds: { contains: 0.9 }, maxErrorRate: 0.5 });

describe('reports', () => {
  it('JUnit: a testcase per case × metric, failures and judge errors counted, the unfinished case an error, text escaped', () => {
    const xml = renderJunit(report);
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="genai eval 20250101T000000000Z-abcd" tests="9" failures="2" errors="2"/,
    );
    expect(xml).toContain('<testsuite name="contains" tests="3" failures="1" errors="0"');
    expect(xml).toContain('<testsuite name="safety" tests="3" failures="0" errors="1"');
    expect(xml).toContain('<testcase name="a&lt;1&gt;" classname="genai.eval.contains" time="0.250"');
    expect(xml).toContain('<failure message="missing &quot;x&lt;y&quot;">');
    expect(xml).toContain('<error message="judge error: not a JSON object: &quot;Fine&quot;">');
    expect(xml).toContain(
      '<testcase name="d" classname="genai.eval.target" time="0.000">\n      <error message="did not finish (interrupted run)">',
    );
    expect(xml).toContain('[offline heuristic judge]');
    expect(xml).toContain(
      '<testcase name="threshold contains" classname="genai.eval.gate" time="0.000">\n      <failure message="contains = 0.667, threshold 0.9">',
    );
  });

  it('Markdown: verdict, counts, the interrupted run, the gate rule and the worst cases first', () => {
    const markdown = renderMarkdown(report);
    expect(markdown).toContain('## genai eval — ❌ gate failed');
    expect(markdown).toContain('| 4 | 1 | 1 | 1 | 1 | 25.0% (max 50%) |');
    expect(markdown).toContain('resume it with `genai eval --resume 20250101T000000000Z-abcd`');
    expect(markdown).toContain('| safety _(offline heuristic)_ · 1 judge error(s) | 1.000 | 100% |  |');
    const worst = markdown.slice(markdown.indexOf('### Worst cases'));
    expect(worst.indexOf('`c`')).toBeLessThan(worst.indexOf('`d`'));
    expect(worst.indexOf('`d`')).toBeLessThan(worst.indexOf('`b&2`'));
    expect(worst).toContain('| `b&2` | failed | contains: missing "x<y" | `t-1` |');
  });
});

describe('progress', () => {
  const sink = (isTTY: boolean) => {
    const chunks: string[] = [];
    const stream = Object.assign(new Writable({ write: (chunk, _enc, done) => (chunks.push(String(chunk)), done()) }), {
      isTTY,
    });
    return { stream: stream as unknown as NodeJS.WriteStream, chunks };
  };
  it('prints plain lines about every tenth in CI, and redraws one bar on a terminal', () => {
    const ci = sink(false);
    const progress = streamProgress(ci.stream);
    progress.start(20, 0);
    for (let i = 0; i < 20; i++)
      progress.tick({ caseId: `c${i}`, state: i === 3 ? 'errored' : 'passed', scores: {}, finishedAt: '' });
    progress.stop();
    expect(ci.chunks[0]).toBe('eval: 20 case(s)\n');
    expect(ci.chunks.length).toBe(11);
    expect(ci.chunks.at(-1)).toMatch(/^eval: 20\/20 · 19 passed · 0 failed · 1 errored · [\d.]+ s\n$/);
    const tty = sink(true);
    const bar = streamProgress(tty.stream);
    bar.start(2, 0);
    bar.tick({ caseId: 'a', state: 'passed', scores: {}, finishedAt: '' });
    bar.tick({ caseId: 'b', state: 'failed', scores: {}, finishedAt: '' });
    bar.stop();
    expect(
      tty.chunks
        .at(-2)!
        .startsWith(`\r${String.fromCharCode(27)}[2K[${'#'.repeat(24)}] 2/2 · 1 passed · 1 failed · 0 errored`),
    ).toBe(true);
    expect(tty.chunks.every((c) => !c.startsWith('eval:'))).toBe(true);
  });
});
