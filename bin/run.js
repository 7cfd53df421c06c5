#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { execute } from '@oclif/core';

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  console.error('error: genai is not built in this checkout — fix: run npm run build');
  process.exit(3);
}
await execute({ dir: import.meta.url });
