import { describe, expect, it } from 'vitest';
import { manifestJsonSchema } from '../../src/manifest/index.js';
import { initCiChoices, initModelProviders, initVectorStores } from '../../src/scaffold/options.js';
import {
  ciProviders,
  dataClasses,
  embeddingProviders,
  modelProviders,
  targets,
  throughputs,
  vectorStores,
} from '../../src/vocabulary.js';

type Node = { properties?: Record<string, Node>; enum?: string[]; const?: string; oneOf?: Node[]; anyOf?: Node[] };
const schema = manifestJsonSchema() as Node & { properties: Record<string, Node> };
const enumOf = (node: Node | undefined): string[] | undefined => node?.enum;

describe('one vocabulary for every layer', () => {
  it('the manifest schema offers exactly the vocabulary lists', () => {
    const p = schema.properties;
    expect(enumOf(p.model?.properties?.provider)).toEqual([...modelProviders]);
    expect(enumOf(p.model?.properties?.throughput)).toEqual([...throughputs]);
    expect(enumOf(p.embeddings?.properties?.provider)).toEqual([...embeddingProviders]);
    expect(enumOf(p.vectorStore?.properties?.kind)).toEqual([...vectorStores]);
    expect(enumOf(p.constraints?.properties?.dataClass)).toEqual([...dataClasses]);
  });

  it('every target of the vocabulary is an environment kind of the manifest, and no other', () => {
    const environment = (schema.properties.environments as { additionalProperties: Node }).additionalProperties;
    const variants = environment.oneOf ?? environment.anyOf ?? [];
    const kinds = variants.map((v) => v.properties?.target?.const);
    expect(kinds.sort()).toEqual([...targets].sort());
  });

  it("init's choices are named subsets of the vocabulary", () => {
    for (const provider of initModelProviders) expect(modelProviders).toContain(provider);
    for (const store of initVectorStores) expect(vectorStores).toContain(store);
    expect(initCiChoices.filter((c) => c !== 'none')).toEqual([...ciProviders]);
  });
});
