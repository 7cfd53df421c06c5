// Wall time of `genai release create` on a generated project: the first release (which copies the
// run-time dependencies into .genai/deps), the same content again, and a changed build that shares the
// dependency set. Prints figures; asserts nothing. Run after compiling: node bench/release.js [PROJECT]
// Without PROJECT it makes one with `genai init --yes` (which runs npm install). It removes PROJECT's
// .genai/releases and .genai/deps first.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'run.js');

function genai(args, cwd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: 'pipe', encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`genai ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { ms, stdout: result.stdout };
}

let project = process.argv[2];
if (!project) {
  const work = mkdtempSync(join(tmpdir(), 'genai-bench-release-'));
  genai(['init', 'demo', '--yes'], work);
  project = join(work, 'demo');
  genai(['release', 'create'], project); // builds the service, so the timed runs below do not
}
rmSync(join(project, '.genai', 'releases'), { recursive: true, force: true });
rmSync(join(project, '.genai', 'deps'), { recursive: true, force: true });

const create = () => {
  const { ms, stdout } = genai(['release', 'create', '--json'], project);
  return { ms, result: JSON.parse(stdout) };
};
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

const first = create();
const { dependencies, bundle } = first.result;
console.log(
  `first release:   ${first.ms.toFixed(0)} ms wall; bundle ${bundle.files} files (${mb(bundle.bytes)}); ` +
    `dependencies ${dependencies.packages} packages, ${dependencies.files} files (${mb(dependencies.bytes)}) copied in ${dependencies.copyMs} ms`,
);
const same = create();
console.log(`same content:    ${same.ms.toFixed(0)} ms wall (created: ${same.result.created})`);
const server = join(project, 'dist', 'server.js');
const original = readFileSync(server);
appendFileSync(server, '\n// bench\n');
const changed = create();
writeFileSync(server, original);
console.log(
  `changed dist/:   ${changed.ms.toFixed(0)} ms wall (created: ${changed.result.created}, dependencies reused: ${changed.result.dependencies.reused})`,
);
