import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkManifest,
  formatFinding,
  validateManifest,
  type Finding,
  type LoadedManifest,
} from '../../src/manifest/index.js';

const designExample = await readFile(join(import.meta.dirname, '..', 'fixtures', 'design-example.yaml'), 'utf8');
const minimal = await readFile(join(import.meta.dirname, 'fixtures', 'minimal-local.yaml'), 'utf8');

function edit(text: string, from: string, to: string): string {
  expect(text, `the fixture contains ${JSON.stringify(from)}`).toContain(from);
  return text.replace(from, to);
}

function check(text: string): Finding[] {
  const { manifest, problems, assumed, document, lineCounter } = validateManifest(text);
  expect(problems).toEqual([]);
  const loaded: LoadedManifest = {
    manifest: manifest!,
    path: 'genai.yaml',
    file: 'genai.yaml',
    document,
    lineCounter,
    assumed,
  };
  return checkManifest(loaded);
}

const codes = (findings: Finding[]) => findings.map((f) => `${f.level} ${f.code}`);

describe('genai check on the reference manifest of docs/architecture.md §3', () => {
  it('has no error; the catalog warns that Llama 3.1 70B is not offered in eu-west-1, naming what is', () => {
    const findings = check(designExample);
    expect(codes(findings)).toEqual(['warning E_CHECK_ID_REGION']);
    expect(findings[0]).toMatchObject({ location: 'genai.yaml:9:38', field: 'model.id' });
    expect(findings[0]!.message).toMatch(
      /^meta\.llama3-1-70b-instruct-v1:0 is not offered on Bedrock in eu-west-1 \(environments dev, staging, prod\)/,
    );
    expect(findings[0]!.message).toMatch(/nearest offered there: mistral\.mistral-large-2402-v1:0/);
  });

  it('an aws environment outside constraints.regions is an error located at its region', () => {
    const findings = check(
      edit(designExample, 'prod:    { target: aws, region: eu-west-1', 'prod:    { target: aws, region: us-east-1'),
    );
    const error = findings.find((f) => f.level === 'error');
    expect(error).toEqual({
      level: 'error',
      code: 'E_CHECK_REGION',
      location: 'genai.yaml:23:35',
      field: 'environments.prod.region',
      message: 'environment prod is in us-east-1, outside constraints.regions (eu-west-1, eu-central-1)',
      fix: 'use one of eu-west-1, eu-central-1, or add us-east-1 to constraints.regions if the data may live there',
    });
    expect(formatFinding(error!)).toBe(
      'error genai.yaml:23:35 environments.prod.region: environment prod is in us-east-1, outside constraints.regions (eu-west-1, eu-central-1) — fix: use one of eu-west-1, eu-central-1, or add us-east-1 to constraints.regions if the data may live there',
    );
  });

  it('a model offered in the region, or an inference profile of its geography, draws no warning', () => {
    expect(
      check(edit(designExample, 'id: meta.llama3-1-70b-instruct-v1:0', 'id: mistral.mistral-large-2402-v1:0')),
    ).toEqual([]);
    expect(
      check(
        edit(designExample, 'id: meta.llama3-1-70b-instruct-v1:0', 'id: eu.anthropic.claude-3-5-sonnet-20240620-v1:0'),
      ),
    ).toEqual([]);
    expect(
      codes(
        check(
          edit(
            designExample,
            'id: meta.llama3-1-70b-instruct-v1:0',
            'id: us.anthropic.claude-3-5-sonnet-20240620-v1:0',
          ),
        ),
      ),
    ).toEqual(['warning E_CHECK_ID_REGION']);
  });

  it('an unknown Bedrock id is a warning naming the nearest known ids, not a crash', () => {
    const findings = check(
      edit(designExample, 'id: meta.llama3-1-70b-instruct-v1:0', 'id: meta.llama3-1-70b-instruct'),
    );
    expect(codes(findings)).toEqual(['warning E_CHECK_UNKNOWN_ID']);
    expect(findings[0]!.message).toMatch(/nearest known: meta\.llama3-1-70b-instruct-v1:0, /);
  });

  it('an embedding dimension the model cannot produce is a warning at dimensions', () => {
    const findings = check(edit(designExample, 'dimensions: 1024', 'dimensions: 1536'));
    expect(findings).toMatchObject([
      { level: 'warning', code: 'E_CHECK_ID_REGION' },
      {
        level: 'warning',
        code: 'E_CHECK_DIMENSIONS',
        location: 'genai.yaml:10:80',
        message: 'amazon.titan-embed-text-v2:0 returns vectors of 256 or 512 or 1024 dimensions, not 1536',
      },
    ]);
  });
});

describe('genai check on local manifests', () => {
  it('a minimal local manifest with the offline provider has no finding', () => {
    expect(check(minimal)).toEqual([]);
  });

  it('a manifest of only a name and one environment warns once per defaulted constraint, with its default', () => {
    const findings = check('name: xy\nenvironments: { local: { target: local } }\n');
    expect(findings.map(formatFinding)).toEqual([
      'warning genai.yaml:1:1 constraints.budgetUsdPerMonth: not set; genai assumes the default 1000 — fix: set budgetUsdPerMonth under constraints in genai.yaml, e.g. budgetUsdPerMonth: 1000',
      'warning genai.yaml:1:1 constraints.dailyActiveUsers: not set; genai assumes the default 1000 — fix: set dailyActiveUsers under constraints in genai.yaml, e.g. dailyActiveUsers: 1000',
      'warning genai.yaml:1:1 constraints.requestsPerUserPerDay: not set; genai assumes the default 5 — fix: set requestsPerUserPerDay under constraints in genai.yaml, e.g. requestsPerUserPerDay: 5',
      'warning genai.yaml:1:1 constraints.regions: not set; genai assumes the default [us-east-1] — fix: set regions under constraints in genai.yaml, e.g. regions: [us-east-1]',
      'warning genai.yaml:1:1 constraints.latencyP95Ms: not set; genai assumes the default 3000 — fix: set latencyP95Ms under constraints in genai.yaml, e.g. latencyP95Ms: 3000',
      'warning genai.yaml:1:1 constraints.dataClass: not set; genai assumes the default internal — fix: set dataClass under constraints in genai.yaml, e.g. dataClass: internal',
    ]);
  });

  it('a constraint left out of a constraints mapping is a warning located at that mapping', () => {
    const findings = check(edit(minimal, '  dataClass: internal\n', ''));
    expect(findings.map((f) => `${f.level} ${f.code} ${f.location} ${f.field}`)).toEqual([
      'warning E_CHECK_DEFAULTED genai.yaml:3:3 constraints.dataClass',
    ]);
  });

  it('the offline provider configured for a cloud environment is a warning', () => {
    const findings = check(`${minimal}  prod: { target: aws, region: eu-west-1 }\n`);
    expect(codes(findings)).toEqual(['warning E_CHECK_OFFLINE_IN_CLOUD', 'warning E_CHECK_OFFLINE_IN_CLOUD']);
    expect(findings.map((f) => `${f.location} ${f.field}`)).toEqual([
      'genai.yaml:9:20 model.provider',
      'genai.yaml:10:25 embeddings.provider',
    ]);
    expect(findings[0]!.message).toBe(
      'model.provider is offline, so cloud environment prod would serve extractive answers instead of a model',
    );
  });

  it('an unknown offline id is a warning naming the offline ids', () => {
    const findings = check(edit(minimal, 'id: offline-hash-384', 'id: offline-hash'));
    expect(findings).toMatchObject([{ code: 'E_CHECK_UNKNOWN_ID', field: 'embeddings.id' }]);
    expect(findings[0]!.message).toMatch(/nearest known: offline-hash-384$/);
  });

  it('phi data sent to a remote OpenAI-compatible server is a warning; localhost is fine', () => {
    const phi = edit(minimal, 'dataClass: internal', 'dataClass: phi');
    const remote = edit(
      phi,
      '{ provider: offline, id: offline-extractive }',
      '{ provider: openai-compatible, id: gpt-4o-mini, baseUrl: "https://api.example.com/v1" }',
    );
    expect(check(remote)).toMatchObject([
      {
        level: 'warning',
        code: 'E_CHECK_DATA_EGRESS',
        location: 'genai.yaml:9:65',
        field: 'model.baseUrl',
        message: 'dataClass is phi but model.baseUrl sends prompts to api.example.com, which is not this machine',
      },
    ]);
    for (const local of ['http://localhost:11434/v1', 'http://127.0.0.1:8000/v1', 'http://[::1]:8000/v1']) {
      expect(
        check(
          edit(
            phi,
            '{ provider: offline, id: offline-extractive }',
            `{ provider: openai-compatible, id: llama3.1, baseUrl: "${local}" }`,
          ),
        ),
      ).toEqual([]);
    }
    expect(check(edit(remote, 'dataClass: phi', 'dataClass: internal'))).toEqual([]);
  });

  it('environment budgets adding up to more than the service budget is a warning', () => {
    const findings = check(
      `${edit(minimal, '{ target: local }', '{ target: local, budgetUsdPerMonth: 40 }')}  staging: { target: local, budgetUsdPerMonth: 20 }\n`,
    );
    expect(findings).toMatchObject([
      { level: 'warning', code: 'E_CHECK_BUDGET', location: 'genai.yaml:3:22', field: 'constraints.budgetUsdPerMonth' },
    ]);
  });
});
