import type { DeployResult } from './deploy.js';
import type { Release } from './release.js';
import type { RollbackResult } from './rollback.js';
import type { PromotionResult, PromotionStep } from './promote.js';
import type { EnvironmentStatus, ProjectStatus } from './status.js';

const marks: Record<PromotionStep['status'], string> = {
  ok: '✓',
  reused: '↺',
  failed: '✗',
  skipped: '–',
  planned: '·',
};

/** One promotion step as it happens: mark, name, seconds, what it found. */
export function renderStep(step: PromotionStep): string {
  const seconds = `${(step.ms / 1000).toFixed(1)} s`.padStart(7);
  return `${marks[step.status]} ${step.name.padEnd(11)}${seconds}  ${step.detail}`;
}

/** The promotion's last line, for people and CI logs. */
export function renderPromotionVerdict(result: PromotionResult): string {
  const what = `${result.release} ${result.from} → ${result.to}`;
  switch (result.outcome) {
    case 'promoted':
      return `promoted ${what}`;
    case 'unchanged':
      return `${result.to} already runs ${result.release}; nothing to do`;
    case 'planned':
      return `dry run: the gates pass; genai promote ${result.from} ${result.to} would deploy ${result.release}`;
    case 'refused':
      return `gate failed: ${what} refused: ${result.reasons.join('; ')}`;
    case 'rolled-back':
      return `gate failed: the smoke eval failed on ${result.to}, which runs ${result.previousRelease ?? 'nothing'} again: ${result.reasons.at(-1) ?? ''}`;
    case 'interrupted':
      return `interrupted: ${what} stopped between steps; ${result.to} is as the last step left it (genai status)`;
  }
}

/** `genai up`'s last line. */
export function renderDeployment(result: DeployResult): string {
  const pid = 'pid' in result ? ` (pid ${String(result.pid)})` : '';
  return result.changed
    ? `${result.env} is up at ${result.url}, release ${result.release}${pid}`
    : `${result.env} is already running ${result.release} at ${result.url}${pid}; nothing to do`;
}

export function renderRollback(result: RollbackResult): string {
  return result.changed
    ? `${result.env} rolled back from ${result.fromRelease ?? 'nothing'} to ${result.toRelease} at ${result.url}`
    : `${result.env} already runs ${result.toRelease}; nothing to do`;
}

/** `genai status` as text: a block per environment. */
export function renderStatus(status: ProjectStatus): string {
  const blocks = status.environments.map(renderEnvironment);
  if (status.ledgerNote) blocks.push(`note: ${status.ledgerNote}`);
  return blocks.join('\n\n');
}

function renderEnvironment(s: EnvironmentStatus): string {
  const running =
    s.running.state === 'running'
      ? `runs ${s.running.release ?? 'no release'} at ${s.running.url}`
      : s.running.state === 'failed'
        ? `FAILED: ${s.running.reason ?? 'does not answer'}`
        : 'stopped';
  const lines = [`${s.env} (${s.target}): ${running}`];
  if (s.recorded) lines.push(`  deployed   ${s.recorded.release}, ${age(s.recorded.ageSeconds)} ago`);
  if (s.drift) lines.push(`  drift      ${s.drift}`);
  if (s.lastEval) {
    const scores = Object.entries(s.lastEval.scores)
      .filter(([name]) => !name.startsWith('latency'))
      .slice(0, 5)
      .map(([name, value]) => `${name} ${value.toFixed(3)}`)
      .join(', ');
    lines.push(
      `  last eval  ${s.lastEval.runId} of ${s.lastEval.release}: ${s.lastEval.pass ? 'pass' : 'FAIL'}; ${scores}`,
    );
  }
  if (s.pendingApproval)
    lines.push(`  approval   pending for ${s.pendingApproval.release} since ${s.pendingApproval.at}`);
  if (s.lock) {
    const holder = s.lock.holder ? `pid ${s.lock.holder.pid} (${s.lock.holder.command || s.lock.holder.purpose})` : '';
    lines.push(
      s.lock.state === 'held'
        ? `  lock       held by ${holder}`
        : `  lock       STALE ${holder}: ${s.lock.reason} — fix: the next promote, up or rollback with --force-unlock`,
    );
  }
  for (const line of s.unfinished) lines.push(`  unfinished ${line}`);
  return lines.join('\n');
}

function age(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** `genai release list`: a table, oldest first. */
export function renderReleaseList(releases: Release[]): string {
  if (releases.length === 0) return 'No releases yet; make one with genai release create';
  const rows = releases.map((r) => [
    r.id,
    r.createdAt.slice(0, 19).replace('T', ' '),
    r.createdBy,
    r.git ? `${r.git.commit.slice(0, 8)}${r.git.dirty ? ' (dirty)' : ''}` : '-',
    `${r.model.provider}/${r.model.id}`,
  ]);
  const table = [['ID', 'CREATED (UTC)', 'BY', 'COMMIT', 'MODEL'], ...rows];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `genai release show ID`: one line per field. */
export function renderRelease(release: Release): string {
  const { artifact } = release;
  const rows: [string, string][] = [
    ['id', release.id],
    ['created', `${release.createdAt} by ${release.createdBy} (genai ${release.kitVersion})`],
    ['commit', release.git ? `${release.git.commit}${release.git.dirty ? ' (uncommitted changes)' : ''}` : 'none'],
    ['artifact', artifact.kind === 'local-bundle' ? `${artifact.path} (sha256 ${artifact.sha256})` : artifact.digest],
    ['deps', `.genai/deps/${release.dependencies.lockHash} (${release.dependencies.packages} packages)`],
    ['config', release.configHash],
    ['model', `${release.model.provider}/${release.model.id}`],
    ['embed', `${release.embeddings.provider}/${release.embeddings.id} (${release.embeddings.dimensions} dimensions)`],
    ['corpus', release.corpusHash],
  ];
  return rows.map(([key, value]) => `${key.padEnd(10)}${value}`).join('\n');
}
