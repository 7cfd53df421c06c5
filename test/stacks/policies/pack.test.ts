/* eslint-disable @typescript-eslint/no-explicit-any -- the generated protobuf modules are loaded with require, untyped */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policies } from '../../../stacks/policies/policies.js';
import { DEFAULT_REQUIRED_TAGS, policyPackConfig } from '../../../stacks/policies/settings.js';

/**
 * The built pack as the Pulumi CLI runs it: `@pulumi/pulumi/cmd/run-policy-pack` loads the pack's folder
 * (dist/stacks/policies, built by `npm run build`), the PolicyPack prints the port of its analyzer, and this
 * test plays the CLI's side of the gRPC protocol (the real `pulumirpc.Analyzer` service and messages).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const packDir = join(root, 'dist', 'stacks', 'policies');
// The CLI's side of the protocol, with the same protobuf runtime the pack uses.
const pulumiRequire = createRequire(createRequire(import.meta.url).resolve('@pulumi/pulumi/package.json'));
const grpc = pulumiRequire('@grpc/grpc-js');
const rpc = pulumiRequire('./proto/analyzer_grpc_pb.js');
const pb = pulumiRequire('./proto/analyzer_pb.js');
const { Struct } = pulumiRequire('google-protobuf/google/protobuf/struct_pb.js');
const { Empty } = pulumiRequire('google-protobuf/google/protobuf/empty_pb.js');

let pack: ChildProcess;
let client: any;

function call<T>(method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response))),
  );
}

function resource(type: string, name: string, props: Record<string, unknown>) {
  const r = new pb.AnalyzerResource();
  r.setType(type);
  r.setName(name);
  r.setUrn(`urn:pulumi:prod::genai::${type}::${name}`);
  r.setProperties(Struct.fromJavaScript(props));
  r.setOptions(new pb.AnalyzerResourceOptions());
  return r;
}

async function analyze(type: string, name: string, props: Record<string, unknown>): Promise<[string, string][]> {
  const r = resource(type, name, props);
  const request = new pb.AnalyzeRequest();
  request.setType(type);
  request.setName(name);
  request.setUrn(r.getUrn());
  request.setProperties(r.getProperties());
  request.setOptions(r.getOptions());
  const response = await call<any>('analyze', request);
  // The pack puts the policy's description on the first line of each message; the violation follows.
  return response.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getMessage().split('\n').at(-1)]);
}

beforeAll(async () => {
  if (!existsSync(join(packDir, 'index.js')))
    throw new Error('dist/stacks/policies is missing: run npm run build first');
  // The build script's last step; idempotent, so the test holds before and after package.json runs it.
  execFileSync(process.execPath, [join(root, 'scripts', 'copy-stack-assets.js')]);
  const runner = join(dirname(pulumiRequire.resolve('./package.json')), 'cmd', 'run-policy-pack');
  pack = spawn(process.execPath, [runner, '127.0.0.1:0', '.'], { cwd: packDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    pack.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const line = /^(\d+)\s*$/m.exec(out);
      if (line?.[1]) resolve(line[1]);
    });
    pack.stderr?.on('data', (chunk) => (err += String(chunk)));
    pack.on('exit', (code) => reject(new Error(`the pack exited with ${code}: ${err}`)));
  });
  client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  client?.close();
  pack?.kill();
});

describe('the policy pack as the Pulumi CLI runs it', () => {
  it('lists every policy of policies.ts as mandatory, with the settings each reads as its config schema', async () => {
    const info = await call<any>('getAnalyzerInfo', new Empty());
    expect(info.getName()).toBe('genai-kit');
    expect(info.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.getSupportsconfig()).toBe(true);
    const listed = info.getPoliciesList().map((p: any) => ({
      name: p.getName(),
      level: p.getEnforcementlevel(),
      config: p.getConfigschema()?.getProperties()?.toJavaScript() ?? {},
    }));
    expect(listed.map((p: any) => p.name)).toEqual(policies.map((p) => p.name));
    expect(listed.every((p: any) => p.level === pb.EnforcementLevel.MANDATORY)).toBe(true);
    const schemaOf = (name: string) => listed.find((p: any) => p.name === name)?.config;
    expect(Object.keys(schemaOf('allowed-regions'))).toEqual(['regions']);
    expect(schemaOf('required-tags').requiredTags).toMatchObject({
      type: 'array',
      default: [...DEFAULT_REQUIRED_TAGS],
    });
    expect(schemaOf('data-class-protection').dataClass).toMatchObject({ enum: ['public', 'internal', 'pii', 'phi'] });
    expect(schemaOf('deletion-protection-in-production').production).toMatchObject({ type: 'boolean', default: false });
    // Every setting the driver passes reaches at least one policy.
    const declared = new Set(listed.flatMap((p: any) => Object.keys(p.config)));
    expect([...declared].sort()).toEqual(['dataClass', 'production', 'regions', 'requiredTags']);
  });

  it('takes the config file policyPackConfig writes and reports violations of resources and of the stack', async () => {
    const config = policyPackConfig({ regions: ['eu-west-1'], dataClass: 'phi', production: true }, policies);
    const request = new pb.ConfigureAnalyzerRequest();
    for (const [name, properties] of Object.entries(config)) {
      const entry = new pb.PolicyConfig();
      entry.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
      entry.setProperties(Struct.fromJavaScript(properties as Record<string, any>));
      request.getPolicyconfigMap().set(name, entry);
    }
    await call('configure', request);

    expect(await analyze('pulumi:providers:aws', 'us', { region: 'us-east-1' })).toEqual([
      ['allowed-regions', 'pulumi:providers:aws "us": region is us-east-1; fix: use one of eu-west-1'],
    ]);
    const topic = await analyze('aws:sns/topic:Topic', 'alerts', { tags: { service: 'a', environment: 'prod' } });
    expect(topic.map(([policy]) => policy)).toEqual(['encryption-at-rest', 'required-tags']);
    expect(topic[1]?.[1]).toContain('tags lacks cost-centre');
    const cluster = await analyze('aws:rds/cluster:Cluster', 'vectors', {
      storageEncrypted: true,
      tags: { service: 'a', environment: 'prod', 'cost-centre': 'c' },
    });
    expect(cluster).toEqual([
      [
        'deletion-protection-in-production',
        'aws:rds/cluster:Cluster "vectors": deletionProtection is not true; fix: set deletionProtection: true',
      ],
    ]);

    const stack = new pb.AnalyzeStackRequest();
    stack.setResourcesList([resource('aws:s3/bucket:Bucket', 'corpus', { bucket: 'corpus', tags: {} })]);
    const response = await call<any>('analyzeStack', stack);
    const found = response.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getUrn()]);
    expect(found).toEqual([
      ['encryption-at-rest-links', 'urn:pulumi:prod::genai::aws:s3/bucket:Bucket::corpus'],
      ['no-public-data-stores-links', 'urn:pulumi:prod::genai::aws:s3/bucket:Bucket::corpus'],
    ]);
  });

  it('during a preview, takes a value it cannot know yet (a key, a bucket id) as set, and follows property dependencies', async () => {
    const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9'; // the engine's unknown-value sentinel
    const tags = { service: 'a', environment: 'prod', 'cost-centre': 'c' };
    expect(await analyze('aws:sns/topic:Topic', 'alerts', { kmsMasterKeyId: UNKNOWN, tags })).toEqual([]);

    const bucket = resource('aws:s3/bucket:Bucket', 'corpus', { bucket: UNKNOWN, tags });
    const sse = resource(
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      'corpus-sse',
      {
        bucket: UNKNOWN,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }],
      },
    );
    const dependency = new pb.AnalyzerPropertyDependencies();
    dependency.setUrnsList([bucket.getUrn()]);
    sse.getPropertydependenciesMap().set('bucket', dependency);
    const stack = new pb.AnalyzeStackRequest();
    stack.setResourcesList([bucket, sse]);
    const response = await call<any>('analyzeStack', stack);
    const found = response.getDiagnosticsList().map((d: any) => [d.getPolicyname(), d.getEnforcementlevel()]);
    // Encrypted through its dependency; the public access block is still missing, and reported as mandatory.
    expect(found).toEqual([['no-public-data-stores-links', pb.EnforcementLevel.MANDATORY]]);
  });
});
