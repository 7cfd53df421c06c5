import { describe, expect, it } from 'vitest';
import type { EvalOutcome } from '../../src/evals/index.js';
import { renderSummary, verdictOf } from '../../src/evals/reports/summary.js';
import type { CaseResult, EvalCase } from '../../src/evals/types.js';
import { reportOf } from './helpers/report.js';

/** What `genai eval` prints after a run, and the exit code CI sees, from runs built by the real engine parts. */

const cases: EvalCase[] = ['a', 'b', 'c'].map((id) => ({ id, input: { question: `question ${id}` }, location: 'd:1' }));
const response = {
  answer: 'an answer',
  refused: false,
  citations: [],
  usage: { inputTokens: 1, outputTokens: 2, embeddingTokens: 0 },
  latencyMs: 250,
};
const offlineJudge = { model: 'offline-heuristic', offline: true, repeat: 1, agreement: 1 };
const passed = (caseId: string): CaseResult => ({
  caseId,
  state: 'passed',
  response,
  scores: { contains: { value: 1, pass: true }, safety: { value: 1, pass: true, judge: offlineJudge } },
  finishedAt: '',
});
const failed = (caseId: string): CaseResult => ({
  caseId,
  state: 'failed',
  response,
  scores: { contains: { value: 0, pass: false }, safety: { value: 1, pass: true, judge: offlineJudge } },
  finishedAt: '',
});
const errored = (caseId: string): CaseResult => ({
  caseId,
  state: 'errored',
  scores: {},
  error: { kind: 'target', message: 'HTTP 503' },
  finishedAt: '',
});

function outcome(
  results: CaseResult[],
  options: { thresholds?: Record<string, number>; interrupted?: boolean; baselineSaved?: string } = {},
): EvalOutcome {
  const report = reportOf(cases, results, {
    status: options.interrupted ? 'interrupted' : 'finished',
    thresholds: options.thresholds ?? {},
    maxErrorRate: 0.1,
  });
  const runDir = '.genai/evals/runs/20250101T000000000Z-abcd';
  return {
    report,
    files: { runDir, json: '', junit: '', markdown: '', html: '', extra: [] },
    interrupted: options.interrupted ?? false,
    ...(options.baselineSaved ? { baselineSaved: options.baselineSaved } : {}),
  };
}

describe('the summary genai eval prints', () => {
  it('counts the cases, marks thresholds ✓/✗ and offline judged metrics, and says where the reports are', () => {
    const { lines, warnings } = renderSummary(
      outcome([passed('a'), passed('b'), failed('c')], { thresholds: { contains: 0.5, safety: 0.9 } }),
    );
    expect(lines[0]).toBe('run 20250101T000000000Z-abcd: 3 cases — 2 passed, 1 failed, 0 errored');
    expect(lines[1]).toMatch(/^note: No judge model is configured/);
    expect(lines).toContain('  contains                0.667 ✓');
    expect(lines).toContain('  safety                  1.000 [offline heuristic] ✓');
    expect(lines).toContain('  latencyP95Ms           250 ms');
    expect(lines.at(-1)).toBe('reports: .genai/evals/runs/20250101T000000000Z-abcd');
    expect(lines.some((l) => l.includes('gate:'))).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('shows a missed threshold with its value, the missing cases and every gate reason', () => {
    const { lines } = renderSummary(outcome([passed('a'), failed('b')], { thresholds: { contains: 0.9 } }));
    expect(lines[0]).toBe('run 20250101T000000000Z-abcd: 3 cases — 1 passed, 1 failed, 0 errored, 1 missing');
    expect(lines).toContain('  contains                0.500 ✗ (threshold 0.9)');
    expect(lines.filter((l) => l.startsWith('  gate: '))).toEqual([
      '  gate: 1 case(s) did not finish',
      '  gate: contains 0.500 < threshold 0.900',
    ]);
  });

  it('says the run became the baseline, or warns when --save-baseline could not save it', () => {
    const saved = renderSummary(outcome([passed('a'), passed('b'), passed('c')], { baselineSaved: 'prod' }), {
      saveBaseline: 'prod',
    });
    expect(saved.lines.at(-1)).toBe('saved as the baseline of prod');
    expect(saved.warnings).toEqual([]);

    const refused = renderSummary(outcome([passed('a'), failed('b')], { thresholds: { contains: 0.9 } }), {
      saveBaseline: 'prod',
    });
    expect(refused.lines.some((l) => l.startsWith('saved as'))).toBe(false);
    expect(refused.warnings).toEqual(['not saved as the baseline of prod: the gates did not pass']);
  });
});

describe('the verdict and exit code of a run', () => {
  it('a run that passes its gates has no verdict line and exits 0', () => {
    expect(verdictOf(outcome([passed('a'), passed('b'), passed('c')]))).toBeUndefined();
  });

  it('a failed gate exits 1 and names every reason', () => {
    expect(verdictOf(outcome([passed('a'), failed('b'), failed('c')], { thresholds: { contains: 0.9 } }))).toEqual({
      line: 'gate failed: contains 0.333 < threshold 0.900',
      exitCode: 1,
    });
  });

  it('too many errored cases exit 3 with a fix, even when a threshold also failed', () => {
    expect(verdictOf(outcome([passed('a'), errored('b'), failed('c')], { thresholds: { contains: 0.9 } }))).toEqual({
      line: "error: 33.3% of cases errored (max 10.0%) — fix: check the target's health and logs, or raise evals.maxErrorRate",
      exitCode: 3,
    });
  });

  it('an interrupted run exits 130 and says how to resume it, whatever its gates say', () => {
    expect(verdictOf(outcome([errored('a')], { interrupted: true, thresholds: { contains: 0.9 } }))).toEqual({
      line: 'interrupted: resume with genai eval --resume 20250101T000000000Z-abcd',
      exitCode: 130,
    });
  });
});
