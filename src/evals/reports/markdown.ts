import {
  caseProblems,
  formatChange,
  formatCount,
  formatMetric,
  LISTED_PROBLEM_CASES,
  omittedProblems,
  worstCases,
  type EvalReport,
} from './report.js';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Markdown for a pull-request comment or $GITHUB_STEP_SUMMARY: verdict, counts, metrics, deltas, worst cases. */
export function renderMarkdown(report: EvalReport, options: { worst?: number } = {}): string {
  const { summary, gate } = report;
  const out: string[] = [];
  const verdict = gate.pass ? '✅ passed' : !gate.errorRate.pass ? '⛔ too many errors' : '❌ gate failed';
  out.push(`## genai eval — ${verdict}`, '');
  const target = report.run.target;
  out.push(
    `Run \`${report.run.id}\` · target ${target.env ? `\`${target.env}\` ` : ''}\`${target.url}\` (${target.protocol}${target.model ? `, ${target.model}` : ''}) · dataset \`${report.run.dataset.path}\``,
  );
  if (report.judges.names.length) {
    out.push(
      report.judges.offline
        ? `Judges: ${report.judges.names.join(', ')} — **offline heuristic judges** (no judge model configured); judged figures are word-overlap estimates, not model grades.`
        : `Judges: ${report.judges.names.join(', ')} graded by \`${report.judges.model}\`${report.run.options.repeat > 1 ? `, each asked ${report.run.options.repeat}× (majority verdict)` : ''}.`,
    );
  }
  if (report.run.status === 'interrupted')
    out.push('', `> ⚠️ The run was interrupted: resume it with \`genai eval --resume ${report.run.id}\`.`);
  out.push('');
  out.push('| cases | passed | failed | errored | missing | error rate |', '|---:|---:|---:|---:|---:|---:|');
  out.push(
    `| ${summary.total} | ${summary.passed} | ${summary.failed} | ${summary.errored} | ${summary.missing} | ${(summary.errorRate * 100).toFixed(1)}% (max ${(gate.errorRate.max * 100).toFixed(0)}%) |`,
  );
  out.push('');

  const thresholds = new Map(gate.thresholds.map((t) => [t.metric, t]));
  const comparisons = new Map((gate.baseline?.comparisons ?? []).map((c) => [c.metric, c]));
  const hasBaseline = Boolean(gate.baseline);
  out.push('### Metrics', '');
  out.push(
    `| metric | value | pass rate | threshold${hasBaseline ? ' | change vs baseline (95% CI, + is better)' : ''} |`,
    `|---|---:|---:|---|${hasBaseline ? '---|' : ''}`,
  );
  const names = new Set([...Object.keys(summary.metrics), ...thresholds.keys()]);
  for (const name of names) {
    const metric = summary.metrics[name];
    const threshold = thresholds.get(name);
    const comparison = comparisons.get(name);
    const label =
      metric?.kind === 'judge'
        ? `${name}${metric.offline ? ' _(offline heuristic)_' : ''}${metric.agreement !== undefined && report.run.options.repeat > 1 ? ` · agreement ${(metric.agreement * 100).toFixed(0)}%` : ''}${metric.judgeErrors ? ` · ${metric.judgeErrors} judge error(s)` : ''}`
        : name;
    const thresholdText = threshold
      ? `${threshold.pass ? '✅' : '❌'} ${threshold.direction === 'higher' ? '≥' : '≤'} ${threshold.threshold}${threshold.value === null ? ' (no value)' : ''}`
      : '';
    const delta = comparison
      ? `${comparison.regression ? '❌ ' : ''}${formatChange(comparison.change, comparison.relative)} [${formatChange(comparison.ci[0], comparison.relative)}, ${formatChange(comparison.ci[1], comparison.relative)}]`
      : '';
    out.push(
      `| ${cell(label)} | ${formatMetric(name, metric?.value)} | ${metric?.passRate !== undefined ? `${(metric.passRate * 100).toFixed(0)}%` : ''} | ${thresholdText}${hasBaseline ? ` | ${delta}` : ''} |`,
    );
  }
  out.push('');

  out.push('### Gate', '');
  out.push(gate.pass ? 'All gates pass.' : gate.reasons.map((r) => `- ${r}`).join('\n'));
  out.push('', `<sub>${gate.rule}</sub>`, '');

  if (gate.baseline) {
    const moved = gate.baseline.comparisons.filter((c) => !c.relative && c.moved.length);
    out.push(`### Moved vs ${gate.baseline.label}`, '');
    if (moved.length === 0) out.push('No case changed on a quality metric.');
    for (const comparison of moved) {
      const worse = comparison.moved.filter((m) => (comparison.direction === 'higher' ? m.delta < 0 : m.delta > 0));
      const better = comparison.moved.length - worse.length;
      out.push(
        `- **${comparison.metric}**: ${worse.length} worse${
          worse.length
            ? ` (${worse
                .slice(0, 8)
                .map((m) => `\`${m.caseId}\` ${m.baseline.toFixed(2)}→${m.current.toFixed(2)}`)
                .join(', ')})`
            : ''
        }, ${better} better`,
      );
    }
    out.push('');
  }

  const worst = worstCases(report, options.worst ?? 10);
  if (worst.length) {
    out.push('### Worst cases', '', '| case | state | why | trace |', '|---|---|---|---|');
    for (const c of worst)
      out.push(
        `| \`${c.id}\` | ${c.state} | ${cell(clip(caseProblems(c), 160))} | ${c.traceId ? `\`${c.traceId}\`` : ''} |`,
      );
    out.push('');
  }
  const more = omittedProblems(report.omitted);
  if (more) {
    out.push(
      `The worst cases are picked among the first ${formatCount(LISTED_PROBLEM_CASES)} that did not pass: ${more} are not listed here; report.json lists every case.`,
      '',
    );
  }
  if (report.omitted?.missing) {
    out.push(
      `${formatCount(report.omitted.missing)} case(s) did not finish: not listed here; report.json lists them (state \`missing\`).`,
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
