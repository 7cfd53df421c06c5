import type { LedgerEntry, LedgerKind } from './ledger-types.js';

/**
 * Questions answered from the ledger's entries alone (no I/O): what runs where, what ran before, the last
 * eval, and which promotions or rollbacks a crash left unfinished.
 */

const is =
  <K extends LedgerKind>(...kinds: K[]) =>
  (entry: LedgerEntry): entry is LedgerEntry<K> =>
    (kinds as LedgerKind[]).includes(entry.kind);

/** Each successful deployment of `env`, oldest first: a deploy or a rollback that finished. */
function deployments(entries: readonly LedgerEntry[], env: string) {
  const out: { releaseId: string; at: string; rolledBack: boolean }[] = [];
  for (const entry of entries) {
    if (is('deploy.finished')(entry) && entry.env === env) {
      out.push({ releaseId: entry.releaseId, at: entry.at, rolledBack: false });
    }
    if (is('rollback.finished')(entry) && entry.env === env) {
      // The deployment a rollback ends was judged bad: never roll back onto it.
      const last = out.at(-1);
      if (last && last.releaseId === entry.fromRelease) last.rolledBack = true;
      out.push({ releaseId: entry.toRelease, at: entry.at, rolledBack: false });
    }
  }
  return out;
}

/** `env`'s last successful deployment (or rollback): the release and when it was recorded. */
export function lastDeployment(
  entries: readonly LedgerEntry[],
  env: string,
): { releaseId: string; at: string } | undefined {
  const last = deployments(entries, env).at(-1);
  return last && { releaseId: last.releaseId, at: last.at };
}

/** The release `env` was last successfully deployed with: its recorded release. */
export function recordedRelease(entries: readonly LedgerEntry[], env: string): string | undefined {
  return lastDeployment(entries, env)?.releaseId;
}

/** Environment → its recorded release, for every environment the ledger has deployed. */
export function recordedReleases(entries: readonly LedgerEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    if (is('deploy.finished')(entry)) out[entry.env] = entry.releaseId;
    if (is('rollback.finished')(entry)) out[entry.env] = entry.toRelease;
  }
  return out;
}

/**
 * The release a rollback of `env` goes back to: the latest one it ran before its current release, skipping
 * deployments that a rollback ended (they were judged bad). Undefined when there is none.
 */
export function previousRelease(entries: readonly LedgerEntry[], env: string): string | undefined {
  const history = deployments(entries, env);
  const current = history.at(-1)?.releaseId;
  for (let i = history.length - 2; i >= 0; i--) {
    const deployment = history[i]!;
    if (deployment.releaseId !== current && !deployment.rolledBack) return deployment.releaseId;
  }
  return undefined;
}

/** The last eval recorded for `env` (of `releaseId`, when given; only whole-suite evals with `gateOnly`). */
export function lastEval(
  entries: readonly LedgerEntry[],
  env: string,
  releaseId?: string,
  options: { gateOnly?: boolean } = {},
): LedgerEntry<'eval.finished'> | undefined {
  return entries
    .filter(is('eval.finished'))
    .filter((e) => e.env === env && (releaseId === undefined || e.releaseId === releaseId))
    .filter((e) => !options.gateOnly || e.purpose !== 'smoke')
    .at(-1);
}

/**
 * Promotions that started and neither finished nor failed: after a crash, the work to resume or undo.
 * One per target environment (its lock keeps promotions of one environment apart), so a later start
 * for the same target supersedes an earlier unfinished one.
 */
export function promotionsInProgress(entries: readonly LedgerEntry[]): LedgerEntry<'promotion.started'>[] {
  const open = new Map<string, LedgerEntry<'promotion.started'>>();
  for (const entry of entries) {
    if (is('promotion.started')(entry)) open.set(entry.to, entry);
    if (is('promotion.finished', 'promotion.failed')(entry)) open.delete(entry.to);
  }
  return [...open.values()];
}

/** Rollbacks that started and neither finished nor failed, one per environment at most. */
export function rollbacksInProgress(entries: readonly LedgerEntry[]): LedgerEntry<'rollback.started'>[] {
  const open = new Map<string, LedgerEntry<'rollback.started'>>();
  for (const entry of entries) {
    if (is('rollback.started')(entry)) open.set(entry.env, entry);
    if (is('rollback.finished', 'rollback.failed')(entry)) open.delete(entry.env);
  }
  return [...open.values()];
}
