import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const stubBin = join(root, 'test', 'fixtures', 'bin');
const nodeBin = dirname(process.execPath);
const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/notes@sha256:${'b'.repeat(64)}`;
const policyPack = join(root, 'dist', 'stacks', 'policies');

const MANIFEST = `name: notes-helper
constraints:
  regions: [eu-west-1]
  dataClass: phi
model: { provider: bedrock, id: meta.llama3-1-70b-instruct-v1:0 }
embeddings: { provider: bedrock, id: amazon.titan-embed-text-v2:0, dimensions: 1024 }
evals: { dataset: evals/dataset.jsonl }
environments:
  local: { target: local }
  dev: { target: aws, region: eu-west-1 }
  cluster: { target: kubernetes, context: kind-genai }
  prod: { target: aws, region: eu-west-1 }
`;

interface Call {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

async function project(manifest = MANIFEST) {
  const dir = await mkdtemp(join(tmpdir(), 'genai-cloud-'));
  await writeFile(join(dir, 'genai.yaml'), manifest);
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    'apiVersion: v1\nkind: Config\ncurrent-context: kind-genai\ncontexts:\n  - name: kind-genai\n    context: { cluster: kind, user: kind }\n',
  );
  const log = join(dir, 'pulumi-calls.jsonl');
  const env: Record<string, string | undefined> = {
    PATH: [stubBin, nodeBin].join(delimiter),
    HOME: dir,
    STUB_PULUMI_LOG: log,
    STUB_PULUMI_STATE: join(dir, 'stub-state'),
    PULUMI_CONFIG_PASSPHRASE: 'correct horse',
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    KUBECONFIG: kubeconfig,
  };
  const genai = (args: string[], extra: Record<string, string | undefined> = {}) =>
    execa(process.execPath, [join(root, 'bin', 'run.js'), ...args], {
      cwd: dir,
      reject: false,
      extendEnv: false,
      env: { ...env, ...extra },
    });
  const calls = async (): Promise<Call[]> =>
    (await readFile(log, 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  /** The argv of calls whose first word is `command`, without the per-run --client port and event log file. */
  const commands = async (command: string) =>
    (await calls())
      .filter((c) => c.argv[0] === command)
      .map((c) =>
        c.argv
          .map((a) => (a.startsWith('--client=127.0.0.1:') ? '--client=127.0.0.1:PORT' : a))
          .map((a, i, all) => (all[i - 1] === '--event-log' ? 'EVENT-LOG' : a)),
      );
  return { dir, genai, calls, commands, env };
}

const servers: Server[] = [];
afterAll(() => servers.forEach((server) => server.close()));

/** A service's /healthz at a local port, answering with `release`. */
async function healthz(release: () => string | null): Promise<string> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'ok', release: release(), env: 'prod' }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

// Each test starts genai several times; a loaded machine needs more than the default 30 s.
describe('cloud environments through the Automation API (stub pulumi on PATH)', { timeout: 120_000 }, () => {
  it('up, outputs, preview, refresh and destroy of an AWS environment send exactly these commands', async () => {
    const p = await project();
    const workDir = join(p.dir, '.genai', 'pulumi');
    const configFile = join(workDir, 'policy-config.dev.json');

    const up = await p.genai(['up', 'dev', '--image', image]);
    expect(up.exitCode, up.stderr).toBe(0);
    const id = /created release (r-[0-9a-f]{12}) \(image /.exec(up.stdout)?.[1];
    expect(id, up.stdout).toBeDefined();
    // The CLI's progress reaches the user line by line.
    expect(up.stdout).toMatch(/^Updating \(dev\)$/m);
    expect(up.stdout).toMatch(/^ {4}\+ 24 created$/m);
    expect(up.stdout).toContain(`dev is up at https://notes-helper-dev.example.invalid, release ${id}`);
    expect(up.stderr).toBe('');

    expect(await p.commands('up')).toEqual([
      [
        'up',
        '--yes',
        '--skip-preview',
        '--policy-pack',
        policyPack,
        '--policy-pack-config',
        configFile,
        '--client=127.0.0.1:PORT',
        '--exec-kind',
        'auto.inline',
        '--stack',
        'dev',
        '--non-interactive',
      ],
    ]);
    const calls = await p.calls();
    expect(calls.map((c) => c.argv.slice(0, 2).join(' '))).toEqual([
      'version',
      'stack select',
      'stack init',
      'config set-all',
      'up --yes',
      'stack output',
      'stack output',
      'stack history',
    ]);
    expect(calls[2]!.argv).toEqual(['stack', 'init', 'dev', '--secrets-provider', 'passphrase', '--non-interactive']);
    // Every call runs in the project's workspace, with the passphrase and as the Automation API.
    for (const call of calls.slice(1)) {
      expect(call.cwd).toBe(workDir);
      expect(call.env).toMatchObject({ PULUMI_CONFIG_PASSPHRASE: 'set', PULUMI_AUTOMATION_API: 'true' });
    }
    // The spec travels as stack configuration, so the program is reproducible.
    const setAll = calls[3]!.argv;
    expect(setAll.slice(0, 5)).toEqual(['config', 'set-all', '--stack', 'dev', '--plaintext']);
    const spec = JSON.parse(setAll[5]!.slice('genai:spec='.length));
    expect(spec).toMatchObject({
      target: 'aws',
      env: 'dev',
      region: 'eu-west-1',
      production: false,
      release: { id, image },
      constraints: { regions: ['eu-west-1'], dataClass: 'phi' },
    });
    expect(setAll.slice(6)).toEqual(['--plaintext', 'aws:region=eu-west-1', '--non-interactive']);
    // The project's workspace: its backend under .genai/state, and the policy pack's configuration.
    expect(await readFile(join(workDir, 'Pulumi.yaml'), 'utf8')).toBe(
      `name: notes-helper\nruntime: nodejs\nbackend:\n  url: file://${join(p.dir, '.genai', 'state')}\n`,
    );
    // Pulumi configures each policy by the keys its schema declares; the values come from genai.yaml.
    expect(JSON.parse(await readFile(configFile, 'utf8'))).toEqual({
      'allowed-regions': { regions: ['eu-west-1'] },
      'data-class-protection': { dataClass: 'phi' },
      'data-class-invocation-logging': { dataClass: 'phi' },
      'deletion-protection-in-production': { production: false },
      'required-tags': { requiredTags: ['service', 'environment', 'cost-centre'] },
    });

    // genai outputs reads what up recorded, without Pulumi.
    const before = (await p.calls()).length;
    const outputs = await p.genai(['outputs', 'dev']);
    expect(outputs.exitCode, outputs.stderr).toBe(0);
    expect(outputs.stdout).toMatch(/^url\s+https:\/\/notes-helper-dev\.example\.invalid$/m);
    expect(outputs.stdout).toMatch(
      /^dashboardUrl\s+https:\/\/console\.example\.invalid\/dashboards\/notes-helper-dev$/m,
    );
    expect(JSON.parse((await p.genai(['outputs', 'dev', '--json'])).stdout)).toMatchObject({
      env: 'dev',
      target: 'aws',
      release: id,
      url: 'https://notes-helper-dev.example.invalid',
      stack: 'notes-helper/dev',
    });
    expect((await p.calls()).length).toBe(before);

    const preview = await p.genai(['preview', 'dev']);
    expect(preview.exitCode, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/^Previewing update \(dev\)$/m);
    expect(preview.stdout).toContain(`dev: release ${id}; 1 to update, 23 to same`);
    expect(await p.commands('preview')).toEqual([
      [
        'preview',
        '--policy-pack',
        policyPack,
        '--policy-pack-config',
        configFile,
        '--client=127.0.0.1:PORT',
        '--exec-kind',
        'auto.inline',
        '--event-log',
        'EVENT-LOG',
        '--stack',
        'dev',
        '--non-interactive',
      ],
    ]);

    const refresh = await p.genai(['refresh', 'dev']);
    expect(refresh.exitCode, refresh.stderr).toBe(0);
    expect(refresh.stdout).toMatch(/^Refreshing \(dev\)$/m);
    expect(refresh.stdout).toMatch(/^url\s+https:\/\/notes-helper-dev\.example\.invalid$/m);
    expect(await p.commands('refresh')).toEqual([
      [
        'refresh',
        '--skip-preview',
        '--yes',
        '--client=127.0.0.1:PORT',
        '--exec-kind',
        'auto.inline',
        '--stack',
        'dev',
        '--non-interactive',
      ],
    ]);

    const destroy = await p.genai(['destroy', 'dev']);
    expect(destroy.exitCode, destroy.stderr).toBe(0);
    expect(destroy.stdout).toMatch(/^Destroying \(dev\)$/m);
    expect(destroy.stdout).toMatch(/^dev: stopped; removed \.genai\/envs\/dev$/m);
    expect(await p.commands('destroy')).toEqual([
      [
        'destroy',
        '--yes',
        '--skip-preview',
        '--client=127.0.0.1:PORT',
        '--exec-kind',
        'auto.inline',
        '--stack',
        'dev',
        '--non-interactive',
      ],
    ]);
    const gone = await p.genai(['outputs', 'dev']);
    expect(gone.exitCode).toBe(3);
    expect(gone.stderr).toMatch(/^error: environment dev has not been provisioned — fix: run genai up dev --image/);
  });

  it('no pulumi on PATH: exit 3 with the install command, one line, before any work', async () => {
    const p = await project();
    for (const args of [
      ['preview', 'prod'],
      ['up', 'dev', '--image', image],
      ['refresh', 'dev'],
    ]) {
      const result = await p.genai(args, { PATH: nodeBin });
      expect(result.exitCode, result.stderr).toBe(3);
      expect(result.stderr.trim()).toBe(
        'error: the Pulumi CLI is not installed (no pulumi on PATH) — fix: install it: curl -fsSL https://get.pulumi.com | sh (or brew install pulumi/tap/pulumi), then open a new shell',
      );
    }
    // Nothing was recorded: not even a release.
    expect(await p.calls()).toEqual([]);
    expect((await p.genai(['release', 'list'])).stdout.trim()).toBe(
      'No releases yet; make one with genai release create',
    );
  });

  it('a file backend without PULUMI_CONFIG_PASSPHRASE: exit 3 with the fix', async () => {
    const p = await project();
    const result = await p.genai(['up', 'dev', '--image', image], { PULUMI_CONFIG_PASSPHRASE: undefined });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /^error: the stack secrets of the file state backend are encrypted with a passphrase, and PULUMI_CONFIG_PASSPHRASE is not set — fix: export PULUMI_CONFIG_PASSPHRASE/,
    );
    expect(await p.calls()).toEqual([]);
    const withFile = await p.genai(['preview', 'dev', '--image', image], {
      PULUMI_CONFIG_PASSPHRASE: undefined,
      PULUMI_CONFIG_PASSPHRASE_FILE: join(p.dir, 'genai.yaml'),
    });
    expect(withFile.exitCode, withFile.stderr).toBe(0);
  });

  it('no AWS credentials: exit 3 with the login hint', async () => {
    const p = await project();
    const result = await p.genai(['up', 'dev', '--image', image], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
    });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /^error: no AWS credentials found \(.*\) — fix: run aws sso login \(or aws configure\)/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await p.calls()).toEqual([]);
  });

  it('kubernetes: no kubeconfig, or a context it lacks, is exit 3; with both the stack gets its context', async () => {
    const p = await project();
    const missing = await p.genai(['up', 'cluster', '--image', image], { KUBECONFIG: join(p.dir, 'nope') });
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/^error: no kubeconfig at .*nope — fix: get the cluster's credentials/);
    const other = join(p.dir, 'other-kubeconfig');
    await writeFile(other, 'apiVersion: v1\ncurrent-context: prod-eks\ncontexts:\n  - name: prod-eks\n');
    const unknown = await p.genai(['up', 'cluster', '--image', image], { KUBECONFIG: other });
    expect(unknown.exitCode).toBe(3);
    expect(unknown.stderr).toMatch(
      /^error: genai\.yaml:\d+:\d+ environments\.cluster\.context: the kubeconfig has no context "kind-genai" — fix: use one of prod-eks/,
    );
    expect(await p.calls()).toEqual([]);

    // Kubernetes needs no AWS credentials.
    const up = await p.genai(['up', 'cluster', '--image', image], { AWS_ACCESS_KEY_ID: undefined });
    expect(up.exitCode, up.stderr).toBe(0);
    const setAll = (await p.calls()).find((c) => c.argv[1] === 'set-all')!.argv;
    expect(setAll).toContain('kubernetes:context=kind-genai');
    // The database password and the service's keys are made on the first up, as secrets, and kept after.
    const secrets = setAll.flatMap((arg, i) => (setAll[i - 1] === '--secret' ? [arg.split('=')[0]] : []));
    expect(secrets).toEqual(['genai:dbPassword', 'genai:apiKey', 'genai:adminKey']);
    expect(setAll.find((arg) => arg.startsWith('genai:apiKey='))).toMatch(/^genai:apiKey=[\w-]{32}$/);
    const again = await p.genai(['up', 'cluster', '--image', image], { AWS_ACCESS_KEY_ID: undefined });
    expect(again.exitCode, again.stderr).toBe(0);
    const setAlls = (await p.calls()).filter((c) => c.argv[1] === 'set-all');
    expect(setAlls).toHaveLength(2);
    expect(setAlls[1]!.argv).not.toContain('--secret');
    expect(JSON.parse(setAll[5]!.slice('genai:spec='.length))).toMatchObject({
      target: 'kubernetes',
      namespace: 'notes-helper-cluster',
      context: 'kind-genai',
    });
  });

  it('a cloud environment runs images: a bundle release or no image is a located usage error (exit 2)', async () => {
    const p = await project();
    const none = await p.genai(['up', 'dev']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(
      /^error: genai\.yaml:\d+:\d+: dev \(target aws\) runs a container image, and none was given — fix: build and push the service image in CI, then genai up dev --image REPOSITORY@sha256:DIGEST/,
    );
    const tag = await p.genai(['up', 'dev', '--image', 'notes:latest']);
    expect(tag.exitCode).toBe(2);
    expect(tag.stderr).toMatch(
      /^error: --image: "notes:latest" is not an image pinned by digest — fix: give REPOSITORY@sha256:DIGEST/,
    );
  });

  it('a region outside constraints.regions stops up before Pulumi runs (exit 2, located)', async () => {
    const p = await project(
      MANIFEST.replace('dev: { target: aws, region: eu-west-1 }', 'dev: { target: aws, region: us-east-1 }'),
    );
    const result = await p.genai(['up', 'dev', '--image', image]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^error: genai\.yaml:10:\d+ environments\.dev\.region: environment dev is in us-east-1, outside constraints\.regions \(eu-west-1\) — fix: use one of eu-west-1/,
    );
    expect((await p.calls()).filter((c) => c.argv[0] === 'up')).toEqual([]);
  });

  it('a mandatory policy violation is a failed gate (exit 1); a cloud error is exit 3; both are in the ledger', async () => {
    const p = await project();
    const policy = await p.genai(['up', 'dev', '--image', image], { STUB_PULUMI_POLICY: '1' });
    expect(policy.exitCode).toBe(1);
    expect(policy.stderr).toMatch(/^error: the policy pack refused the stack: - \[mandatory\] {2}encryption-at-rest/);
    const cloud = await p.genai(['up', 'dev', '--image', image], { STUB_PULUMI_FAIL: 'up' });
    expect(cloud.exitCode).toBe(3);
    expect(cloud.stderr).toMatch(
      /^error: pulumi failed: up failed: creating ECS Service \(svc\): AccessDeniedException/,
    );
    const ledger = await readFile(join(p.dir, '.genai', 'ledger.jsonl'), 'utf8').catch(() => '');
    expect(ledger.match(/"kind":"deploy.failed"/g)).toHaveLength(2);
  });

  it('a project transforms file that does not load is the user’s error (exit 2, located)', async () => {
    const p = await project();
    await mkdir(join(p.dir, 'infra'));
    await writeFile(join(p.dir, 'infra', 'transforms.ts'), 'export default {\n  service: { cpu: 512 ,\n};\n');
    const result = await p.genai(['preview', 'dev', '--image', image]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^error: infra\/transforms\.ts(:\d+:\d+)?: infra\/transforms\.ts does not load: .* — fix: fix infra\/transforms\.ts/,
    );
    await writeFile(join(p.dir, 'infra', 'transforms.ts'), 'export default { service: { cpu: 512 } };\n');
    expect((await p.genai(['preview', 'dev', '--image', image])).exitCode).toBe(0);
  });

  it('promotion goes through the driver: a release running in dev is deployed to prod without asking the target', async () => {
    const p = await project();
    let running: string | null = null;
    const url = await healthz(() => running);
    const up = await p.genai(['up', 'prod', '--image', image, '--json'], { STUB_PULUMI_URL: url });
    expect(up.exitCode, up.stderr).toBe(0);
    const result = JSON.parse(up.stdout);
    expect(result).toMatchObject({ env: 'prod', target: 'aws', url, changed: true, releaseCreated: true });
    running = result.release;

    // The service answers /healthz with that release: up again is a no-op and runs no Pulumi command.
    const before = (await p.commands('up')).length;
    const again = await p.genai(['up', 'prod', '--release', result.release, '--json'], { STUB_PULUMI_URL: url });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, release: result.release });
    expect((await p.commands('up')).length).toBe(before);

    const status = await p.genai(['status', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain(result.release);
  });
});
