// Figures of the cloud driver (issue #10): start-up of commands that never touch the cloud, the time a
// cloud command takes to report a missing Pulumi CLI (target ≤ 300 ms), and the kit's installed size with
// the Pulumi providers. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, lstatSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'run.js');
const runs = Number(process.env.BENCH_RUNS ?? 11);

const project = mkdtempSync(join(tmpdir(), 'genai-bench-cloud-'));
writeFileSync(
  join(project, 'genai.yaml'),
  `name: notes-helper
constraints: { regions: [eu-west-1], dataClass: phi }
model: { provider: bedrock, id: meta.llama3-1-70b-instruct-v1:0 }
embeddings: { provider: bedrock, id: amazon.titan-embed-text-v2:0, dimensions: 1024 }
environments:
  dev: { target: aws, region: eu-west-1 }
  prod: { target: aws, region: eu-west-1 }
`,
);

function time(args, env = {}, expectStatus = 0) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: project,
    stdio: 'pipe',
    env: { ...process.env, ...env },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== expectStatus) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { ms, stderr: String(result.stderr) };
}

function median(...args) {
  time(...args);
  const samples = Array.from({ length: runs }, () => time(...args).ms).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const fmt = (ms) => `${ms.toFixed(0).padStart(5)} ms`;
console.log(`node ${process.version}, median of ${runs} runs\n`);
console.log(`genai --version                         ${fmt(median(['--version']))}`);
console.log(`genai check (aws project)               ${fmt(median(['check']))}`);
const noPulumi = { PATH: dirname(process.execPath) };
const miss = time(['preview', 'prod'], noPulumi, 3);
console.log(
  `genai preview prod, no pulumi on PATH   ${fmt(median(['preview', 'prod'], noPulumi, 3))}  (target ≤ 300 ms; exit 3)`,
);
console.log(`  ${miss.stderr.trim()}`);

// Installed size of a production install: the packages package-lock.json does not mark dev.
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
function du(path) {
  let bytes = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += lstatSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}
const production = Object.entries(lock.packages)
  .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev)
  .map(([path]) => path)
  .filter((path, _, all) => !all.some((outer) => outer !== path && path.startsWith(`${outer}/`)));
const sizes = production.map((path) => {
  try {
    return [path, du(join(root, path))];
  } catch {
    return [path, 0];
  }
});
const total = sizes.reduce((sum, [, bytes]) => sum + bytes, 0);
const share = (prefix) =>
  sizes.filter(([path]) => path.startsWith(`node_modules/${prefix}`)).reduce((s, [, b]) => s + b, 0);
const mb = (bytes) => `${(bytes / 1e6).toFixed(1).padStart(6)} MB`;
console.log(`\ninstalled size, production dependencies (${production.length} packages)  ${mb(total)}`);
for (const prefix of [
  '@pulumi/aws',
  '@pulumi/kubernetes',
  '@pulumi/pulumi',
  '@pulumi/policy',
  '@aws-sdk/',
  '@grpc/',
  'typescript',
]) {
  const bytes = share(prefix);
  if (bytes) console.log(`  ${prefix.padEnd(20)}${mb(bytes)}`);
}
console.log(
  `  kit itself (dist, templates, schema)  ${mb(['dist', 'templates', 'schema'].reduce((s, d) => s + du(join(root, d)), 0))}`,
);
console.log(
  '\nStart-up before the Pulumi packages were installed (commit 127aace) is not measured here: that needs a second install of the older lockfile. bench/cli-start.js on both commits compares them.',
);
