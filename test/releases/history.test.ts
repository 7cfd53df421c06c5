import { describe, expect, it } from 'vitest';
import {
  lastEval,
  previousRelease,
  promotionsInProgress,
  recordedRelease,
  recordedReleases,
  rollbacksInProgress,
  type LedgerEntry,
  type LedgerRecord,
} from '../../src/releases/index.js';

/** Entries as the ledger stores them, numbered in order. */
const ledger = (...records: LedgerRecord[]): LedgerEntry[] =>
  records.map((record, i) => ({
    ...record,
    seq: i + 1,
    at: new Date(Date.UTC(2025, 0, 31, 10, i)).toISOString(),
    sum: '0',
  }));

const deploy = (env: string, releaseId: string): LedgerRecord => ({ kind: 'deploy.finished', env, releaseId });
const rollback = (env: string, fromRelease: string, toRelease: string): LedgerRecord => ({
  kind: 'rollback.finished',
  env,
  fromRelease,
  toRelease,
  reason: 'smoke eval failed',
});

describe('what the ledger says about an environment', () => {
  it('the recorded release is the last one deployed successfully; a failed deploy does not count', () => {
    const entries = ledger(
      deploy('prod', 'r-a'),
      deploy('dev', 'r-c'),
      { kind: 'deploy.started', env: 'prod', releaseId: 'r-b' },
      { kind: 'deploy.failed', env: 'prod', releaseId: 'r-b', reason: 'health check timed out' },
    );
    expect(recordedRelease(entries, 'prod')).toBe('r-a');
    expect(recordedRelease(entries, 'staging')).toBeUndefined();
    expect(recordedReleases(entries)).toEqual({ prod: 'r-a', dev: 'r-c' });
  });

  it('a rollback changes the recorded release', () => {
    const entries = ledger(deploy('prod', 'r-a'), deploy('prod', 'r-b'), rollback('prod', 'r-b', 'r-a'));
    expect(recordedRelease(entries, 'prod')).toBe('r-a');
  });

  it('the previous release is the one before the current, skipping deployments a rollback ended', () => {
    expect(previousRelease(ledger(deploy('prod', 'r-a'), deploy('prod', 'r-b')), 'prod')).toBe('r-a');
    expect(previousRelease(ledger(deploy('prod', 'r-a')), 'prod')).toBeUndefined();
    // a → b → c, c rolled back to b: the next rollback goes to a, never onto c again.
    const afterRollback = ledger(
      deploy('prod', 'r-a'),
      deploy('prod', 'r-b'),
      deploy('prod', 'r-c'),
      rollback('prod', 'r-c', 'r-b'),
    );
    expect(previousRelease(afterRollback, 'prod')).toBe('r-a');
    // a → b, b rolled back to a: nothing earlier than a to go back to.
    expect(
      previousRelease(ledger(deploy('prod', 'r-a'), deploy('prod', 'r-b'), rollback('prod', 'r-b', 'r-a')), 'prod'),
    ).toBeUndefined();
    // b rolled back, later promoted again and replaced by c: b ran fine the second time.
    const redeployed = ledger(
      deploy('prod', 'r-a'),
      deploy('prod', 'r-b'),
      rollback('prod', 'r-b', 'r-a'),
      deploy('prod', 'r-b'),
      deploy('prod', 'r-c'),
    );
    expect(previousRelease(redeployed, 'prod')).toBe('r-b');
    // Other environments do not count.
    expect(previousRelease(ledger(deploy('dev', 'r-x'), deploy('prod', 'r-a'), deploy('prod', 'r-b')), 'prod')).toBe(
      'r-a',
    );
  });

  it('the last eval of an environment, optionally of one release', () => {
    const evalOf = (env: string, releaseId: string, runId: string, pass: boolean): LedgerRecord => ({
      kind: 'eval.finished',
      env,
      releaseId,
      runId,
      reportPath: `.genai/evals/runs/${runId}/report.json`,
      pass,
      scores: { groundedness: 0.9 },
    });
    const entries = ledger(
      evalOf('prod', 'r-a', 'run-1', true),
      evalOf('prod', 'r-b', 'run-2', false),
      evalOf('dev', 'r-c', 'run-3', true),
    );
    expect(lastEval(entries, 'prod')).toMatchObject({ runId: 'run-2', pass: false, seq: 2 });
    expect(lastEval(entries, 'prod', 'r-a')?.runId).toBe('run-1');
    expect(lastEval(entries, 'staging')).toBeUndefined();
  });

  it('never offers a smoke eval where a gate needs the whole suite', () => {
    const evalOf = (runId: string, purpose?: 'smoke'): LedgerRecord => ({
      kind: 'eval.finished',
      env: 'prod',
      releaseId: 'r-a',
      runId,
      reportPath: `.genai/evals/runs/${runId}/report.json`,
      pass: true,
      scores: {},
      ...(purpose ? { purpose } : {}),
    });
    const smoke = evalOf('run-smoke', 'smoke');
    const entries = ledger(evalOf('run-full'), smoke);
    expect(lastEval(entries, 'prod', 'r-a')?.runId).toBe('run-smoke');
    expect(lastEval(entries, 'prod', 'r-a', { gateOnly: true })?.runId).toBe('run-full');
    expect(lastEval(ledger(smoke), 'prod', 'r-a', { gateOnly: true })).toBeUndefined();
  });

  it('finds promotions a crash left unfinished, one per target environment', () => {
    const started = (from: string, to: string, releaseId: string): LedgerRecord => ({
      kind: 'promotion.started',
      from,
      to,
      releaseId,
    });
    const entries = ledger(
      started('dev', 'staging', 'r-a'),
      { kind: 'promotion.finished', from: 'dev', to: 'staging', releaseId: 'r-a' },
      started('staging', 'prod', 'r-a'),
      started('dev', 'staging', 'r-b'),
      { kind: 'promotion.failed', from: 'dev', to: 'staging', releaseId: 'r-b', reason: 'gate failed' },
    );
    expect(promotionsInProgress(entries)).toEqual([
      expect.objectContaining({ from: 'staging', to: 'prod', releaseId: 'r-a', seq: 3 }),
    ]);
    // A later promotion to prod (it took the lock, so the first had died) supersedes the crashed one.
    const resumed = [
      ...entries,
      ...ledger(started('staging', 'prod', 'r-a'), {
        kind: 'promotion.finished',
        from: 'staging',
        to: 'prod',
        releaseId: 'r-a',
      }),
    ];
    expect(promotionsInProgress(resumed)).toEqual([]);
  });

  it('finds rollbacks a crash left unfinished', () => {
    const entries = ledger(
      { kind: 'rollback.started', env: 'prod', fromRelease: 'r-b', toRelease: 'r-a', reason: 'manual' },
      { kind: 'rollback.started', env: 'dev', fromRelease: 'r-d', toRelease: 'r-c', reason: 'manual' },
      { kind: 'rollback.failed', env: 'dev', fromRelease: 'r-d', toRelease: 'r-c', reason: 'r-c will not start' },
    );
    expect(rollbacksInProgress(entries).map((e) => e.env)).toEqual(['prod']);
  });
});
