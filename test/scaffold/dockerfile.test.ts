import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaults, type InitOptions } from '../../src/scaffold/options.js';
import { planProject } from '../../src/scaffold/plan.js';
import { serviceDependencies, serviceNodeEngine } from '../../src/scaffold/service-spec.js';

const root = join(import.meta.dirname, '..', '..');
const options: InitOptions = { ...defaults, name: 'docker-check', environments: ['dev'] };

async function project(kit: Parameters<typeof planProject>[0]['kit'] = { spec: '0.1.0' }) {
  const plan = await planProject({ options, templatesDir: join(root, 'templates'), kit });
  const file = (path: string) => {
    const found = plan.files.find((f) => f.path === path);
    if (!found) throw new Error(`${path} is not in the plan`);
    return found.content.toString('utf8');
  };
  return { file, paths: plan.files.map((f) => f.path) };
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
const instructions = (dockerfile: string) =>
  dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

describe("the generated project's Dockerfile stays consistent with its scripts", () => {
  it('builds with the build script into the compiler outDir and starts with the start command', async () => {
    const { file } = await project();
    const pkg = JSON.parse(file('package.json')) as { scripts: Record<string, string> };
    const tsconfig = JSON.parse(file('tsconfig.json')) as { compilerOptions: { outDir: string } };
    const lines = instructions(file('Dockerfile'));
    expect(lines).toContain('RUN npm run build');
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.json$/);
    expect(lines).toContain('COPY tsconfig.json ./');
    const outDir = tsconfig.compilerOptions.outDir;
    expect(lines).toContain(`COPY --from=build /app/${outDir} ./${outDir}`);
    // CMD runs exactly `npm start`, without npm in between (signals reach node directly).
    const cmd = lines.find((l) => l.startsWith('CMD '));
    expect(JSON.parse(cmd!.slice(4)).join(' ')).toBe(pkg.scripts.start);
    expect(pkg.scripts.start).toBe(`node ${outDir}/server.js`);
  });

  it('binds all interfaces on the port it exposes, through the variables the service reads', async () => {
    const { file } = await project();
    const lines = instructions(file('Dockerfile'));
    const env = lines.filter((l) => l.startsWith('ENV ')).join(' ');
    const port = /\bPORT=(\d+)/.exec(env)?.[1];
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(port).toBeDefined();
    expect(lines).toContain(`EXPOSE ${port}`);
    const config = file('src/config.ts');
    expect(config).toMatch(/value\('HOST'\)/);
    expect(config).toMatch(/integer\(env, 'PORT'/);
    // The corpus is ingested by the container itself, from the data/ it copies.
    expect(env).toMatch(/\bGENAI_INGEST_AT_START=on\b/);
    expect(config).toMatch(/value\('GENAI_INGEST_AT_START'\)/);
    expect(lines).toContain('COPY data/ ./data/');
  });

  it('runs as the node user, checks /healthz, and uses the Node major of the engines field in every stage', async () => {
    const { file } = await project();
    const lines = instructions(file('Dockerfile'));
    expect(lines).toContain('USER node');
    expect(lines.indexOf('USER node')).toBeLessThan(lines.findIndex((l) => l.startsWith('CMD ')));
    expect(lines.find((l) => l.startsWith('HEALTHCHECK '))).toMatch(/\/healthz/);
    const major = /(\d+)/.exec(serviceNodeEngine)?.[1];
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms).toHaveLength(3);
    for (const from of froms) expect(from).toMatch(new RegExp(`^FROM node:${major}-slim\\b`));
  });

  it('installs only production dependencies in the runtime image: no kit, Pulumi or oclif', async () => {
    const { file } = await project();
    const lines = instructions(file('Dockerfile'));
    expect(lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(lines).toContain('COPY --from=deps /app/node_modules ./node_modules');
    const runtime = Object.keys(JSON.parse(file('package.json')).dependencies as Record<string, string>);
    expect(runtime).toEqual(Object.keys(serviceDependencies));
    expect(runtime.filter((d) => /^@pulumi\/|^@oclif\/|^genai-kit$|^typescript$|^vitest$/.test(d))).toEqual([]);
  });

  it('copies vendor/ only when the kit is packed there', async () => {
    const registry = await project();
    expect(registry.file('Dockerfile')).not.toMatch(/vendor/);
    const vendored = await project({
      spec: 'file:vendor/genai-kit-0.1.0.tgz',
      vendored: { path: 'vendor/genai-kit-0.1.0.tgz', content: Buffer.from('') },
    });
    expect(instructions(vendored.file('Dockerfile')).filter((l) => l === 'COPY vendor/ ./vendor/')).toHaveLength(2);
  });

  it('keeps node_modules, genai data, eval results and .env out of the build context', async () => {
    const { file } = await project();
    const ignored = file('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules/', '.genai/', 'reports/', 'evals/results/', '.env', 'dist/'])
      expect(ignored).toContain(entry);
    // The Dockerfile's own inputs are not ignored.
    for (const input of ['src/', 'data/', 'package.json', 'tsconfig.json']) expect(ignored).not.toContain(input);
  });

  it('suggests Bedrock settings in .env.example for a bedrock project', async () => {
    const plan = await planProject({
      options: { ...options, provider: 'bedrock', target: 'aws', region: 'eu-central-1' },
      templatesDir: join(root, 'templates'),
      kit: { spec: '0.1.0' },
    });
    const example = plan.files.find((f) => f.path === '.env.example')!.content.toString('utf8');
    expect(example).toMatch(/^GENAI_MODEL_PROVIDER=bedrock$/m);
    expect(example).toMatch(/^AWS_REGION=eu-central-1$/m);
    expect(example).toMatch(/^GENAI_CHAT_MODEL=meta\.llama3-1-70b-instruct-v1:0$/m);
  });
});
