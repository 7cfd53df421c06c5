import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { manifestJsonSchema } from '../../src/manifest/index.js';

const root = join(import.meta.dirname, '..', '..');
const designExample = parse(await readFile(join(root, 'test', 'fixtures', 'design-example.yaml'), 'utf8')) as Record<
  string,
  unknown
>;

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  description?: string;
};

/** Paths of the fields (object properties) that carry no description. */
function undescribed(schema: JsonSchema, path: string): string[] {
  const own = Object.entries(schema.properties ?? {}).flatMap(([key, child]) => [
    ...(child.description ? [] : [`${path}.${key}`]),
    ...undescribed(child, `${path}.${key}`),
  ]);
  const nested = [
    ...(typeof schema.additionalProperties === 'object' ? [undescribed(schema.additionalProperties, `${path}.*`)] : []),
    ...(schema.items ? [undescribed(schema.items, `${path}[]`)] : []),
    ...[...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].map((option) => undescribed(option, path)),
  ];
  return [...own, ...nested.flat()];
}

describe('the JSON Schema of genai.yaml', () => {
  const schema = manifestJsonSchema();

  it('is draft 2020-12 with an $id and a title', () => {
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: expect.stringMatching(/genai\.schema\.json$/),
      title: 'genai.yaml',
    });
  });

  it('the committed schema/genai.schema.json is what the schema generates now (else: run npm run schema)', async () => {
    const committed = await readFile(join(root, 'schema', 'genai.schema.json'), 'utf8');
    expect(committed, 'schema/genai.schema.json is stale: run npx tsc -p tsconfig.build.json && npm run schema').toBe(
      `${JSON.stringify(schema, null, 2)}\n`,
    );
  });

  it('describes every field of the sections the manifest module owns', () => {
    const properties = (schema as JsonSchema).properties!;
    expect(Object.values(properties).every((section) => section.description)).toBe(true);
    const owned = Object.entries(properties).filter(([key]) => key !== 'evals' && key !== 'cost');
    expect(owned.flatMap(([key, section]) => undescribed(section, key))).toEqual([]);
  });

  it('lets an editor accept the reference manifest and reject a typo or a bad value', () => {
    const ajv = new Ajv2020({ allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    expect(validate(designExample), JSON.stringify(validate.errors)).toBe(true);
    const constraints = designExample.constraints as Record<string, unknown>;
    expect(validate({ ...designExample, constraints: { ...constraints, budgetUSDPerMonth: 1 } })).toBe(false);
    expect(validate({ ...designExample, constraints: { ...constraints, dataClass: 'secret' } })).toBe(false);
    expect(validate({ ...designExample, environments: { Prod: { target: 'local' } } })).toBe(false);
    expect(validate({ ...designExample, environments: { prod: { target: 'aws' } } })).toBe(false);
    expect(validate({ ...designExample, environments: {} })).toBe(false);
  });

  it('accepts a manifest of only a name and one environment, and shows the defaults it gets', () => {
    const validate = new Ajv2020({ allErrors: true, validateFormats: false }).compile(schema);
    expect(validate({ name: 'xy', environments: { local: { target: 'local' } } })).toBe(true);
    expect(validate({ name: 'x', environments: { local: { target: 'local' } } })).toBe(false);
    const properties = (
      schema as { properties: Record<string, { default?: unknown; properties?: JsonSchema } & JsonSchema> }
    ).properties;
    expect(properties.name?.description).toContain('2 to 63 lower-case ASCII letters');
    expect(properties.model?.default).toEqual({ provider: 'offline', id: 'offline-extractive' });
    expect(properties.evals?.default).toEqual({ dataset: 'evals/dataset.jsonl' });
    const constraints = properties.constraints?.properties as Record<string, { default?: unknown }>;
    expect(constraints.budgetUsdPerMonth?.default).toBe(1000);
    expect(constraints.regions?.default).toEqual(['us-east-1']);
    expect(constraints.dataClass?.default).toBe('internal');
  });

  it('rejects a score threshold outside 0..1 but a latency threshold in milliseconds', () => {
    const validate = new Ajv2020({ allErrors: true, validateFormats: false }).compile(schema);
    const evals = designExample.evals as Record<string, unknown>;
    const withThresholds = (thresholds: Record<string, number>) => ({
      ...designExample,
      evals: { ...evals, thresholds },
    });
    expect(validate(withThresholds({ groundedness: 1.7 }))).toBe(false);
    expect(validate(withThresholds({ latencyP95Ms: -1 }))).toBe(false);
    expect(validate(withThresholds({ groundedness: 0.85, latencyP95Ms: 3000, tokens: 2000 }))).toBe(true);
  });
});
