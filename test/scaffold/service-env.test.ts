import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceEnvVars } from '../../src/scaffold/service-spec.js';

const src = join(import.meta.dirname, '..', '..', 'templates', 'service', 'base', 'src');

/** Every variable name the generated service reads through its config helpers. */
async function variablesRead(): Promise<Set<string>> {
  const names = new Set<string>();
  const files = (await readdir(src, { recursive: true })).filter((f) => /\.ts(\.hbs)?$/.test(f));
  for (const file of files) {
    const text = await readFile(join(src, file), 'utf8');
    for (const match of text.matchAll(
      /\b(?:value|list|required)\('([A-Z][A-Z0-9_]*)'|integer\(env, '([A-Z][A-Z0-9_]*)'/g,
    ))
      names.add((match[1] ?? match[2])!);
  }
  return names;
}

describe("the generated service's environment variables", () => {
  it('.env.example documents every variable the service reads', async () => {
    const documented = new Set(serviceEnvVars.map((v) => v.name));
    const read = await variablesRead();
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents the API keys, CORS and the load limits', () => {
    const names = serviceEnvVars.map((v) => v.name);
    for (const name of ['GENAI_API_KEYS', 'GENAI_ADMIN_KEY', 'GENAI_AUTH', 'GENAI_CORS_ORIGINS', 'GENAI_MAX_QUEUE'])
      expect(names).toContain(name);
  });
});
