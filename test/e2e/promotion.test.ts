import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, initProject, runGenai } from './project.js';

/**
 * The promotion loop on the local target, for real: three environments, releases moving dev → staging →
 * prod through the gates, a regression refused, a smoke failure rolled back by itself, a rollback by hand,
 * a lock between two promotions, and a promotion killed mid-deploy. Runs the built CLI.
 */
const genai = (args: string[], cwd = project) => runGenai(args, cwd);

let work: string;
let project: string;
const releases: Record<string, string> = {};

interface Promotion {
  outcome: string;
  release: string;
  previousRelease: string | null;
  reasons: string[];
  steps: { name: string; status: string; detail: string; ms: number }[];
}

const json = <T>(result: { stdout: string }) => JSON.parse(result.stdout) as T;

async function running(env: string): Promise<string | null> {
  const result = await genai(['outputs', env, '--json']);
  return result.exitCode === 0 ? (json<{ release: string | null }>(result).release ?? null) : null;
}

async function edit(file: string, from: string | RegExp, to: string) {
  const path = join(project, file);
  const text = await readFile(path, 'utf8');
  const changed = text.replace(from, to);
  expect(changed, `${file} has ${String(from)}`).not.toBe(text);
  await writeFile(path, changed);
}

/** Builds the project and deploys its current build to ENV; returns the release id. */
async function buildAndUp(env: string): Promise<string> {
  const build = await execa('npm', ['run', 'build'], { cwd: project, reject: false, all: true });
  expect(build.exitCode, build.all).toBe(0);
  const up = await genai(['up', env, '--json']);
  expect(up.exitCode, up.all).toBe(0);
  return json<{ release: string }>(up).release;
}

async function ledger(): Promise<{ seq: number; kind: string; env?: string; to?: string; releaseId?: string }[]> {
  const text = await readFile(join(project, '.genai', 'ledger.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

beforeAll(async () => {
  // Fixed ports, away from the other end-to-end tests'.
  ({ work, project } = await initProject('shop', {
    args: ['--environments', 'dev,staging,prod'],
    ports: { dev: 9811, staging: 9812, prod: 9813 },
  }));
  for (const env of ['dev', 'staging', 'prod']) {
    const up = await genai(['up', env, '--json']);
    expect(up.exitCode, up.all).toBe(0);
    releases.first = json<{ release: string }>(up).release;
  }
}, 600_000);

afterAll(async () => {
  for (const env of ['dev', 'staging', 'prod']) if (project) await genai(['destroy', env]);
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

describe('promotion on the local target', () => {
  it('up made one release and runs it in all three environments', async () => {
    expect(releases.first).toMatch(/^r-[0-9a-f]{12}$/);
    for (const env of ['dev', 'staging', 'prod']) expect(await running(env)).toBe(releases.first);
  });

  it('a new build goes dev → staging → prod through every gate; prod needs an approval', async () => {
    await edit('src/pipeline/generate.ts', /^/, '// Second release.\n');
    releases.good = await buildAndUp('dev');
    expect(releases.good).not.toBe(releases.first);
    expect(await running('staging')).toBe(releases.first);

    const toStaging = await genai(['promote', 'dev', 'staging', '--json']);
    expect(toStaging.exitCode, toStaging.all).toBe(0);
    const promoted = json<Promotion>(toStaging);
    expect(promoted.outcome).toBe('promoted');
    expect(promoted.steps.map((s) => s.name)).toEqual([
      'release',
      'constraints',
      'eval',
      'gate',
      'cost',
      'approval',
      'deploy',
      'smoke',
      'baseline',
    ]);
    expect(await running('staging')).toBe(releases.good);

    const refused = await genai(['promote', 'staging', 'prod']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toMatch(/approval.*--approve/);
    expect(await running('prod')).toBe(releases.first);
    const pending = json<{ environments: { env: string; pendingApproval: { release: string } | null }[] }>(
      await genai(['status', '--json']),
    ).environments.find((e) => e.env === 'prod');
    expect(pending?.pendingApproval?.release).toBe(releases.good);

    const planned = await genai(['promote', 'staging', 'prod', '--approve', '--dry-run', '--json']);
    expect(planned.exitCode, planned.all).toBe(0);
    const plan = json<Promotion>(planned);
    expect(plan.outcome).toBe('planned');
    expect(plan.steps.filter((s) => s.status === 'planned').map((s) => s.name)).toEqual(['deploy', 'smoke']);
    expect(await running('prod')).toBe(releases.first);

    const toProd = await genai(['promote', 'staging', 'prod', '--approve']);
    expect(toProd.exitCode, toProd.all).toBe(0);
    expect(toProd.stderr).toContain(`promoted ${releases.good} staging → prod`);
    // staging's smoke eval of this release (5 cases) is never taken for the gate's eval of the whole suite.
    expect(toProd.stdout).toMatch(/^[✓↺] eval .* \d+\/22 cases passed/m);
    expect(await running('prod')).toBe(releases.good);
  }, 240_000);

  it('broken retrieval is refused at the gate, naming the regressed metric with both values; prod is untouched', async () => {
    // Cite the farthest of twenty chunks instead of the nearest: the wrong documents.
    await edit(
      'src/pipeline/retrieve.ts',
      'const contexts = await deps.store.search(vector, deps.topK);',
      'const contexts = (await deps.store.search(vector, deps.topK * 4)).slice(-deps.topK);',
    );
    releases.broken = await buildAndUp('staging');
    const result = await genai(['promote', 'staging', 'prod', '--approve', '--json']);
    expect(result.exitCode).toBe(1);
    const refused = json<Promotion>(result);
    expect(refused.outcome).toBe('refused');
    const gate = refused.steps.find((s) => s.name === 'gate')!;
    expect(gate.status).toBe('failed');
    expect(gate.detail).toMatch(/(hit@5|mrr|correctness) regressed from [\d.]+ to [\d.]+/);
    expect(refused.steps.map((s) => s.name)).not.toContain('deploy');
    expect(await running('prod')).toBe(releases.good);
  }, 180_000);

  it('a release that passes the gate but fails its smoke eval in prod is rolled back by itself', async () => {
    await edit(
      'src/pipeline/retrieve.ts',
      'const contexts = (await deps.store.search(vector, deps.topK * 4)).slice(-deps.topK);',
      'const contexts = await deps.store.search(vector, deps.topK);',
    );
    // Works everywhere but in prod: the kind of fault only the smoke eval after the deploy catches.
    await edit(
      'src/pipeline/retrieve.ts',
      '  const { vectors, tokens }',
      "  if (process.env.GENAI_ENV === 'prod') throw new Error('prod-only fault');\n  const { vectors, tokens }",
    );
    releases.prodFault = await buildAndUp('staging');
    const result = await genai(['promote', 'staging', 'prod', '--approve', '--json']);
    expect(result.exitCode, result.all).toBe(1);
    const rolledBack = json<Promotion>(result);
    expect(rolledBack.outcome).toBe('rolled-back');
    expect(rolledBack.steps.find((s) => s.name === 'gate')?.status).toBe('ok');
    expect(rolledBack.steps.find((s) => s.name === 'smoke')?.status).toBe('failed');
    expect(rolledBack.steps.find((s) => s.name === 'rollback')?.status).toBe('ok');
    expect(result.stderr).toMatch(/smoke eval failed on prod, which runs r-[0-9a-f]{12} again/);
    expect(await running('prod')).toBe(releases.good);
  }, 180_000);

  it('genai rollback prod goes back by hand, past the release a rollback already ended', async () => {
    const result = await genai(['rollback', 'prod', '--json']);
    expect(result.exitCode, result.all).toBe(0);
    expect(json<{ toRelease: string }>(result).toRelease).toBe(releases.first);
    expect(await running('prod')).toBe(releases.first);
    const back = await genai(['rollback', 'prod', '--to', releases.good!]);
    expect(back.exitCode, back.all).toBe(0);
    expect(await running('prod')).toBe(releases.good);
  }, 120_000);

  it('two promotions of one environment at once: one wins, the other is refused by the lock', async () => {
    // dev runs the good release, staging the one with the prod-only fault: there is work to do.
    const [a, b] = await Promise.all([genai(['promote', 'dev', 'staging']), genai(['promote', 'dev', 'staging'])]);
    const codes = [a.exitCode, b.exitCode].sort();
    expect(codes, `${a.all}\n---\n${b.all}`).toEqual([0, 3]);
    const loser = a.exitCode === 3 ? a : b;
    expect(loser.stderr.trim().split('\n')).toHaveLength(1);
    expect(loser.stderr).toMatch(/staging is locked by a promotion \(pid \d+, since [\d:]+\)/);
    expect(await running('staging')).toBe(releases.good);
  }, 180_000);

  it('a promotion killed mid-deploy leaves a ledger that status reads; the next promotion completes', async () => {
    await edit('src/pipeline/generate.ts', /^/, '// Fifth release.\n');
    releases.fifth = await buildAndUp('dev');
    const before = (await ledger()).length;
    const child = execa(process.execPath, [bin, 'promote', 'dev', 'staging'], { cwd: project, reject: false });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const started = (await ledger()).slice(before).some((e) => e.kind === 'deploy.started' && e.env === 'staging');
      if (started) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await child;

    const status = await genai(['status', '--json']);
    expect(status.exitCode, status.all).toBe(0);
    const staging = json<{
      environments: { env: string; lock: { state: string } | null; unfinished: string[] }[];
    }>(status).environments.find((e) => e.env === 'staging')!;
    expect(staging.lock?.state).toBe('stale');
    expect(staging.unfinished.join('\n')).toMatch(/promotion dev → staging of r-[0-9a-f]{12} .* did not finish/);

    const blocked = await genai(['promote', 'dev', 'staging']);
    expect(blocked.exitCode).toBe(3);
    expect(blocked.stderr).toMatch(/staging has a stale lock from pid \d+ .* — fix: rerun with --force-unlock/);

    const next = await genai(['promote', 'dev', 'staging', '--force-unlock', '--json']);
    expect(next.exitCode, next.all).toBe(0);
    expect(['promoted', 'unchanged']).toContain(json<Promotion>(next).outcome);
    expect(await running('staging')).toBe(releases.fifth);
    const after = await genai(['status', '--json']);
    const settled = json<{
      environments: { env: string; lock: unknown; unfinished: string[]; drift: string | null }[];
    }>(after).environments.find((e) => e.env === 'staging')!;
    expect(settled).toMatchObject({ lock: null, unfinished: [], drift: null });
  }, 240_000);

  it('bad input is a located, one-line error with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['promote', 'dev', 'stagng'], /no environment "stagng" in genai\.yaml .* did you mean staging\?/],
      [['promote', 'dev', 'dev'], /cannot promote dev to itself/],
      [['promote', 'prod', 'dev'], /genai\.yaml:\d+:\d+: dev comes before prod in the promotion order/],
      [['up', 'dev', '--release', 'r-000000000000'], /no release r-000000000000/],
      [['rollback', 'prod', '--to', 'r-nope'], /no release r-nope/],
    ];
    for (const [args, message] of cases) {
      const result = await genai(args);
      expect(result.exitCode, `${args.join(' ')}: ${result.all}`).toBe(2);
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(join(project, '.genai', 'locks', 'dev.lock'))).toBe(false);
  }, 60_000);

  it('the ledger tells the whole story, every line checksummed', async () => {
    const entries = await ledger();
    const kinds = new Set(entries.map((e) => e.kind));
    for (const kind of [
      'release.created',
      'deploy.started',
      'deploy.finished',
      'eval.finished',
      'gate.decided',
      'approval.granted',
      'promotion.started',
      'promotion.finished',
      'promotion.failed',
      'rollback.started',
      'rollback.finished',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  });
});
