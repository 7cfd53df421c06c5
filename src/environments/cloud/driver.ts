import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { environmentError, gateError, GenaiError } from '../../errors.js';
import type { StackSpec } from 'genai-kit/stacks';
import type {
  DeployableRelease,
  EnvironmentDriver,
  PreviewResult,
  RefreshResult,
  ResolvedEnvironment,
  RunningRelease,
} from '../driver.js';
import { fetchHealth } from '../project.js';
import { preflight } from './preflight.js';
import { inlineProgram, loadTransforms } from './program.js';
import { readOutputs, removeOutputs, writeOutputs, type CloudOutputs } from './record.js';
import { cloudSettings, POLICY_PACK } from './settings.js';
import { specFor } from './spec.js';

type Stack = import('@pulumi/pulumi/automation/index.js').Stack;
type OutputMap = import('@pulumi/pulumi/automation/index.js').OutputMap;

/** The config key the stack's spec travels in, so that `pulumi up` in the work folder is reproducible. */
export const SPEC_CONFIG_KEY = 'genai:spec';
/** Secrets of a Kubernetes stack's config (stacks/kubernetes reads them): the database password, the service's keys. */
const KUBERNETES_SECRETS = ['genai:dbPassword', 'genai:apiKey', 'genai:adminKey'] as const;

/** A cloud environment (aws, kubernetes) behind the one driver interface: one Pulumi stack per environment. */
export function cloudDriver(resolved: ResolvedEnvironment): EnvironmentDriver {
  const target = resolved.entry.target;
  if (target === 'local') throw new Error('cloudDriver is for cloud targets');
  const settings = cloudSettings(resolved);
  const { env, projectDir } = resolved;
  let checked: Promise<void> | undefined;
  const ready = () => (checked ??= preflight(resolved, settings));

  /**
   * The stack of ENV through the Automation API (loaded here, not before); with a spec, created when
   * missing and given the spec as its configuration, else selected as the last up left it.
   */
  async function openStack(spec?: StackSpec): Promise<Stack> {
    await ready();
    const transforms = await loadTransforms(projectDir);
    const { LocalWorkspace } = await import('@pulumi/pulumi/automation/index.js');
    await mkdir(settings.workDir, { recursive: true });
    const program = { projectName: resolved.manifest.name, stackName: env, program: inlineProgram(transforms) };
    const options = {
      workDir: settings.workDir,
      projectSettings: { name: resolved.manifest.name, runtime: 'nodejs' as const, backend: { url: settings.backend } },
      secretsProvider: settings.secretsProvider,
      envVars: { PULUMI_SKIP_UPDATE_CHECK: 'true' },
    };
    if (!spec) return pulumiCall(() => LocalWorkspace.selectStack(program, options));
    const stack = await pulumiCall(() => LocalWorkspace.createOrSelectStack(program, options));
    const config: Record<string, { value: string; secret?: boolean }> = {
      [SPEC_CONFIG_KEY]: { value: JSON.stringify(spec) },
    };
    if (spec.target === 'aws') config['aws:region'] = { value: spec.region };
    if (spec.target === 'kubernetes' && spec.context) config['kubernetes:context'] = { value: spec.context };
    if (spec.target === 'kubernetes') {
      // The in-cluster database's password and the service's keys: made once, then kept encrypted in the
      // stack's own config (AWS makes its own in Secrets Manager).
      const existing = await pulumiCall(() => stack.getAllConfig());
      for (const key of KUBERNETES_SECRETS) {
        if (!(key in existing)) config[key] = { value: randomBytes(24).toString('base64url'), secret: true };
      }
    }
    await pulumiCall(() => stack.setAllConfig(config));
    return stack;
  }

  /** The policy pack's configuration for this environment, written beside the workspace. */
  async function policyConfig(spec: StackSpec): Promise<string> {
    const path = join(settings.workDir, `policy-config.${env}.json`);
    // The pack's own builder: Pulumi configures each policy separately, by the keys its schema declares.
    const [{ policyPackConfig }, { policies }] = await Promise.all([
      import('genai-kit/stacks/policies/settings'),
      import('genai-kit/stacks/policies/policies'),
    ]);
    const values = {
      regions: spec.constraints.regions,
      dataClass: spec.constraints.dataClass,
      production: spec.production,
      requiredTags: Object.keys(spec.tags),
    };
    await writeFile(path, `${JSON.stringify(policyPackConfig(values, policies), null, 2)}\n`);
    return path;
  }

  async function policyOptions(spec: StackSpec) {
    return { policyPacks: [POLICY_PACK], policyPackConfigs: [await policyConfig(spec)] };
  }

  async function record(spec: Pick<StackSpec, 'target'>, outputs: OutputMap): Promise<CloudOutputs> {
    const value = (key: string) => {
      const v = outputs[key]?.value;
      return typeof v === 'string' ? v : '';
    };
    const recorded: CloudOutputs = {
      env,
      target: spec.target,
      url: value('url'),
      status: 'provisioned',
      release: value('release') || null,
      vectorStoreUrl: value('vectorStoreUrl'),
      modelEndpoint: value('modelEndpoint'),
      dashboardUrl: value('dashboardUrl'),
      stack: `${resolved.manifest.name}/${env}`,
      updatedAt: new Date().toISOString(),
    };
    await writeOutputs(projectDir, recorded);
    return recorded;
  }

  return {
    env,
    target,
    artifactKind: 'image',
    preflight: ready,
    async preview(release: DeployableRelease, onStep = () => {}): Promise<PreviewResult> {
      const spec = specFor(resolved, release);
      const stack = await openStack(spec);
      const lines = lineSplitter(onStep);
      const options = await policyOptions(spec);
      const result = await pulumiCall(() => stack.preview({ onOutput: lines.write, ...options }).finally(lines.flush));
      return { env, target, release: release.id, changes: { ...result.changeSummary } as Record<string, number> };
    },
    async deploy(release, onStep = () => {}) {
      const spec = specFor(resolved, release);
      const stack = await openStack(spec);
      const lines = lineSplitter(onStep);
      const options = await policyOptions(spec);
      const result = await pulumiCall(() => stack.up({ onOutput: lines.write, ...options }).finally(lines.flush));
      const outputs = await record(spec, result.outputs);
      const changes = result.summary?.resourceChanges ?? {};
      const changed = Object.entries(changes).some(([kind, count]) => kind !== 'same' && (count ?? 0) > 0);
      return { outputs, changed };
    },
    async refresh(onStep = () => {}): Promise<RefreshResult> {
      const previous = await readOutputs(projectDir, env);
      if (!previous?.release) return { env, target, outputs: null };
      const stack = await openStack();
      const lines = lineSplitter(onStep);
      await pulumiCall(() => stack.refresh({ onOutput: lines.write }).finally(lines.flush));
      const outputs = await pulumiCall(() => stack.outputs());
      return { env, target, outputs: Object.keys(outputs).length ? await record({ target }, outputs) : null };
    },
    async outputs() {
      const recorded = await readOutputs(projectDir, env);
      if (!recorded) {
        throw environmentError('E_NOT_PROVISIONED', `environment ${env} has not been provisioned`, {
          fix: `run genai up ${env} --image REPOSITORY@sha256:DIGEST`,
        });
      }
      return recorded;
    },
    async runningRelease(): Promise<RunningRelease> {
      const recorded = await readOutputs(projectDir, env);
      if (!recorded) return { env, state: 'stopped', release: null };
      const health = recorded.url ? await fetchHealth(recorded.url) : undefined;
      if (health) return { env, state: 'running', release: health.release ?? null, url: recorded.url };
      return {
        env,
        state: 'failed',
        release: recorded.release,
        url: recorded.url,
        reason: `does not answer ${recorded.url}/healthz; the last up recorded ${recorded.release ?? 'no release'}`,
      };
    },
    async stop(onStep: (line: string) => void = () => {}) {
      const recorded = await readOutputs(projectDir, env);
      if (!recorded) return { env, stopped: false, removed: [] };
      const stack = await openStack();
      const lines = lineSplitter(onStep);
      await pulumiCall(() => stack.destroy({ onOutput: lines.write }).finally(lines.flush));
      return { env, stopped: true, removed: await removeOutputs(projectDir, env) };
    },
  };
}

/** Splits the CLI's output chunks into whole lines for `onStep`. */
function lineSplitter(onStep: (line: string) => void) {
  let pending = '';
  return {
    write: (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onStep(line.trimEnd());
    },
    flush: () => {
      if (pending.trim()) onStep(pending.trimEnd());
      pending = '';
    },
  };
}

/**
 * Runs one Automation API call and turns what the Pulumi CLI says into one located line: policy violations
 * are a gate (exit 1), a stack locked by another update or any other CLI failure an environment error (exit 3).
 */
async function pulumiCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GenaiError) throw error;
    const result = (error as { commandResult?: { stdout?: string; stderr?: string } }).commandResult;
    const output = `${result?.stdout ?? ''}\n${result?.stderr ?? ''}`;
    const lines = output
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const errorLine = lines.find((line) => /^error:/i.test(line)) ?? lines.at(-1) ?? String((error as Error).message);
    if (/policy violations?|mandatory/i.test(output)) {
      const violation = lines.find((line) => /\[mandatory\]/.test(line)) ?? errorLine;
      throw gateError('E_POLICY', `the policy pack refused the stack: ${violation}`, {
        fix: 'change genai.yaml (or infra/transforms.ts) so the resource complies; the output above names it',
      });
    }
    if ((error as Error).name === 'ConcurrentUpdateError') {
      throw environmentError('E_STACK_LOCKED', `another update of this stack is in progress: ${errorLine}`, {
        fix: 'wait for it to finish; if it died, pulumi cancel (or pulumi stack export | import) in .genai/pulumi',
      });
    }
    throw environmentError('E_PULUMI', `pulumi failed: ${errorLine.replace(/^error:\s*/i, '')}`, {
      fix: 'read the output above; genai refresh ENV brings the state back in line when it drifted',
      cause: error,
    });
  }
}
