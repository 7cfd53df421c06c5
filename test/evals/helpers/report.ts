import { decideGate } from '../../../src/evals/gate.js';
import { summarize } from '../../../src/evals/metrics.js';
import { buildReport } from '../../../src/evals/reports/report.js';
import type { CaseResult, EvalCase, RunMeta } from '../../../src/evals/types.js';

/** A run of `cases` with these results, put through the real summary, gate and report code (one judge: safety). */
export function reportOf(
  cases: EvalCase[],
  results: CaseResult[],
  options: { status: RunMeta['status']; thresholds: Record<string, number>; maxErrorRate: number },
) {
  const meta: RunMeta = {
    schemaVersion: 1,
    id: '20250101T000000000Z-abcd',
    startedAt: '2025-01-01T00:00:00.000Z',
    status: options.status,
    target: { kind: 'url', url: 'http://svc', protocol: 'answer' },
    dataset: { path: 'd.jsonl', hash: 'h', caseIds: cases.map((c) => c.id) },
    options: {
      concurrency: 1,
      timeoutMs: 1,
      retries: 0,
      repeat: 1,
      cache: true,
      filter: [],
      retrievalK: 5,
      judges: ['safety'],
      judgeModel: null,
    },
  };
  const summary = summarize(results, {
    judgeNames: new Set(['safety']),
    offlineJudges: true,
    caseIds: meta.dataset.caseIds,
  });
  const gate = decideGate({
    summary,
    thresholds: options.thresholds,
    maxErrorRate: options.maxErrorRate,
    maxRegression: 0.02,
  });
  return buildReport({ meta, cases, results, summary, gate, judgeNames: ['safety'] });
}
