import { describeChange, formatChange, formatCount, formatMetric, omittedProblems, type EvalReport } from './report.js';

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** JSON that is safe inside a <script> element. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * One self-contained HTML page: metric cards, a delta chart (SVG), the gate, and a filterable case table
 * with each case's answer, contexts, judge rationales and trace id. No network: CSS, JS and data are inline.
 * Of a large run (`report.omitted`), the page lists the cases it is given and counts the others.
 */
export function renderHtml(report: EvalReport): string {
  const { summary, gate } = report;
  const thresholds = new Map(gate.thresholds.map((t) => [t.metric, t]));
  const comparisons = new Map((gate.baseline?.comparisons ?? []).map((c) => [c.metric, c]));
  const verdict = gate.pass ? 'passed' : !gate.errorRate.pass ? 'too many errors' : 'gate failed';
  const cards = Object.values(summary.metrics)
    .filter((m) => m.name !== 'errorRate' || m.value)
    .map((metric) => {
      const threshold = thresholds.get(metric.name);
      const comparison = comparisons.get(metric.name);
      const status = threshold ? (threshold.pass ? 'ok' : 'bad') : comparison?.regression ? 'bad' : 'plain';
      return `<div class="card ${status}" data-metric="${escapeHtml(metric.name)}">
  <div class="name"><span class="kind">${metric.kind}</span>${escapeHtml(metric.name)}</div>
  <div class="value">${escapeHtml(formatMetric(metric.name, metric.value))}</div>
  <div class="detail">${metric.passRate !== undefined ? `${Math.round(metric.passRate * 100)}% of ${metric.count} pass` : `${metric.count} case(s)`}${
    threshold ? ` · threshold ${threshold.direction === 'higher' ? '≥' : '≤'} ${threshold.threshold}` : ''
  }</div>
  ${comparison ? `<div class="detail">vs baseline: ${escapeHtml(describeChange(comparison))}</div>` : ''}
  ${metric.kind === 'judge' && metric.offline ? '<div class="tag offline">offline heuristic</div>' : ''}
  ${metric.agreement !== undefined && report.run.options.repeat > 1 ? `<div class="detail">agreement ${Math.round(metric.agreement * 100)}%</div>` : ''}
  ${metric.judgeErrors ? `<div class="detail err">${metric.judgeErrors} judge error(s)</div>` : ''}
</div>`;
    })
    .join('\n');
  const missingThresholds = gate.thresholds
    .filter((t) => !summary.metrics[t.metric])
    .map(
      (t) =>
        `<div class="card bad"><div class="name">${escapeHtml(t.metric)}</div><div class="value">—</div><div class="detail">${escapeHtml(t.reason ?? '')}</div></div>`,
    )
    .join('\n');
  const target = report.run.target;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>genai eval ${escapeHtml(report.run.id)} — ${verdict}</title>
<style>${css}</style>
</head>
<body>
<header>
  <h1>genai eval <span class="verdict ${gate.pass ? 'ok' : 'bad'}">${verdict}</span></h1>
  <p class="meta">Run <code>${escapeHtml(report.run.id)}</code> · ${escapeHtml(report.run.startedAt)} · target ${target.env ? `<b>${escapeHtml(target.env)}</b> ` : ''}<code>${escapeHtml(target.url)}</code> (${target.protocol}) · dataset <code>${escapeHtml(report.run.dataset.path)}</code></p>
  <p class="counts"><b>${summary.total}</b> cases · <span class="s-passed">${summary.passed} passed</span> · <span class="s-failed">${summary.failed} failed</span> · <span class="s-errored">${summary.errored} errored</span>${summary.missing ? ` · <span class="s-missing">${summary.missing} missing</span>` : ''}${summary.cachedResponses ? ` · ${summary.cachedResponses} answers from cache` : ''}</p>
  ${report.judges.offline && report.judges.names.length ? `<p class="banner">${escapeHtml(report.judges.note ?? '')}</p>` : report.judges.names.length ? `<p class="meta">Judges graded by <code>${escapeHtml(report.judges.model)}</code>${report.run.options.repeat > 1 ? `, ${report.run.options.repeat}× each, majority verdict` : ''}.</p>` : ''}
  ${report.run.status === 'interrupted' ? `<p class="banner">Interrupted run: resume with <code>genai eval --resume ${escapeHtml(report.run.id)}</code>.</p>` : ''}
</header>
<main>
<section><h2>Metrics</h2><div class="cards">${cards}${missingThresholds}</div></section>
<section><h2>${gate.baseline ? `Change vs ${escapeHtml(gate.baseline.label)}` : 'Scores'}</h2>${deltaChart(report)}</section>
<section><h2>Gate</h2>${gate.pass ? '<p class="ok">All gates pass.</p>' : `<ul>${gate.reasons.map((r) => `<li class="bad">${escapeHtml(r)}</li>`).join('')}</ul>`}<p class="rule">${escapeHtml(gate.rule)}</p></section>
<section><h2>Cases</h2>
<div class="filters">
  <input id="q" type="search" placeholder="Search id, question, answer…" aria-label="Search">
  <select id="state" aria-label="State"><option value="">all states</option><option>passed</option><option>failed</option><option>errored</option><option>missing</option></select>
  <select id="tag" aria-label="Tag"><option value="">all tags</option></select>
  <select id="metric" aria-label="Failing metric"><option value="">any metric</option></select>
  <span id="shown"></span>
</div>
<table id="cases"><thead><tr><th>case</th><th>state</th><th>tags</th><th>latency</th><th>failing</th></tr></thead><tbody></tbody></table>
${omittedLine(report)}
</section>
</main>
<script type="application/json" id="report-data">${scriptJson({ cases: report.cases })}</script>
<script>${script}</script>
</body>
</html>
`;
}

/** Of a large run: the cases the page does not list, counted, and where they are. */
function omittedLine(report: EvalReport): string {
  const omitted = report.omitted;
  if (!omitted) return '';
  const more = omittedProblems(omitted);
  const parts = [
    more ? `${more} are not listed here (report.json lists every case)` : '',
    omitted.passed ? `${formatCount(omitted.passed)} more passed case(s) are in report.json and results.jsonl` : '',
    omitted.missing ? `${formatCount(omitted.missing)} case(s) did not finish (report.json lists them as missing)` : '',
  ].filter(Boolean);
  if (parts.length === 0) return '';
  return `<p class="omitted">${escapeHtml(parts.join('; '))}.</p>`;
}

/**
 * With a baseline: each quality metric's change with its 95% CI as a whisker, the zero line and the
 * −maxRegression line. Without: each 0..1 metric's value as a bar, with its threshold as a tick.
 */
function deltaChart(report: EvalReport): string {
  const width = 720;
  const rowHeight = 26;
  const left = 170;
  const plot = width - left - 90;
  const baseline = report.gate.baseline;
  if (baseline) {
    const rows = baseline.comparisons.filter((c) => !c.relative);
    if (rows.length === 0) return '<p>No metric in common with the baseline.</p>';
    const extent = Math.max(
      0.05,
      baseline.maxRegression * 2,
      ...rows.flatMap((c) => [Math.abs(c.ci[0]), Math.abs(c.ci[1])]),
    );
    const x = (v: number) => left + ((v + extent) / (2 * extent)) * plot;
    const height = rows.length * rowHeight + 30;
    const bars = rows
      .map((c, i) => {
        const y = 10 + i * rowHeight;
        const colour = c.regression ? '#c62828' : c.change < 0 ? '#ef6c00' : '#2e7d32';
        return `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeHtml(c.metric)}</text>
<rect x="${Math.min(x(0), x(c.change))}" y="${y + 4}" width="${Math.abs(x(c.change) - x(0))}" height="12" fill="${colour}" opacity="0.75"><title>${escapeHtml(`${c.metric}: ${formatChange(c.change, false)} (95% CI ${formatChange(c.ci[0], false)} … ${formatChange(c.ci[1], false)}, ${c.pairs} pairs)`)}</title></rect>
<line x1="${x(c.ci[0])}" x2="${x(c.ci[1])}" y1="${y + 10}" y2="${y + 10}" stroke="#222" stroke-width="1.5"/>
<line x1="${x(c.ci[0])}" x2="${x(c.ci[0])}" y1="${y + 5}" y2="${y + 15}" stroke="#222"/><line x1="${x(c.ci[1])}" x2="${x(c.ci[1])}" y1="${y + 5}" y2="${y + 15}" stroke="#222"/>
<text x="${left + plot + 8}" y="${y + 14}">${escapeHtml(formatChange(c.change, false))}</text>`;
      })
      .join('\n');
    return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Change of each metric against the baseline with 95% confidence intervals">
<line x1="${x(0)}" x2="${x(0)}" y1="4" y2="${height - 22}" stroke="#555"/>
<line x1="${x(-baseline.maxRegression)}" x2="${x(-baseline.maxRegression)}" y1="4" y2="${height - 22}" stroke="#c62828" stroke-dasharray="4 3"/>
<text x="${x(-baseline.maxRegression) - 4}" y="${height - 6}" text-anchor="end" class="axis">−${baseline.maxRegression} max regression</text>
<text x="${x(0) + 4}" y="${height - 6}" text-anchor="start" class="axis">0 · better →</text>
${bars}
</svg>`;
  }
  const rows = Object.values(report.summary.metrics).filter(
    (m) => m.kind !== 'operational' && m.value !== null && m.value <= 1,
  );
  if (rows.length === 0) return '<p>No score metric in this run.</p>';
  const thresholds = new Map(report.gate.thresholds.map((t) => [t.metric, t.threshold]));
  const height = rows.length * rowHeight + 12;
  const bars = rows
    .map((m, i) => {
      const y = 6 + i * rowHeight;
      const threshold = thresholds.get(m.name);
      const failing = threshold !== undefined && (m.value ?? 0) < threshold;
      return `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${escapeHtml(m.name)}</text>
<rect x="${left}" y="${y + 4}" width="${plot}" height="12" fill="#eceff1"/>
<rect x="${left}" y="${y + 4}" width="${(m.value ?? 0) * plot}" height="12" fill="${failing ? '#c62828' : '#1565c0'}"><title>${escapeHtml(`${m.name}: ${formatMetric(m.name, m.value)}`)}</title></rect>
${threshold !== undefined ? `<line x1="${left + threshold * plot}" x2="${left + threshold * plot}" y1="${y}" y2="${y + 20}" stroke="#222" stroke-width="2"><title>threshold ${threshold}</title></line>` : ''}
<text x="${left + plot + 8}" y="${y + 14}">${escapeHtml(formatMetric(m.name, m.value))}</text>`;
    })
    .join('\n');
  return `<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Score of each metric, with thresholds">${bars}</svg>`;
}

const css = `
:root{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1b1b;background:#fafafa}
body{margin:0}header,main{max-width:1100px;margin:0 auto;padding:12px 20px}
h1{font-size:1.5rem;margin:8px 0}h2{font-size:1.1rem;margin:22px 0 8px}
.meta,.counts{margin:4px 0;color:#444}code{background:#eef1f4;padding:1px 4px;border-radius:3px;font-size:.9em}
.verdict{font-size:.9rem;padding:3px 10px;border-radius:12px;vertical-align:middle}
h1 .verdict.ok{background:#2e7d32;color:#fff}h1 .verdict.bad{background:#c62828;color:#fff}
.banner{background:#fff3e0;border-left:4px solid #ef6c00;padding:8px 12px;margin:8px 0}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{background:#fff;border:1px solid #dde1e5;border-top:4px solid #90a4ae;border-radius:6px;padding:10px}
.card.ok{border-top-color:#2e7d32}.card.bad{border-top-color:#c62828}
.card .name{font-weight:600;overflow-wrap:anywhere}
.card .kind{display:block;font-weight:400;font-size:.65rem;color:#607d8b;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:1.6rem;margin:4px 0}.card .detail{font-size:.8rem;color:#555}
.tag{display:inline-block;font-size:.7rem;padding:1px 6px;border-radius:8px;background:#eceff1;margin:2px 2px 0 0}
.tag.offline{background:#fff3e0;color:#e65100}
.chart{width:100%;max-width:760px;background:#fff;border:1px solid #dde1e5;border-radius:6px;font-size:12px}
.chart .axis{font-size:11px;fill:#555}
.rule,.omitted{font-size:.8rem;color:#555}.ok{color:#2e7d32}.bad,.err{color:#c62828}
.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin-bottom:8px}
.filters input{flex:1;min-width:200px;padding:5px}.filters select{padding:5px}
table{width:100%;border-collapse:collapse;background:#fff;font-size:.9rem}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e8eb;vertical-align:top}
tr.case{cursor:pointer}tr.case:hover{background:#f3f6f9}
.s-passed{color:#2e7d32}.s-failed{color:#c62828}.s-errored{color:#6a1b9a}.s-missing{color:#777}
td.state{font-weight:600}
tr.details td{background:#f8f9fa}
.details h4{margin:8px 0 4px;font-size:.85rem}.details pre{white-space:pre-wrap;margin:0;font-family:inherit}
.score{margin:2px 0}.score b{display:inline-block;min-width:120px}
.ctx{border-left:3px solid #b0bec5;padding-left:8px;margin:4px 0}
`;

const script = `
(function(){
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var cases = data.cases;
  var tbody = document.querySelector('#cases tbody');
  var q = document.getElementById('q'), state = document.getElementById('state'), tag = document.getElementById('tag'), metric = document.getElementById('metric');
  var tags = {}, metrics = {};
  cases.forEach(function(c){ c.tags.forEach(function(t){ tags[t] = 1; }); Object.keys(c.scores).forEach(function(m){ if (c.scores[m].pass === false || c.scores[m].error) metrics[m] = 1; }); });
  Object.keys(tags).sort().forEach(function(t){ tag.add(new Option(t, t)); });
  Object.keys(metrics).sort().forEach(function(m){ metric.add(new Option(m, m)); });
  function el(name, attrs, text){ var e = document.createElement(name); for (var k in attrs) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; return e; }
  function failing(c){ return Object.keys(c.scores).filter(function(m){ return c.scores[m].pass === false || c.scores[m].error; }); }
  function details(c){
    var td = el('td', { colspan: 5 });
    function section(title, text){ td.appendChild(el('h4', {}, title)); td.appendChild(el('pre', {}, text)); }
    section('Question', c.question);
    if (c.answer !== undefined) section('Answer' + (c.refused ? ' (refused)' : '') + (c.cached ? ' — from cache' : ''), c.answer);
    if (c.expected) section('Expected', JSON.stringify(c.expected));
    if (c.citations && c.citations.length) section('Citations', c.citations.map(function(x){ return x.id + (x.title ? ' — ' + x.title : ''); }).join('\\n'));
    if (c.contexts && c.contexts.length) { td.appendChild(el('h4', {}, 'Retrieved context')); c.contexts.forEach(function(x, i){ var d = el('div', { class: 'ctx' }); d.appendChild(el('b', {}, '[' + (i + 1) + '] ' + x.documentId + (x.score !== undefined ? ' (' + x.score.toFixed(3) + ')' : ''))); d.appendChild(el('pre', {}, x.text)); td.appendChild(d); }); }
    td.appendChild(el('h4', {}, 'Scores'));
    Object.keys(c.scores).forEach(function(m){ var s = c.scores[m]; var d = el('div', { class: 'score' + (s.pass === false || s.error ? ' bad' : '') }); d.appendChild(el('b', {}, m)); d.appendChild(document.createTextNode((s.value === null ? '—' : +s.value.toFixed(4)) + (s.pass === undefined ? '' : s.pass ? ' ✓' : ' ✗') + (s.judge ? ' · ' + (s.judge.offline ? 'offline heuristic' : 'judge ' + s.judge.model) + (s.judge.repeat > 1 ? ' · agreement ' + Math.round(s.judge.agreement * 100) + '% of ' + s.judge.repeat : '') : '') + (s.reason ? ' — ' + s.reason : '') + (s.error ? ' — ' + s.error : ''))); td.appendChild(d); });
    if (c.error) section('Error', c.error.kind + ': ' + c.error.message);
    section('Trace', (c.traceId || '—') + (c.latencyMs !== undefined ? ' · ' + c.latencyMs + ' ms' : '') + (c.usage ? ' · ' + c.usage.inputTokens + ' in / ' + c.usage.outputTokens + ' out tokens' : ''));
    var tr = el('tr', { class: 'details' }); tr.appendChild(td); return tr;
  }
  function render(){
    var text = q.value.toLowerCase(), s = state.value, t = tag.value, m = metric.value, shown = 0;
    tbody.textContent = '';
    cases.forEach(function(c){
      if (s && c.state !== s) return;
      if (t && c.tags.indexOf(t) < 0) return;
      if (m && failing(c).indexOf(m) < 0) return;
      if (text && (c.id + ' ' + c.question + ' ' + (c.answer || '')).toLowerCase().indexOf(text) < 0) return;
      shown++;
      var tr = el('tr', { class: 'case', 'data-id': c.id, 'data-state': c.state });
      tr.appendChild(el('td', {}, c.id));
      tr.appendChild(el('td', { class: 'state s-' + c.state }, c.state));
      tr.appendChild(el('td', {}, c.tags.join(', ')));
      tr.appendChild(el('td', {}, c.latencyMs !== undefined ? c.latencyMs + ' ms' : '—'));
      tr.appendChild(el('td', {}, c.error ? c.error.kind + ' error' : failing(c).join(', ')));
      var open = null;
      tr.addEventListener('click', function(){ if (open) { open.remove(); open = null; } else { open = details(c); tr.after(open); } });
      tbody.appendChild(tr);
    });
    document.getElementById('shown').textContent = shown + ' of ' + cases.length + ' cases';
  }
  [q, state, tag, metric].forEach(function(e){ e.addEventListener('input', render); });
  render();
})();
`;
