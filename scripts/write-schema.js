// Writes schema/genai.schema.json from the manifest schema in dist/ (run `npx tsc -p tsconfig.build.json` first).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { manifestJsonSchema } = await import('../dist/manifest/index.js').catch((error) => {
  console.error(`cannot load dist/manifest/index.js (${error.message}); build first: npx tsc -p tsconfig.build.json`);
  process.exit(1);
});
const target = join(root, 'schema', 'genai.schema.json');
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, JSON.stringify(manifestJsonSchema(), null, 2) + '\n');
console.log('schema/genai.schema.json written');
