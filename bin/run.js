#!/usr/bin/env node
import { existsSync } from 'node:fs';
import module from 'node:module';

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  console.error('error: genai is not built in this checkout — fix: run npm run build');
  process.exit(3);
}
// Node 22.1+ keeps compiled code between runs; on Node 20 this is absent and start-up is as before.
module.enableCompileCache?.();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
