// Copies what the stacks need beside their compiled JavaScript: the policy pack's PulumiPolicy.yaml, and a
// package.json that names its entry and version (the Pulumi CLI runs the pack's folder; PolicyPack reads the
// version from package.json in that folder). Run after `tsc -p stacks/tsconfig.json`.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kit = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pack = join(root, 'dist', 'stacks', 'policies');

mkdirSync(pack, { recursive: true });
copyFileSync(join(root, 'stacks', 'policies', 'PulumiPolicy.yaml'), join(pack, 'PulumiPolicy.yaml'));
const manifest = {
  name: `${kit.name}-policies`,
  version: kit.version,
  private: true,
  type: 'module',
  main: 'index.js',
};
writeFileSync(join(pack, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`dist/stacks/policies: PulumiPolicy.yaml, package.json (${manifest.name}@${manifest.version})`);
