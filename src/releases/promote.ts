import { resolve } from 'node:path';
import { ExitCode, GenaiError, usageError } from '../errors.js';
import { driverFor, environmentIn, type EnvironmentDriver } from '../environments/index.js';
import type { ResolvedEnvironment } from '../environments/index.js';
import type { LoadedManifest } from '../manifest/index.js';
import { deployRelease, withLock } from './deploy.js';
import { lastEval, recordedRelease } from './history.js';
import { appendLedger, readLedger } from './ledger.js';
import { promotionOrder } from '../manifest/order.js';
import { actor, readRelease, type Release } from './release.js';
import { restoreRelease } from './rollback.js';
import { gateAgainstBaseline, runEnvironmentEval, type EnvironmentEval } from './evaluate.js';

/** Cases the smoke eval asks the newly deployed environment: a sample of those that passed the gate's eval. */
export const DEFAULT_SMOKE_CASES = 5;
/** A gate eval of the same release younger than this is reused instead of run again. */
export const DEFAULT_MAX_EVAL_AGE_MINUTES = 60;
/** Share of smoke cases that must pass again (none may error). */
export const SMOKE_MIN_PASS_SHARE = 0.8;

export type StepName =
  'release' | 'constraints' | 'eval' | 'gate' | 'cost' | 'approval' | 'deploy' | 'smoke' | 'rollback' | 'baseline';

export interface PromotionStep {
  name: StepName;
  status: 'ok' | 'failed' | 'skipped' | 'reused' | 'planned';
  detail: string;
  ms: number;
}

export type PromotionOutcome = 'promoted' | 'unchanged' | 'planned' | 'refused' | 'rolled-back' | 'interrupted';

export interface PromotionResult {
  from: string;
  to: string;
  release: string;
  /** What TO ran before: the release a failed smoke eval rolls back to. */
  previousRelease: string | null;
  dryRun: boolean;
  outcome: PromotionOutcome;
  steps: PromotionStep[];
  /** Why it was refused or rolled back; empty when promoted. */
  reasons: string[];
  evalRun?: string;
  smokeRun?: string;
}

export interface PromoteRequest {
  cwd: string;
  from: string;
  to: string;
  /** A reviewer approved (in CI: the GitHub environment's required reviewers). */
  approve?: boolean | undefined;
  dryRun?: boolean | undefined;
  forceUnlock?: boolean | undefined;
  smokeCases?: number | undefined;
  maxEvalAgeMinutes?: number | undefined;
  /** Asks a person at a terminal; undefined where nobody can answer (CI). */
  confirm?: ((question: string) => Promise<boolean>) | undefined;
  signal?: AbortSignal | undefined;
  /** Called as each step finishes, so the command prints it as it happens. */
  onStep?: ((step: PromotionStep) => void) | undefined;
  /** Progress lines inside a step (deploy output). */
  onLine?: ((line: string) => void) | undefined;
}

/** The exit code a promotion's outcome maps to. */
export function promotionExitCode(outcome: PromotionOutcome): number {
  if (outcome === 'refused' || outcome === 'rolled-back') return ExitCode.gateFailed;
  if (outcome === 'interrupted') return ExitCode.interrupted;
  return ExitCode.ok;
}

/**
 * `genai promote FROM TO`: takes the release running in FROM and, step by step, recorded in the ledger:
 * checks TO's constraints, runs (or reuses) the eval of FROM, gates on thresholds and on regression
 * against TO's baseline, checks TO's cost against the budget, asks for approval where required, deploys
 * exactly that release to TO, runs a smoke eval there and rolls TO back by itself when it fails.
 */
export async function promote(request: PromoteRequest): Promise<PromotionResult> {
  const { from, to, loaded } = await resolvePair(request);
  const fromDriver = driverFor(from);
  const toDriver = driverFor(to);
  const projectDir = to.projectDir;
  const onLine = request.onLine ?? (() => {});

  const steps: PromotionStep[] = [];
  const reasons: string[] = [];
  const step = async <T>(
    name: StepName,
    work: () => Promise<{ status: PromotionStep['status']; detail: string; value?: T }>,
  ) => {
    if (request.signal?.aborted) throw new Interrupted();
    const started = performance.now();
    const { status, detail, value } = await work();
    const done: PromotionStep = { name, status, detail, ms: Math.round(performance.now() - started) };
    steps.push(done);
    request.onStep?.(done);
    return { status, value, detail };
  };

  const running = await step<Release>('release', async () => {
    const current = await fromDriver.runningRelease();
    if (current.state !== 'running') {
      throw new GenaiError(
        'E_FROM_NOT_RUNNING',
        `${from.env} is not running (${current.state}), so it has no release to promote`,
        {
          fix: `start it with genai up ${from.env}`,
          exitCode: ExitCode.environment,
        },
      );
    }
    if (!current.release) {
      throw new GenaiError('E_FROM_NO_RELEASE', `${from.env} runs a service that reports no release`, {
        fix: `deploy a release to it with genai up ${from.env}`,
        exitCode: ExitCode.environment,
      });
    }
    const release = await readRelease(projectDir, current.release);
    const { entries } = await readLedger(projectDir);
    const recorded = recordedRelease(entries, from.env);
    const drift = recorded && recorded !== release.id ? ` (the ledger records ${recorded}: drift)` : '';
    return { status: 'ok', detail: `${from.env} runs ${release.id}${drift}`, value: release };
  });
  const release = running.value!;

  const before = await readLedger(projectDir);
  const previous = recordedRelease(before.entries, to.env) ?? null;
  const result: PromotionResult = {
    from: from.env,
    to: to.env,
    release: release.id,
    previousRelease: previous,
    dryRun: Boolean(request.dryRun),
    outcome: 'promoted',
    steps,
    reasons,
  };
  const toNow = await toDriver.runningRelease();
  // Only when the ledger agrees: a promotion killed mid-deploy may have left the release running unrecorded.
  if (!request.dryRun && toNow.state === 'running' && toNow.release === release.id && previous === release.id) {
    result.outcome = 'unchanged';
    reasons.push(`${to.env} already runs ${release.id}`);
    return result;
  }

  const run = async () => {
    const constraints = await step('constraints', async () => checkConstraints(to, loaded));
    if (constraints.status === 'failed') return refuse(constraints.detail);

    const evaluation = await step<EnvironmentEval>('eval', async () => {
      const maxAgeMs = (request.maxEvalAgeMinutes ?? DEFAULT_MAX_EVAL_AGE_MINUTES) * 60_000;
      const { entries } = await readLedger(projectDir);
      const fresh = lastEval(entries, from.env, release.id, { gateOnly: true });
      const evaluated = await runEnvironmentEval({
        projectDir,
        manifest: to.manifest,
        env: from.env,
        url: (await fromDriver.outputs()).url,
        releaseId: release.id,
        reuse: fresh && Date.now() - Date.parse(fresh.at) < maxAgeMs ? fresh : undefined,
        purpose: 'gate',
        signal: request.signal,
      });
      result.evalRun = evaluated.runId;
      const scores = Object.entries(evaluated.scores)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .slice(0, 6)
        .join(', ');
      return {
        status: evaluated.reused ? 'reused' : 'ok',
        detail: `run ${evaluated.runId} on ${from.env}: ${evaluated.passed}/${evaluated.total} cases passed; ${scores}`,
        value: evaluated,
      };
    });
    const evaluated = evaluation.value!;
    if (evaluated.interrupted) throw new Interrupted();

    const gate = await step('gate', async () => {
      const decision = await gateAgainstBaseline(projectDir, to.manifest, evaluated.runId, to.env);
      await appendLedger(projectDir, {
        kind: 'gate.decided',
        from: from.env,
        to: to.env,
        releaseId: release.id,
        pass: decision.pass,
        reasons: decision.reasons,
      });
      if (!decision.pass) reasons.push(...decision.reasons);
      return { status: decision.pass ? 'ok' : 'failed', detail: decision.summary };
    });
    if (gate.status === 'failed') return refuse();

    const cost = await step('cost', () => checkCost(to));
    if (cost.status === 'failed') return refuse(cost.detail);

    const approval = await step('approval', () => approve(to, release.id, request));
    if (approval.status === 'failed') return refuse(approval.detail);

    if (request.dryRun) {
      await step('deploy', async () => ({ status: 'planned', detail: `would deploy ${release.id} to ${to.env}` }));
      await step('smoke', async () => ({
        status: 'planned',
        detail: `would ask ${to.env} ${request.smokeCases ?? DEFAULT_SMOKE_CASES} cases`,
      }));
      result.outcome = 'planned';
      return result;
    }

    await step('deploy', async () => {
      const { outputs, changed } = await deployRelease(projectDir, toDriver, release, onLine);
      return { status: 'ok', detail: `${to.env} runs ${release.id} at ${outputs.url}${changed ? '' : ' (already)'}` };
    });

    const smoke = await step('smoke', async () => {
      const checked = await smokeEval(toDriver, to, release.id, evaluated, request);
      result.smokeRun = checked.runId;
      if (!checked.pass) reasons.push(checked.detail);
      return { status: checked.pass ? 'ok' : 'failed', detail: checked.detail };
    });
    if (smoke.status === 'failed') {
      await rollBackAfterSmoke(toDriver, to, release.id, previous, reasons.at(-1) ?? 'smoke eval failed', step, onLine);
      result.outcome = 'rolled-back';
      await appendLedger(projectDir, {
        kind: 'promotion.failed',
        from: from.env,
        to: to.env,
        releaseId: release.id,
        reason: `smoke eval failed; rolled back to ${previous ?? 'nothing'}`,
      });
      return result;
    }

    await step('baseline', async () => {
      await saveBaseline(projectDir, to.env, evaluated.runId);
      return { status: 'ok', detail: `run ${evaluated.runId} is now the baseline of ${to.env}` };
    });
    await appendLedger(projectDir, { kind: 'promotion.finished', from: from.env, to: to.env, releaseId: release.id });
    return result;
  };

  const refuse = async (why?: string) => {
    if (why) reasons.push(why);
    result.outcome = 'refused';
    if (!request.dryRun) {
      await appendLedger(projectDir, {
        kind: 'promotion.failed',
        from: from.env,
        to: to.env,
        releaseId: release.id,
        reason: reasons.join('; ') || 'a gate failed',
      });
    }
    return result;
  };

  if (request.dryRun) return run().catch(interruptedTo(result));
  return withLock(to, 'promotion', request.forceUnlock, onLine, async () => {
    await appendLedger(projectDir, { kind: 'promotion.started', from: from.env, to: to.env, releaseId: release.id });
    try {
      return await run().catch(interruptedTo(result));
    } catch (error) {
      await appendLedger(projectDir, {
        kind: 'promotion.failed',
        from: from.env,
        to: to.env,
        releaseId: release.id,
        reason: (error as Error).message.split('\n')[0] ?? 'failed',
      });
      throw error;
    } finally {
      if (result.outcome === 'interrupted') {
        await appendLedger(projectDir, {
          kind: 'promotion.failed',
          from: from.env,
          to: to.env,
          releaseId: release.id,
          reason: 'interrupted',
        });
      }
    }
  });
}

class Interrupted extends Error {}

const interruptedTo = (result: PromotionResult) => (error: unknown) => {
  if (!(error instanceof Interrupted)) throw error;
  result.outcome = 'interrupted';
  result.reasons.push('interrupted before the next step');
  return result;
};

/** FROM and TO, resolved, with located errors: unknown names, FROM == TO, a step backwards. */
async function resolvePair(
  request: PromoteRequest,
): Promise<{ from: ResolvedEnvironment; to: ResolvedEnvironment; loaded: LoadedManifest }> {
  const { loadManifest, locate } = await import('../manifest/index.js');
  const projectDir = resolve(request.cwd);
  const loaded = await loadManifest(projectDir);
  // Unknown names: the same located error, with a did-you-mean, as every command that names an environment.
  const from = await environmentIn(projectDir, loaded, request.from);
  const to = await environmentIn(projectDir, loaded, request.to);
  const order = promotionOrder(loaded.manifest);
  if (from.env === to.env) {
    throw usageError('E_PROMOTE_SAME', `cannot promote ${from.env} to itself`, {
      fix: `name the next environment, e.g. genai promote ${from.env} ${nextAfter(order, from.env) ?? 'prod'}`,
    });
  }
  const fromIndex = order.indexOf(from.env);
  const toIndex = order.indexOf(to.env);
  if (fromIndex >= 0 && toIndex >= 0 && toIndex < fromIndex) {
    const field = loaded.manifest.promotion.order ? ['promotion', 'order'] : ['environments'];
    throw usageError(
      'E_PROMOTE_BACKWARDS',
      `${to.env} comes before ${from.env} in the promotion order (${order.join(' → ')})`,
      {
        location: locate(loaded.file, loaded.document, loaded.lineCounter, field, 'key').location,
        fix: `promote forwards (genai promote ${to.env} ${from.env}), or go back with genai rollback ${to.env}`,
      },
    );
  }
  return { from, to, loaded };
}

const nextAfter = (order: string[], env: string) => order[order.indexOf(env) + 1];

/** The manifest's checks that concern TO: its region, its budget, the data it may send out. */
async function checkConstraints(to: ResolvedEnvironment, loaded: LoadedManifest) {
  const { checkManifest } = await import('../manifest/index.js');
  const findings = checkManifest(loaded).filter(
    (f) => f.field.startsWith(`environments.${to.env}`) || !f.field.startsWith('environments.'),
  );
  const errors = findings.filter((f) => f.level === 'error');
  if (errors.length) {
    return {
      status: 'failed' as const,
      detail: errors.map((f) => `${f.location} ${f.message} — fix: ${f.fix}`).join('; '),
    };
  }
  const warnings = findings.length ? ` (${findings.length} warning${findings.length > 1 ? 's' : ''}: genai check)` : '';
  return { status: 'ok' as const, detail: `${to.env} is inside the constraints${warnings}` };
}

/** TO's monthly estimate against its budget and the service's. */
async function checkCost(to: ResolvedEnvironment) {
  const { estimateCost } = await import('../cost/index.js');
  const report = await estimateCost({ cwd: to.projectDir, environments: [to.env] });
  const estimate = report.environments.find((e) => e.name === to.env);
  const usd = estimate
    ? `$${estimate.total.expected.toFixed(2)}/month expected (budget $${estimate.budget.usd})`
    : 'no estimate';
  if (!report.gate.ok) {
    return { status: 'failed' as const, detail: report.gate.failures.map((f) => f.message).join('; ') };
  }
  return { status: 'ok' as const, detail: `${to.env}: ${usd}, within budget` };
}

async function approve(to: ResolvedEnvironment, releaseId: string, request: PromoteRequest) {
  const needed = to.manifest.promotion.approval?.includes(to.env) ?? false;
  if (!needed) return { status: 'skipped' as const, detail: `${to.env} needs no approval` };
  const by = actor();
  if (request.approve) {
    if (!request.dryRun) {
      await appendLedger(to.projectDir, { kind: 'approval.granted', env: to.env, releaseId, by, how: 'flag' });
    }
    return { status: 'ok' as const, detail: `approved by ${by} (--approve)` };
  }
  if (request.dryRun)
    return { status: 'planned' as const, detail: `${to.env} needs an approval (--approve or a prompt)` };
  if (request.confirm && (await request.confirm(`Deploy ${releaseId} to ${to.env}?`))) {
    await appendLedger(to.projectDir, { kind: 'approval.granted', env: to.env, releaseId, by, how: 'interactive' });
    return { status: 'ok' as const, detail: `approved by ${by} at the terminal` };
  }
  await appendLedger(to.projectDir, { kind: 'approval.requested', env: to.env, releaseId });
  return {
    status: 'failed' as const,
    detail: `${to.env} needs an approval (promotion.approval)${request.confirm ? ': declined' : ''} — fix: pass --approve once a reviewer approved`,
  };
}

async function smokeEval(
  driver: EnvironmentDriver,
  to: ResolvedEnvironment,
  releaseId: string,
  gateEval: EnvironmentEval,
  request: PromoteRequest,
): Promise<{ pass: boolean; detail: string; runId: string }> {
  const count = request.smokeCases ?? DEFAULT_SMOKE_CASES;
  const ids = gateEval.passedCaseIds.slice(0, count);
  const smoke = await runEnvironmentEval({
    projectDir: to.projectDir,
    manifest: to.manifest,
    env: to.env,
    url: (await driver.outputs()).url,
    releaseId,
    caseIds: ids.length ? ids : undefined,
    sample: ids.length ? undefined : count,
    cache: false,
    purpose: 'smoke',
    signal: request.signal,
  });
  const passShare = smoke.total ? smoke.passed / smoke.total : 0;
  const pass = smoke.errored === 0 && passShare >= SMOKE_MIN_PASS_SHARE;
  const detail = `run ${smoke.runId} on ${to.env}: ${smoke.passed}/${smoke.total} passed, ${smoke.errored} errored${pass ? '' : ` (needs ${Math.round(SMOKE_MIN_PASS_SHARE * 100)}% passed, none errored)`}`;
  return { pass, detail, runId: smoke.runId };
}

async function rollBackAfterSmoke(
  driver: EnvironmentDriver,
  to: ResolvedEnvironment,
  failed: string,
  previous: string | null,
  reason: string,
  step: <T>(
    name: StepName,
    work: () => Promise<{ status: PromotionStep['status']; detail: string; value?: T }>,
  ) => Promise<unknown>,
  onLine: (line: string) => void,
) {
  await step('rollback', async () => {
    if (!previous) {
      const stopped = await driver.stop();
      return {
        status: 'ok',
        detail: `${to.env} had no earlier release: stopped it (${stopped.stopped ? 'was running' : 'was not running'})`,
      };
    }
    const release = await readRelease(to.projectDir, previous);
    await restoreRelease(to.projectDir, driver, failed, release, reason, onLine);
    return { status: 'ok', detail: `${to.env} runs ${previous} again` };
  });
}

async function saveBaseline(projectDir: string, env: string, runId: string) {
  const { writeBaseline } = await import('../evals/index.js');
  await writeBaseline(projectDir, env, runId);
}
