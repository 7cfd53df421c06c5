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

describe('the price table init renders into src/prices.json', () => {
  it('takes the project model prices from the cost catalog, so spans and genai cost agree', async () => {
    const { servicePrices } = await import('../../src/scaffold/service-spec.js');
    const { DEFAULT_CATALOG, lookupPrice } = await import('../../src/cost/catalog.js');
    const rendered = servicePrices({
      provider: 'bedrock',
      chatModel: 'meta.llama3-1-70b-instruct-v1:0',
      embeddingModel: 'amazon.titan-embed-text-v2:0',
      region: 'eu-west-1',
    });
    const chat = rendered.models['meta.llama3-1-70b-instruct-v1:0'];
    const catalogInput = lookupPrice(DEFAULT_CATALOG, 'bedrock:meta.llama3-1-70b-instruct-v1:0:input', 'eu-west-1');
    const catalogOutput = lookupPrice(DEFAULT_CATALOG, 'bedrock:meta.llama3-1-70b-instruct-v1:0:output', 'eu-west-1');
    expect(chat?.input).toBe(catalogInput?.price.usd);
    expect(chat?.output).toBe(catalogOutput?.price.usd);
    expect(chat?.source).toMatch(/^https:\/\//);
  });

  it('prices nothing for the offline provider, which costs nothing', async () => {
    const { servicePrices } = await import('../../src/scaffold/service-spec.js');
    const rendered = servicePrices({
      provider: 'offline',
      chatModel: 'offline-extractive',
      embeddingModel: 'offline-hash-384',
      region: 'eu-west-1',
    });
    expect(rendered.models).toEqual({});
  });
});
