import { watchedStage, type DeliveryStage, type PipelineSpec } from './spec.js';
import { comment, indent, joinBlocks, listing, scalar } from './text.js';
import type { PipelineFile } from './types.js';

/**
 * GitLab CI: one .gitlab-ci.yml with the same three pipelines as on GitHub, told apart by rules:
 * merge requests (checks and offline evals), the default branch (release, deploy, promotions; a manual
 * job where genai.yaml asks for an approval) and schedules (the nightly eval).
 */
export function gitlabPipelines(spec: PipelineSpec): PipelineFile[] {
  return [{ path: '.gitlab-ci.yml', content: gitlabPipeline(spec) }];
}

/** The CI/CD variable holding the ARN of the role deploy jobs assume through OIDC. */
export const DEPLOY_ROLE_VARIABLE = 'GENAI_DEPLOY_ROLE_ARN';
/** The CI/CD variable holding the ARN of the read-only role the nightly eval assumes. */
export const EVAL_ROLE_VARIABLE = 'GENAI_EVAL_ROLE_ARN';

const onMergeRequest = '$CI_PIPELINE_SOURCE == "merge_request_event"';
const onDefaultBranch = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"';
const onSchedule = '$CI_PIPELINE_SOURCE == "schedule"';
const NIGHTLY_CRON = '17 3 * * *';
/**
 * The web identity token file AWS SDKs (and Pulumi's AWS provider) read with AWS_ROLE_ARN: on the runner,
 * beside the project's folder rather than in it, so no artifact or tarball can pick it up.
 */
const TOKEN_FILE = '$CI_BUILDS_DIR/genai-web-identity-token';

const job = (id: string, body: string[]) => [`${id}:`, ...indent(body, 2)];
/** Script lines become list items; `#` lines stay comments between them. */
const script = (lines: string[]) => ['script:', ...lines.map((l) => (l.startsWith('#') ? `  ${l}` : `  - ${l}`))];

/** OIDC: GitLab signs an ID token for AWS; the SDKs trade it for a role session themselves. */
function cloudCredentials(stage: DeliveryStage, roleVariable: string): { keys: string[]; script: string[] } {
  if (stage.target === 'aws') {
    return {
      keys: [
        'id_tokens:',
        '  GENAI_ID_TOKEN:',
        '    aud: sts.amazonaws.com',
        'variables:',
        `  AWS_REGION: ${stage.region!}`,
        `  AWS_ROLE_ARN: $${roleVariable}`,
        `  AWS_WEB_IDENTITY_TOKEN_FILE: ${TOKEN_FILE}`,
      ],
      script: [`printf '%s' "$GENAI_ID_TOKEN" > "$AWS_WEB_IDENTITY_TOKEN_FILE"`],
    };
  }
  if (stage.target === 'kubernetes') {
    return {
      keys: comment(
        `Kubernetes: give this job access to the cluster of ${stage.env}, e.g. the GitLab agent for Kubernetes, or an id_tokens login to your cloud and its kubeconfig; genai uses the current context unless genai.yaml names one.`,
      ),
      script: [],
    };
  }
  return { keys: [], script: [] };
}

/** Delivery jobs hand .genai/ (releases, ledger, eval runs) to the next as a tarball, even when they fail. */
const handOver = [
  'after_script:',
  '  - tar -czf genai-state.tgz .genai',
  'artifacts:',
  '  when: always',
  '  paths:',
  '    - genai-state.tgz',
];

function approvalComment(stage: DeliveryStage): string[] {
  if (!stage.approval) return [];
  return comment(
    `genai.yaml asks for an approval before ${stage.env}: this job waits until someone runs it. Protect the ${stage.env} environment (Settings → CI/CD → Protected environments) to choose who may, and require approvals there.`,
  );
}

function deliveryRules(stage: DeliveryStage): string[] {
  return stage.approval
    ? [
        'rules:',
        `  - if: ${onDefaultBranch}`,
        '    when: manual',
        '# Blocks the pipeline until it runs.',
        'allow_failure: false',
      ]
    : ['rules:', `  - if: ${onDefaultBranch}`];
}

function deliveryJob(stage: DeliveryStage, needs: string, commands: string[]): string[] {
  const credentials = cloudCredentials(stage, DEPLOY_ROLE_VARIABLE);
  return job(stage.from ? `promote-${stage.env}` : `deploy-${stage.env}`, [
    `stage: ${stage.from ? `promote-${stage.env}` : `deploy-${stage.env}`}`,
    `needs: [${needs}]`,
    ...approvalComment(stage),
    ...deliveryRules(stage),
    'environment:',
    `  name: ${scalar(stage.env)}`,
    '# One deploy of an environment at a time, across pipelines.',
    `resource_group: deploy-${stage.env}`,
    'timeout: 30 minutes',
    ...credentials.keys,
    ...script(['tar -xzf genai-state.tgz', ...credentials.script, ...commands]),
    ...handOver,
  ]);
}

function gitlabPipeline(spec: PipelineSpec): string {
  const [first, ...rest] = spec.stages;
  const watched = watchedStage(spec);
  const stages = ['check', 'release', `deploy-${first!.env}`, ...rest.map((s) => `promote-${s.env}`), 'nightly'];

  const check = job('check', [
    'stage: check',
    'rules:',
    `  - if: ${onMergeRequest}`,
    'interruptible: true',
    'timeout: 15 minutes',
    'variables:',
    '  # genai cost --diff reads genai.yaml as it is on the target branch.',
    '  GIT_DEPTH: 0',
    ...script([
      'npm run format:check',
      'npm run typecheck',
      'npm run build',
      'npm test',
      '# genai.yaml, its constraints and the budget.',
      'npx genai check',
      'git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"',
      'mkdir -p reports',
      'npx genai cost --diff "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --format markdown > reports/cost.md',
      'cat reports/cost.md',
    ]),
    'artifacts:',
    '  when: always',
    '  expose_as: cost change',
    '  paths:',
    '    - reports/cost.md',
  ]);

  const evals = job('evals', [
    'stage: check',
    'rules:',
    `  - if: ${onMergeRequest}`,
    'interruptible: true',
    'timeout: 15 minutes',
    ...script([
      '# The service is built and started for the run; a failed gate exits 1 and fails the job.',
      'npx genai eval --local --markdown reports/evals.md --junit reports/evals.xml',
    ]),
    ...comment(
      'The merge request links the Markdown report (exposed artifact) and shows the cases in its test summary; a comment would need a project access token.',
    ),
    'artifacts:',
    '  when: always',
    '  expose_as: eval report',
    '  paths:',
    '    - reports/evals.md',
    '  reports:',
    '    junit: reports/evals.xml',
  ]);

  const release = job('release', [
    'stage: release',
    'rules:',
    `  - if: ${onDefaultBranch}`,
    'timeout: 20 minutes',
    ...script([
      'npm run build',
      '# The build, its pinned dependencies and the configuration, under an id that is the hash of their content.',
      'npx genai release create --json > release.json',
      `echo "GENAI_RELEASE_ID=$(node -p 'require(process.argv[1]).release.id' ./release.json)" > release.env`,
      '# Releases and the ledger live in .genai/; a tarball keeps the file modes and links that artifacts drop.',
      'tar -czf genai-state.tgz .genai',
    ]),
    'artifacts:',
    '  paths:',
    '    - genai-state.tgz',
    '  reports:',
    '    # Hands GENAI_RELEASE_ID to the jobs that need this one.',
    '    dotenv: release.env',
  ]);

  const deliveries = spec.stages.map((stage, i) =>
    stage.from
      ? deliveryJob(stage, `release, ${i === 1 ? `deploy-${stage.from}` : `promote-${stage.from}`}`, [
          // A local environment lives only as long as its runner: start FROM again on the release it runs.
          ...(spec.stages[i - 1]?.target === 'local'
            ? [`npx genai up ${stage.from} --release "$GENAI_RELEASE_ID"`]
            : []),
          stage.approval
            ? `npx genai promote ${stage.from} ${stage.env} --approve --json`
            : `npx genai promote ${stage.from} ${stage.env} --json`,
        ])
      : deliveryJob(stage, 'release', [
          `npx genai up ${stage.env} --release "$GENAI_RELEASE_ID"`,
          `npx genai eval --env ${stage.env}`,
        ]),
  );

  const nightlyCredentials = cloudCredentials(watched, EVAL_ROLE_VARIABLE);
  const nightly = job(`nightly-evals`, [
    'stage: nightly',
    ...comment('Runs in scheduled pipelines: create one under Build → Pipeline schedules, e.g. every night at 03:17:'),
    `# ${NIGHTLY_CRON}`,
    'rules:',
    `  - if: ${onSchedule}`,
    'timeout: 30 minutes',
    ...(watched.target === 'aws'
      ? comment(`Reads the outputs of ${watched.env} and calls its endpoint and the judge models: a read-only role.`)
      : []),
    ...nightlyCredentials.keys,
    ...script([
      ...nightlyCredentials.script,
      ...(watched.target === 'local'
        ? [
            `# A local environment lives as long as its runner: start ${watched.env} from this build, then evaluate it.`,
            `npx genai up ${watched.env}`,
          ]
        : []),
      `npx genai eval --env ${watched.env} --markdown reports/evals.md --junit reports/evals.xml`,
    ]),
    'artifacts:',
    '  when: always',
    '  paths:',
    '    - reports/',
    '    - .genai/evals/runs/',
    '  reports:',
    '    junit: reports/evals.xml',
  ]);

  return joinBlocks([
    [
      ...comment(
        `Pipelines of ${spec.service}: checks and offline evals on merge requests; on the default branch a release built once, deployed to ${first!.env}${rest.length ? ` and promoted through ${listing(rest.map((s) => s.env))} behind the eval gates` : ''}; a nightly eval of ${watched.env} on schedules.`,
      ),
      ...comment('Generated by `genai ci gitlab` from genai.yaml.'),
      'workflow:',
      '  rules:',
      `    - if: ${onMergeRequest}`,
      `    - if: ${onSchedule}`,
      `    - if: ${onDefaultBranch}`,
    ],
    ['stages:', ...stages.map((s) => `  - ${s}`)],
    [
      'default:',
      `  image: node:${spec.nodeVersion}-bookworm`,
      '  cache:',
      '    key:',
      '      files:',
      '        - package-lock.json',
      '    paths:',
      '      - .npm/',
      '  before_script:',
      '    - npm ci',
      '',
      'variables:',
      '  # npm keeps its cache inside the project, the only place GitLab caches.',
      '  npm_config_cache: $CI_PROJECT_DIR/.npm',
    ],
    check,
    evals,
    release,
    ...deliveries,
    nightly,
  ]);
}
