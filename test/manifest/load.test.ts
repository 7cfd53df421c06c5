import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { GenaiError } from '../../src/errors.js';
import { loadManifest, validateManifest, type ManifestProblem } from '../../src/manifest/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const designExample = await readFile(join(fixtures, 'design-example.yaml'), 'utf8');
// Lines 1-13 of this file are what the line:col assertions below count on.
const minimal = await readFile(join(import.meta.dirname, 'fixtures', 'minimal-local.yaml'), 'utf8');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genai-manifest-'));
});

function edit(text: string, from: string, to: string): string {
  expect(text, `the fixture contains ${JSON.stringify(from)}`).toContain(from);
  return text.replace(from, to);
}

function problems(text: string): ManifestProblem[] {
  const { manifest, problems } = validateManifest(text);
  expect(manifest).toBeUndefined();
  for (const problem of problems) {
    expect(problem.message).not.toContain('\n');
    expect(problem.fix).toBeTruthy();
  }
  return problems;
}

/** The one problem of a manifest with one mistake, as `location field: message`. */
function only(text: string): ManifestProblem {
  const found = problems(text);
  expect(found.map((p) => `${p.location} ${p.field}: ${p.message}`)).toHaveLength(1);
  return found[0]!;
}

describe('loading a good genai.yaml', () => {
  it('loads the reference manifest of docs/architecture.md §3 as written, with defaults filled in', async () => {
    await writeFile(join(dir, 'genai.yaml'), designExample);
    const { manifest, path } = await loadManifest(dir);
    expect(path).toBe(join(dir, 'genai.yaml'));
    expect(manifest.name).toBe('cycle-assistant');
    expect(manifest.constraints).toMatchObject({
      budgetUsdPerMonth: 15000,
      regions: ['eu-west-1', 'eu-central-1'],
      dataClass: 'phi',
      peakFactor: 3,
    });
    expect(manifest.model).toEqual({
      provider: 'bedrock',
      id: 'meta.llama3-1-70b-instruct-v1:0',
      throughput: 'on-demand',
      maxOutputTokens: 512,
    });
    expect(manifest.retrieval).toEqual({ topK: 5, chunkSize: 400, chunkOverlap: 50 });
    expect(manifest.evals.custom?.[0]?.name).toBe('no-diagnosis');
    expect(manifest.promotion).toEqual({ maxRegression: 0.02, approval: ['prod'] });
    expect(manifest.environments.prod).toEqual({
      target: 'aws',
      region: 'eu-west-1',
      scale: { min: 2, max: 20 },
      vpcCidr: '10.0.0.0/16',
    });
    expect(Object.keys(manifest.environments)).toEqual(['local', 'dev', 'staging', 'prod']);
  });

  it('loads a minimal local manifest: vectorStore, retrieval and promotion take their defaults', () => {
    const { manifest, problems } = validateManifest(minimal);
    expect(problems).toEqual([]);
    expect(manifest?.vectorStore).toEqual({ kind: 'pgvector' });
    expect(manifest?.retrieval).toEqual({ topK: 5, chunkSize: 400, chunkOverlap: 50 });
    expect(manifest?.promotion).toEqual({ maxRegression: 0.02 });
    expect(manifest?.environments).toEqual({ local: { target: 'local' } });
  });

  it.each([
    ['YAML', 'name: xy\nenvironments: { local: { target: local } }\n'],
    ['JSON', '{ "name": "xy", "environments": { "local": { "target": "local" } } }\n'],
  ])(
    'loads a manifest of only a name and one environment (%s): constraints, offline model and evals default',
    (_, text) => {
      const { manifest, problems, assumed } = validateManifest(text);
      expect(problems).toEqual([]);
      expect(manifest?.constraints).toEqual({
        budgetUsdPerMonth: 1000,
        dailyActiveUsers: 1000,
        requestsPerUserPerDay: 5,
        peakFactor: 3,
        regions: ['us-east-1'],
        latencyP95Ms: 3000,
        dataClass: 'internal',
      });
      expect(manifest?.model).toMatchObject({ provider: 'offline', id: 'offline-extractive' });
      expect(manifest?.embeddings).toEqual({ provider: 'offline', id: 'offline-hash-384', dimensions: 384 });
      expect(manifest?.evals).toEqual({ dataset: 'evals/dataset.jsonl' });
      expect(assumed).toEqual([
        'budgetUsdPerMonth',
        'dailyActiveUsers',
        'requestsPerUserPerDay',
        'regions',
        'latencyP95Ms',
        'dataClass',
      ]);
    },
  );

  it('names only the constraints a manifest leaves out as assumed', () => {
    expect(validateManifest(minimal).assumed).toEqual([]);
    expect(validateManifest(edit(minimal, '  latencyP95Ms: 2000\n', '')).assumed).toEqual(['latencyP95Ms']);
  });

  it('refuses a one-letter name with the rule the pattern enforces: 2 to 63 characters', () => {
    const problem = only('name: x\nenvironments: { local: { target: local } }\n');
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_NAME',
      location: 'genai.yaml:1:7',
      message: 'the name "x" is 1 character long; a name has 2 to 63 characters',
    });
  });

  it('reads another file name relative to the folder, and names it in locations', async () => {
    await writeFile(join(dir, 'service.yaml'), edit(minimal, 'dataClass: internal', 'dataClass: secret'));
    const error = await loadManifest(dir, 'service.yaml').catch((e: unknown) => e);
    expect((error as GenaiError).location).toBe('service.yaml:8:14');
  });
});

describe('a missing genai.yaml', () => {
  it('is a usage error naming the folder, with the fix', async () => {
    const error = await loadManifest(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenaiError);
    expect(error).toMatchObject({
      code: 'E_MANIFEST_NOT_FOUND',
      exitCode: 2,
      message: `no genai.yaml in ${dir}`,
      fix: 'run genai init, or pass --cwd',
    });
  });
});

describe('a genai.yaml with one mistake is located at the node of the offending field', () => {
  it('YAML syntax error: one line, at the quote that is never closed', () => {
    const problem = only(edit(minimal, 'dataClass: internal', 'dataClass: "internal'));
    expect(problem).toMatchObject({ code: 'E_MANIFEST_YAML', location: 'genai.yaml:8:14' });
    expect(problem.message).toMatch(/^YAML syntax error: Missing closing "quote$/);
  });

  it('YAML syntax error: a tab used for indentation', () => {
    const problem = only(edit(minimal, '  dataClass: internal', '\tdataClass: internal'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_YAML',
      location: 'genai.yaml:8:1',
      fix: 'indent with spaces, not tabs',
    });
  });

  it('duplicate key: at the second one, naming the line of the first', () => {
    const problem = only(edit(minimal, '  dataClass: internal\n', '  dataClass: internal\n  dataClass: pii\n'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_DUPLICATE_KEY',
      location: 'genai.yaml:9:3',
      field: 'constraints.dataClass',
      message: 'duplicate key dataClass (first at line 8)',
    });
  });

  it('wrong type: says what was expected and what was found', () => {
    const problem = only(edit(minimal, 'budgetUsdPerMonth: 50', 'budgetUsdPerMonth: lots'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_TYPE',
      location: 'genai.yaml:3:22',
      field: 'constraints.budgetUsdPerMonth',
      message: 'expected a number, found the string "lots"',
    });
    expect(problem.fix).toMatch(/^set budgetUsdPerMonth to a number — Monthly budget/);
  });

  it('missing required field: at the mapping that should hold it', () => {
    const problem = only(edit(minimal, '  dataClass: internal\n', '').replace('{ target: local }', '{ port: 8080 }'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_REQUIRED',
      location: 'genai.yaml:12:10',
      field: 'environments.local.target',
      message: 'missing required field target',
    });
    expect(problem.fix).toBe('add target: one of local, aws, kubernetes');
  });

  it('a score threshold above 1: at the threshold, naming the range', () => {
    const problem = only(
      edit(minimal, '{ dataset: evals/dataset.jsonl }', '{ dataset: d.jsonl, thresholds: { groundedness: 1.7 } }'),
    );
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_RANGE',
      location: 'genai.yaml:11:56',
      field: 'evals.thresholds.groundedness',
      message: 'groundedness is a score in the range 0..1, found 1.7',
    });
    expect(problem.fix).toMatch(/^set groundedness to a number from 0 to 1, e\.g\. 0\.85/);
  });

  it('a negative latency threshold: milliseconds are never negative; a latency in the thousands is fine', () => {
    const thresholds = '{ dataset: d.jsonl, thresholds: { latencyP95Ms: -5, tokens: 1800, costUsd: 0.02, safety: 1 } }';
    const problem = only(edit(minimal, '{ dataset: evals/dataset.jsonl }', thresholds));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_RANGE',
      field: 'evals.thresholds.latencyP95Ms',
      message: 'the latencyP95Ms threshold is in milliseconds (a latency), which is never negative, found -5',
    });
    const ok = validateManifest(
      edit(minimal, '{ dataset: evals/dataset.jsonl }', '{ dataset: d.jsonl, thresholds: { latencyP95Ms: 3000 } }'),
    );
    expect(ok.problems).toEqual([]);
  });

  it('missing required field in a flow mapping: at its brace', () => {
    const problem = only(edit(minimal, '{ provider: offline, id: offline-extractive }', '{ provider: offline }'));
    expect(problem).toMatchObject({
      location: 'genai.yaml:9:8',
      field: 'model.id',
      message: 'missing required field id',
    });
  });

  it('bad enum: lists the allowed values', () => {
    const problem = only(edit(minimal, 'dataClass: internal', 'dataClass: secret'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_ENUM',
      location: 'genai.yaml:8:14',
      field: 'constraints.dataClass',
      message: 'expected one of public, internal, pii, phi, found the string "secret"',
    });
  });

  it('bad enum close to an allowed value: suggests it', () => {
    const problem = only(edit(minimal, '{ target: local }', '{ target: locale }'));
    expect(problem).toMatchObject({
      location: 'genai.yaml:13:20',
      field: 'environments.local.target',
      fix: 'set target to local',
    });
    expect(problem.message).toMatch(/did you mean local\?$/);
  });

  it('unknown key: did you mean the allowed key (reported once, not also as missing)', () => {
    const problem = only(edit(minimal, 'budgetUsdPerMonth: 50', 'budgetUSDPerMonth: 50'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_UNKNOWN_KEY',
      location: 'genai.yaml:3:3',
      field: 'constraints.budgetUSDPerMonth',
      message: 'unknown key budgetUSDPerMonth; did you mean budgetUsdPerMonth?',
      fix: 'rename it to budgetUsdPerMonth',
    });
  });

  it('unknown key with nothing close: lists the allowed keys', () => {
    const problem = only(edit(minimal, '{ target: local }', '{ target: local, gpu: true }'));
    expect(problem).toMatchObject({
      location: 'genai.yaml:13:27',
      field: 'environments.local.gpu',
      fix: 'remove it; allowed here: target, port, budgetUsdPerMonth',
    });
  });

  it('a bad key in environments: at the key', () => {
    const problem = only(edit(minimal, '  local: { target: local }', '  Local: { target: local }'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_ENVIRONMENT_NAME',
      location: 'genai.yaml:13:3',
      field: 'environments.Local',
      fix: 'rename it, e.g. local',
    });
  });

  it('an unknown target: the allowed targets', () => {
    const problem = only(edit(minimal, '{ target: local }', '{ target: k8s }'));
    expect(problem).toMatchObject({
      location: 'genai.yaml:13:20',
      field: 'environments.local.target',
      message: 'expected one of local, aws, kubernetes, found the string "k8s"',
    });
  });

  it('an aws environment without a region', () => {
    const problem = only(`${minimal}  prod: { target: aws }\n`);
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_REQUIRED',
      location: 'genai.yaml:14:9',
      field: 'environments.prod.region',
    });
  });

  it('a region that is not an AWS region code', () => {
    const problem = only(`${minimal}  prod: { target: aws, region: Ireland }\n`);
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_REGION',
      location: 'genai.yaml:14:32',
      field: 'environments.prod.region',
      message: 'expected an AWS region code like eu-west-1, found the string "Ireland"',
    });
  });

  it('a number out of range', () => {
    const problem = only(edit(minimal, '{ target: local }', '{ target: local, port: 80 }'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_RANGE',
      location: 'genai.yaml:13:33',
      field: 'environments.local.port',
      message: 'expected a number >= 1024, found the number 80',
    });
  });

  it('an empty list of regions', () => {
    const problem = only(edit(minimal, 'regions: [eu-west-1]', 'regions: []'));
    expect(problem).toMatchObject({
      location: 'genai.yaml:6:12',
      field: 'constraints.regions',
      message: 'expected a list with at least one item, found an empty list',
    });
  });

  it('an invalid project name, with a valid one to use', () => {
    const problem = only(edit(minimal, 'name: notes-helper', 'name: Notes Helper'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_NAME',
      location: 'genai.yaml:1:7',
      field: 'name',
      fix: 'rename it, e.g. notes-helper',
    });
  });
});

describe('rules across fields are located too', () => {
  it('openai-compatible without baseUrl: at the model mapping', () => {
    const problem = only(
      edit(minimal, '{ provider: offline, id: offline-extractive }', '{ provider: openai-compatible, id: llama3.1 }'),
    );
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_BASE_URL',
      location: 'genai.yaml:9:8',
      field: 'model.baseUrl',
      message: 'the openai-compatible provider needs a baseUrl',
    });
  });

  it('a baseUrl that is not a URL', () => {
    const problem = only(
      edit(
        minimal,
        '{ provider: offline, id: offline-extractive }',
        '{ provider: openai-compatible, id: x, baseUrl: not a url }',
      ),
    );
    expect(problem).toMatchObject({ code: 'E_MANIFEST_FORMAT', location: 'genai.yaml:9:55', field: 'model.baseUrl' });
  });

  it('chunkOverlap not below chunkSize: at chunkOverlap', () => {
    const problem = only(edit(minimal, 'evals:', 'retrieval: { chunkSize: 100, chunkOverlap: 100 }\nevals:'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_CHUNK_OVERLAP',
      location: 'genai.yaml:11:44',
      field: 'retrieval.chunkOverlap',
      message: 'chunkOverlap (100) must be less than chunkSize (100)',
    });
  });

  it('approval naming an environment that does not exist: at that name', () => {
    const problem = only(`${minimal}promotion: { approval: [prod] }\n`);
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_APPROVAL',
      location: 'genai.yaml:14:25',
      field: 'promotion.approval[0]',
      fix: 'use one of local, or add prod under environments',
    });
  });

  it('promotion.order naming an unknown environment, or one twice: at that name', () => {
    const unknown = only(`${minimal}promotion: { order: [local, prod] }\n`);
    expect(unknown).toMatchObject({ code: 'E_MANIFEST_ORDER', field: 'promotion.order[1]' });
    expect(unknown.fix).toBe('use one of local, or add prod under environments');
    const twice = only(`${minimal}promotion: { order: [local, local] }\n`);
    expect(twice).toMatchObject({ code: 'E_MANIFEST_ORDER', field: 'promotion.order[1]', fix: 'list local once' });
  });

  it('scale.min above scale.max: at min', () => {
    const problem = only(`${minimal}  prod: { target: aws, region: eu-west-1, scale: { min: 3, max: 2 } }\n`);
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_SCALE',
      location: 'genai.yaml:14:57',
      field: 'environments.prod.scale.min',
    });
  });

  it('no environment at all', () => {
    const problem = only(edit(minimal, 'environments:\n  local: { target: local }', 'environments: {}'));
    expect(problem).toMatchObject({
      code: 'E_MANIFEST_NO_ENVIRONMENT',
      location: 'genai.yaml:12:15',
      field: 'environments',
    });
  });
});

describe('several mistakes', () => {
  const text = edit(
    edit(minimal, 'budgetUsdPerMonth: 50', 'budgetUsdPerMonth: lots'),
    'dataClass: internal',
    'dataClass: secret',
  );

  it('validateManifest returns every problem, in file order', () => {
    expect(problems(text).map((p) => `${p.location} ${p.field}`)).toEqual([
      'genai.yaml:3:22 constraints.budgetUsdPerMonth',
      'genai.yaml:8:14 constraints.dataClass',
    ]);
  });

  it('loadManifest throws the first as a one-line GenaiError with exit code 2', async () => {
    await writeFile(join(dir, 'genai.yaml'), text);
    const error = await loadManifest(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenaiError);
    const genaiError = error as GenaiError;
    expect(genaiError.exitCode).toBe(2);
    expect(genaiError.toLine()).toBe(
      'genai.yaml:3:22 constraints.budgetUsdPerMonth: expected a number, found the string "lots" — fix: set budgetUsdPerMonth to a number — ' +
        'Monthly budget for the whole service in US dollars; cost estimates and promotions are gated on it.',
    );
  });

  it('an approval check still runs when other fields are wrong', () => {
    const found = problems(`${text}promotion: { approval: [prod] }\n`);
    expect(found.map((p) => p.code)).toEqual(['E_MANIFEST_TYPE', 'E_MANIFEST_ENUM', 'E_MANIFEST_APPROVAL']);
  });
});

describe('files that are not a manifest', () => {
  it('an empty file', () => {
    expect(only('')).toMatchObject({ code: 'E_MANIFEST_EMPTY', location: 'genai.yaml:1:1' });
  });

  it('a list instead of a mapping', () => {
    expect(only('- a\n- b\n')).toMatchObject({
      code: 'E_MANIFEST_TYPE',
      location: 'genai.yaml:1:1',
      message: 'expected a mapping, found a list of 2 items',
    });
  });
});
