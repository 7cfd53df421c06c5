import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { formatMetric, type EvalReport } from './report.js';

/** What the summary reads of a finished run (EvalOutcome of the evals module). */
export interface SummaryInput {
  report: EvalReport;
  files: { runDir: string };
  interrupted: boolean;
  baselineSaved?: string | undefined;
}

/** What `genai eval` prints for people: the summary for stdout, warnings for stderr. */
export interface EvalSummary {
  lines: string[];
  warnings: string[];
}

/** The counts, each metric (✓/✗ against its threshold), the gate's reasons, where the reports are, the baseline. */
export function renderSummary(outcome: SummaryInput, request: { saveBaseline?: string | undefined } = {}): EvalSummary {
  const { report, files } = outcome;
  const { summary, gate } = report;
  const missing = summary.missing ? `, ${summary.missing} missing` : '';
  const lines = [
    `run ${report.run.id}: ${summary.total} cases — ${summary.passed} passed, ${summary.failed} failed, ${summary.errored} errored${missing}`,
  ];
  if (report.judges.note) lines.push(`note: ${report.judges.note}`);
  for (const metric of Object.values(summary.metrics)) {
    const threshold = gate.thresholds.find((t) => t.metric === metric.name);
    const mark = threshold ? (threshold.pass ? ' ✓' : ` ✗ (threshold ${threshold.threshold})`) : '';
    const offline = metric.kind === 'judge' && metric.offline ? ' [offline heuristic]' : '';
    lines.push(`  ${metric.name.padEnd(18)} ${formatMetric(metric.name, metric.value).padStart(10)}${offline}${mark}`);
  }
  for (const reason of gate.reasons) lines.push(`  gate: ${reason}`);
  lines.push(`reports: ${files.runDir}`);
  const warnings: string[] = [];
  if (outcome.baselineSaved) lines.push(`saved as the baseline of ${outcome.baselineSaved}`);
  else if (request.saveBaseline)
    warnings.push(`not saved as the baseline of ${request.saveBaseline}: the gates did not pass`);
  return { lines, warnings };
}

/** The line for the CI log and the exit code of a run that did not pass; undefined when it passed. */
export interface EvalVerdict {
  line: string;
  exitCode: ExitCodeValue;
}

/** Interrupted → 130 (resumable), too many errored cases → 3, a failed gate → 1. */
export function verdictOf(outcome: SummaryInput): EvalVerdict | undefined {
  const { run, gate } = outcome.report;
  if (outcome.interrupted) {
    return { line: `interrupted: resume with genai eval --resume ${run.id}`, exitCode: ExitCode.interrupted };
  }
  if (!gate.errorRate.pass) {
    return {
      line: `error: ${gate.reasons[0]} — fix: check the target's health and logs, or raise evals.maxErrorRate`,
      exitCode: ExitCode.environment,
    };
  }
  if (!gate.pass) return { line: `gate failed: ${gate.reasons.join('; ')}`, exitCode: ExitCode.gateFailed };
  return undefined;
}
