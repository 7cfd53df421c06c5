import type { EvalReport } from './report.js';
import { formatCount, formatMetric, omittedProblems } from './report.js';

const escapeXml = (text: string) =>
  text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

interface TestCase {
  name: string;
  classname: string;
  seconds: number;
  failure?: string | undefined;
  error?: string | undefined;
  out?: string;
}

/**
 * JUnit XML: one testsuite per metric with one testcase per case (cases where the target failed land in a
 * "target" suite), plus a "gate" suite with the thresholds and baseline checks. Only metrics that can
 * fail a case (assertions, judges) are testcases; informational ones are in the JSON and HTML reports. Of a
 * large run (`report.omitted`), the cases that did not finish are a single testcase that counts them, and so are
 * the failed or errored cases beyond those the report lists.
 */
export function renderJunit(report: EvalReport): string {
  const suites = new Map<string, TestCase[]>();
  const add = (suite: string, testCase: TestCase) => {
    const list = suites.get(suite);
    if (list) list.push(testCase);
    else suites.set(suite, [testCase]);
  };
  for (const c of report.cases) {
    const seconds = (c.latencyMs ?? 0) / 1000;
    if (c.state === 'missing') {
      add('target', { name: c.id, classname: 'genai.eval.target', seconds, error: 'did not finish (interrupted run)' });
      continue;
    }
    if (c.error?.kind === 'target') {
      add('target', { name: c.id, classname: 'genai.eval.target', seconds, error: c.error.message });
      continue;
    }
    for (const [metric, score] of Object.entries(c.scores)) {
      if (score.pass === undefined && !score.error) continue;
      const offline = score.judge?.offline ? ' [offline heuristic judge]' : '';
      add(metric, {
        name: c.id,
        classname: `genai.eval.${metric}`,
        seconds,
        error: score.error || undefined,
        failure: score.pass === false ? `${score.reason ?? formatMetric(metric, score.value)}${offline}` : undefined,
        out: `value=${score.value ?? 'null'}${score.reason ? ` reason=${score.reason}` : ''}${offline}${c.traceId ? ` traceId=${c.traceId}` : ''}`,
      });
    }
  }
  // A large run's cases that did not finish are one testcase, with their count (report.json lists them).
  const missing = report.omitted?.missing ?? 0;
  if (missing) {
    add('target', {
      name: `${formatCount(missing)} case(s) did not finish`,
      classname: 'genai.eval.target',
      seconds: 0,
      error: `did not finish (interrupted run): ${formatCount(missing)} case(s), listed in report.json as missing; resume with genai eval --resume ${report.run.id}`,
    });
  }
  // And the failed or errored cases beyond those it lists, one testcase that counts them.
  const more = omittedProblems(report.omitted);
  if (more) {
    const text = `${more} not listed here; report.json lists every case`;
    add('cases', {
      name: `${more} not listed`,
      classname: 'genai.eval.cases',
      seconds: 0,
      ...(report.omitted!.failed ? { failure: text } : {}),
      ...(report.omitted!.errored ? { error: text } : {}),
    });
  }
  for (const check of report.gate.thresholds) {
    add('gate', {
      name: `threshold ${check.metric}`,
      classname: 'genai.eval.gate',
      seconds: 0,
      failure: check.pass
        ? undefined
        : check.value === null
          ? `${check.metric}: ${check.reason}`
          : `${check.metric} = ${formatMetric(check.metric, check.value)}, threshold ${check.threshold}`,
    });
  }
  for (const comparison of report.gate.baseline?.comparisons.filter((c) => !c.relative) ?? []) {
    add('gate', {
      name: `baseline ${comparison.metric}`,
      classname: 'genai.eval.gate',
      seconds: 0,
      failure: comparison.regression
        ? `regressed: change ${comparison.change.toFixed(3)}, 95% CI [${comparison.ci[0].toFixed(3)}, ${comparison.ci[1].toFixed(3)}]`
        : undefined,
    });
  }
  add('gate', {
    name: 'error rate',
    classname: 'genai.eval.gate',
    seconds: 0,
    failure: report.gate.errorRate.pass
      ? undefined
      : `error rate ${report.gate.errorRate.value} > ${report.gate.errorRate.max}`,
  });

  const all = [...suites.values()].flat();
  const count = (list: TestCase[], key: 'failure' | 'error') => list.filter((t) => t[key] !== undefined).length;
  const time = (list: TestCase[]) => list.reduce((sum, t) => sum + t.seconds, 0).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="genai eval ${escapeXml(report.run.id)}" tests="${all.length}" failures="${count(all, 'failure')}" errors="${count(all, 'error')}" time="${time(all)}">`,
  ];
  for (const [suite, cases] of suites) {
    lines.push(
      `  <testsuite name="${escapeXml(suite)}" tests="${cases.length}" failures="${count(cases, 'failure')}" errors="${count(cases, 'error')}" skipped="0" time="${time(cases)}" timestamp="${escapeXml(report.run.startedAt)}">`,
    );
    for (const t of cases) {
      const body = [
        t.error !== undefined
          ? `      <error message="${escapeXml(firstLine(t.error))}">${escapeXml(t.error)}</error>`
          : '',
        t.failure !== undefined
          ? `      <failure message="${escapeXml(firstLine(t.failure))}">${escapeXml(t.failure)}</failure>`
          : '',
        t.out ? `      <system-out>${escapeXml(t.out)}</system-out>` : '',
      ].filter(Boolean);
      const open = `    <testcase name="${escapeXml(t.name)}" classname="${escapeXml(t.classname)}" time="${t.seconds.toFixed(3)}"`;
      lines.push(body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

const firstLine = (text: string) => text.split('\n')[0]!.slice(0, 200);
