// `genai cost` for the reference manifest (docs/architecture.md §3) (four environments: local, dev, staging, prod).
// Prints wall times of the built CLI (median of runs, against `genai --version` as the start-up floor)
// and of the estimate alone, in process. Target: the command prints within 0.3 s. No assertions.
// Run after `npx tsc -p tsconfig.build.json`: node bench/cost.js [runs]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'test', 'fixtures', 'cost', 'design-example');
// A scratch copy, so the validated-manifest cache (.genai/cache) is written there, not in the repo.
const project = mkdtempSync(join(tmpdir(), 'genai-bench-cost-'));
copyFileSync(join(fixture, 'genai.yaml'), join(project, 'genai.yaml'));
const dropCache = () => rmSync(join(project, '.genai'), { recursive: true, force: true });
const runs = Number(process.argv[2] ?? 15);
const bin = join(root, 'bin', 'run.js');

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

function timeCli(args, before = () => {}) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    before();
    const start = performance.now();
    execFileSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    times.push(performance.now() - start);
  }
  return { median: median(times), max: Math.max(...times) };
}

const version = timeCli(['--version']);
const cold = timeCli(['cost', '--cwd', project], dropCache);
const table = timeCli(['cost', '--cwd', project]);
const markdown = timeCli(['cost', '--cwd', project, '--format', 'markdown']);

const { validateManifest } = await import(join(root, 'dist', 'manifest', 'index.js'));
const { buildReport, renderText } = await import(join(root, 'dist', 'cost', 'index.js'));
const { manifest } = validateManifest(readFileSync(join(project, 'genai.yaml'), 'utf8'));
const inProcess = [];
for (let i = 0; i < 200; i++) {
  const start = performance.now();
  renderText(buildReport(manifest));
  inProcess.push(performance.now() - start);
}

const ms = (value) => `${value.toFixed(1)} ms`;
console.log(
  `genai cost, reference manifest (docs/architecture.md §3), ${Object.keys(manifest.environments).length} environments, Node ${process.version}, ${runs} runs each`,
);
console.log(`  genai --version (start-up floor)   median ${ms(version.median)}  max ${ms(version.max)}`);
console.log(
  `  genai cost, genai.yaml just edited  median ${ms(cold.median)}  max ${ms(cold.max)}  (validates: loads zod and yaml)`,
);
console.log(
  `  genai cost (table)                 median ${ms(table.median)}  max ${ms(table.max)}  (unchanged genai.yaml: validated-manifest cache)`,
);
console.log(`  genai cost --format markdown       median ${ms(markdown.median)}  max ${ms(markdown.max)}`);
console.log(`  estimate + render in process       median ${ms(median(inProcess))} (200 runs)`);
console.log(
  `  target 300 ms: ${table.median <= 300 ? 'met' : 'missed'} (median of the table run); first run after an edit: ${cold.median <= 300 ? 'met' : 'missed'}`,
);
rmSync(project, { recursive: true, force: true });
