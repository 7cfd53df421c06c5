import { resolve } from 'node:path';
import { driverFor, type RunningRelease } from '../environments/index.js';
import type { Manifest } from '../manifest/index.js';
import type { Target } from '../vocabulary.js';
import { lastDeployment, lastEval, promotionsInProgress, rollbacksInProgress } from './history.js';
import type { LedgerEntry } from './ledger-types.js';
import { readLedger } from './ledger.js';
import { readLock, type LockStatus } from './lock.js';

export interface EnvironmentStatus {
  env: string;
  target: Target;
  /** What runs, as the running service reports it. */
  running: RunningRelease;
  /** What the ledger says was last deployed (or rolled back to) successfully. */
  recorded: { release: string; at: string; ageSeconds: number } | null;
  /** The recorded release is not what runs: someone changed the environment outside genai, or it died. */
  drift: string | null;
  lastEval: { runId: string; release: string; pass: boolean; at: string; scores: Record<string, number> } | null;
  /** A promotion waiting for an approval (promotion.approval lists this environment). */
  pendingApproval: { release: string; at: string } | null;
  lock: LockStatus | null;
  /** A promotion or rollback that started and never ended: a crash, or one running now. */
  unfinished: string[];
}

export interface ProjectStatus {
  service: string;
  environments: EnvironmentStatus[];
  /** Set when the ledger's last line was torn (a crash mid-write); it is ignored and repaired on the next append. */
  ledgerNote?: string;
}

/** `genai status`: per environment, what runs, what the ledger recorded, drift, evals, approvals and locks. */
export async function projectStatus(cwd: string, now = new Date()): Promise<ProjectStatus> {
  const projectDir = resolve(cwd);
  const { readValidatedManifest } = await import('../manifest/validated.js');
  const { manifest } = await readValidatedManifest(projectDir);
  const { entries, tornTail } = await readLedger(projectDir);
  const environments = await Promise.all(
    Object.entries(manifest.environments).map(([env, entry]) =>
      environmentStatus(projectDir, manifest, env, entry.target, entries, now),
    ),
  );
  const status: ProjectStatus = { service: manifest.name, environments };
  if (tornTail) status.ledgerNote = `the ledger's line ${tornTail.line} is torn (${tornTail.reason}); it is ignored`;
  return status;
}

async function environmentStatus(
  projectDir: string,
  manifest: Manifest,
  env: string,
  target: Target,
  entries: LedgerEntry[],
  now: Date,
): Promise<EnvironmentStatus> {
  const entry = manifest.environments[env]!;
  const running = await probe(projectDir, manifest, env, entry);
  const deployed = lastDeployment(entries, env);
  const recorded = deployed
    ? {
        release: deployed.releaseId,
        at: deployed.at,
        ageSeconds: Math.round((now.getTime() - Date.parse(deployed.at)) / 1000),
      }
    : null;
  const evaluated = lastEval(entries, env, undefined, { gateOnly: true });
  const lock = (await readLock(projectDir, env)) ?? null;
  const unfinished = [
    ...promotionsInProgress(entries)
      .filter((p) => p.to === env)
      .map((p) => `promotion ${p.from} → ${p.to} of ${p.releaseId} started ${p.at} did not finish`),
    ...rollbacksInProgress(entries)
      .filter((r) => r.env === env)
      .map((r) => `rollback to ${r.toRelease} started ${r.at} did not finish`),
  ];
  return {
    env,
    target,
    running,
    recorded,
    drift: driftOf(running, recorded?.release),
    lastEval: evaluated
      ? {
          runId: evaluated.runId,
          release: evaluated.releaseId,
          pass: evaluated.pass,
          at: evaluated.at,
          scores: evaluated.scores,
        }
      : null,
    pendingApproval: pendingApproval(entries, env),
    lock,
    unfinished,
  };
}

async function probe(
  projectDir: string,
  manifest: Manifest,
  env: string,
  entry: Manifest['environments'][string],
): Promise<RunningRelease> {
  try {
    const driver = driverFor({ projectDir, manifest, env, entry, targetLocation: `genai.yaml environments.${env}` });
    return await driver.runningRelease();
  } catch (error) {
    return { env, state: 'stopped', release: null, reason: (error as Error).message };
  }
}

function driftOf(running: RunningRelease, recorded: string | undefined): string | null {
  if (!recorded) return running.release ? `runs ${running.release}, which the ledger never recorded` : null;
  if (running.state === 'stopped') return `the ledger records ${recorded}, but nothing runs`;
  if (running.state === 'failed') return `the ledger records ${recorded}, but the service does not answer`;
  if (running.release !== recorded) return `runs ${running.release ?? 'no release'}, the ledger records ${recorded}`;
  return null;
}

/** The last approval request of ENV that no approval or later promotion answered. */
function pendingApproval(entries: LedgerEntry[], env: string): { release: string; at: string } | null {
  let pending: { release: string; at: string } | null = null;
  for (const e of entries) {
    if (e.kind === 'approval.requested' && e.env === env) pending = { release: e.releaseId, at: e.at };
    if ((e.kind === 'approval.granted' && e.env === env) || (e.kind === 'promotion.finished' && e.to === env)) {
      pending = null;
    }
  }
  return pending;
}
