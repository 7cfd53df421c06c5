// `genai promote dev staging` on the sample project (offline provider, three local environments): wall
// time, split into eval, gate, deploy and smoke from the steps the command reports; and `genai status`.
// Targets: the promotion under 15 s in all, most of it the eval; status within 0.3 s. No assertions.
// Run after `npm run build`: node bench/promote.js [rounds]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'run.js');
const rounds = Number(process.argv[2] ?? 3);
const work = mkdtempSync(join(tmpdir(), 'genai-bench-promote-'));
const project = join(work, 'bench');
const genai = (args, cwd = project) =>
  execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  genai(['init', 'bench', '--yes', '--environments', 'dev,staging,prod'], work);
  for (const env of ['dev', 'staging', 'prod']) genai(['up', env]);
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    // A new release in dev each round, so the promotion has something to deploy.
    const file = join(project, 'src', 'pipeline', 'generate.ts');
    writeFileSync(file, `// round ${round}\n${readFileSync(file, 'utf8')}`);
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: project });
    genai(['up', 'dev']);
    const start = performance.now();
    const result = JSON.parse(genai(['promote', 'dev', 'staging', '--json', '--max-eval-age', '0']));
    const wall = performance.now() - start;
    const ms = (name) => result.steps.filter((s) => s.name === name).reduce((sum, s) => sum + s.ms, 0);
    const named = ['eval', 'gate', 'deploy', 'smoke'].reduce((sum, n) => sum + ms(n), 0);
    rows.push({
      wall,
      eval: ms('eval'),
      gate: ms('gate'),
      deploy: ms('deploy'),
      smoke: ms('smoke'),
      other: wall - named,
    });
  }
  const statusTimes = [];
  for (let i = 0; i < 15; i++) {
    const start = performance.now();
    genai(['status']);
    statusTimes.push(performance.now() - start);
  }
  const s = (v) => `${(v / 1000).toFixed(2)} s`.padStart(8);
  console.log(`genai promote dev staging, sample project, offline provider, Node ${process.version}, ${rounds} rounds`);
  console.log('round      wall      eval      gate    deploy     smoke  other (start-up, cost, constraints, ledger)');
  rows.forEach((r, i) =>
    console.log(
      `${String(i + 1).padEnd(6)}${s(r.wall)}  ${s(r.eval)}  ${s(r.gate)}  ${s(r.deploy)}  ${s(r.smoke)}  ${s(r.other)}`,
    ),
  );
  console.log(
    `genai status (3 environments): median ${median(statusTimes).toFixed(0)} ms, max ${Math.max(...statusTimes).toFixed(0)} ms`,
  );
} finally {
  for (const env of ['dev', 'staging', 'prod']) {
    try {
      genai(['destroy', env]);
    } catch {
      // already gone
    }
  }
  rmSync(work, { recursive: true, force: true });
}
