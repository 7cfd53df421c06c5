// Cold start of `genai --version` and `genai --help` against `node -e 0`, and wall time of
// `genai init --yes --no-install`. Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'run.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);

function time(args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: 'pipe', ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

function median(args, setup) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(time(...(setup ? setup(i) : [args])));
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

// A bare oclif 4 CLI (one command, no plugins) on the same @oclif/core, as the yardstick.
const bare = mkdtempSync(join(tmpdir(), 'genai-bench-bare-'));
mkdirSync(join(bare, 'bin'));
mkdirSync(join(bare, 'commands'));
symlinkSync(join(root, 'node_modules'), join(bare, 'node_modules'));
writeFileSync(
  join(bare, 'package.json'),
  JSON.stringify({ name: 'bare', version: '1.0.0', type: 'module', oclif: { bin: 'bare', commands: './commands' } }),
);
writeFileSync(
  join(bare, 'bin', 'run.js'),
  "import { execute } from '@oclif/core';\nawait execute({ dir: import.meta.url });\n",
);
writeFileSync(
  join(bare, 'commands', 'hello.js'),
  "import { Command } from '@oclif/core';\nexport default class Hello extends Command { async run() { this.log('hi'); } }\n",
);
const bareBin = join(bare, 'bin', 'run.js');

time(['-e', '0']);
time([bareBin, '--version']);
time([bin, '--version']);
const node = median(['-e', '0']);
const bareVersion = median([bareBin, '--version']);
const version = median([bin, '--version']);
const help = median([bin, '--help']);
const scratch = mkdtempSync(join(tmpdir(), 'genai-bench-'));
const init = median(null, (i) => [[bin, 'init', join(scratch, `p${i}`), '--yes', '--no-install']]);
rmSync(scratch, { recursive: true, force: true });
rmSync(bare, { recursive: true, force: true });

const row = (label, ms) =>
  console.log(
    `${label.padEnd(34)}${ms.toFixed(0).padStart(6)} ms${label.startsWith('node') ? '' : `   (${(ms / node).toFixed(2)}× node -e 0)`}`,
  );
console.log(`median of ${runs} runs, Node ${process.version}`);
row('node -e 0', node);
row('bare oclif 4 CLI --version', bareVersion);
row('genai --version', version);
row('genai --help', help);
row('genai init --yes --no-install', init);
console.log(`genai --version / bare oclif --version: ${(version / bareVersion).toFixed(2)}× (target ≤ 1.3×)`);
