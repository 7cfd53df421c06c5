import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filterCases, loadDataset, selectCases } from '../../src/evals/dataset.js';
import { GenaiError } from '../../src/errors.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'evals');
const load = (name: string) => loadDataset(join(fixtures, name), fixtures);

async function failure(name: string): Promise<GenaiError> {
  try {
    await load(name);
  } catch (err) {
    return err as GenaiError;
  }
  throw new Error(`${name} loaded without an error`);
}

describe('datasets', () => {
  it('reads the generated service dataset format (JSONL), with facts, document ids, refusals and assertions', async () => {
    const dataset = await load('dataset.jsonl');
    expect(dataset.cases.map((c) => c.id)).toEqual([
      'export-csv',
      'reset-password',
      'team-plan-price',
      'delete-account',
      'weather',
    ]);
    expect(dataset.cases[0]).toMatchObject({
      input: { question: 'How do I export a report as CSV?' },
      expected: { documentIds: ['export-csv'], facts: ['click Export CSV in Reports'] },
      tags: ['export'],
      location: 'dataset.jsonl:1',
    });
    expect(dataset.cases[4]!.expected).toEqual({ refusal: true });
    expect(dataset.cases[2]!.assert).toEqual([{ type: 'contains', value: '20 dollars' }]);
    expect(dataset.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads YAML with chat messages and CSV with lists separated by |', async () => {
    const yaml = await load('dataset.yaml');
    expect(yaml.cases[1]!.input.messages).toHaveLength(3);
    expect(yaml.cases[1]!.location).toBe('dataset.yaml:9');
    const csv = await load('dataset.csv');
    expect(csv.cases[0]).toMatchObject({
      id: 'export-csv',
      expected: { facts: ['click Export CSV'], documentIds: ['export-csv'] },
      tags: ['export', 'reports'],
    });
    expect(csv.cases[1]!.expected).toEqual({ refusal: true });
  });

  it('names the line and the field of a misspelt field', async () => {
    const error = await failure('bad-field.jsonl');
    expect(error.location).toBe('bad-field.jsonl:2');
    expect(error.field).toBe('expected');
    expect(error.message).toContain('"documentIDs"');
    expect(error.exitCode).toBe(2);
  });

  it('locates a wrong value inside a YAML case at its line and column', async () => {
    const error = await failure('bad-nested.yaml');
    expect(error.location).toBe('bad-nested.yaml:9:14');
    expect(error.field).toBe('assert[0].value');
  });

  it('rejects duplicate ids, bad JSON and unknown CSV columns with their lines', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'genai-dataset-'));
    await writeFile(
      join(dir, 'dup.jsonl'),
      '{"id":"a","input":{"question":"q"}}\n\n{"id":"a","input":{"question":"r"}}\n',
    );
    await writeFile(join(dir, 'broken.jsonl'), '{"id":"a","input":{"question":"q"}}\n{"id":\n');
    await writeFile(join(dir, 'cols.csv'), 'id,question,answr\na,q,x\n');
    await expect(loadDataset(join(dir, 'dup.jsonl'), dir)).rejects.toMatchObject({
      location: 'dup.jsonl:3',
      field: 'id',
    });
    await expect(loadDataset(join(dir, 'broken.jsonl'), dir)).rejects.toMatchObject({
      code: 'E_EVAL_DATASET_JSON',
      location: 'broken.jsonl:2',
    });
    await expect(loadDataset(join(dir, 'cols.csv'), dir)).rejects.toMatchObject({ message: 'unknown column "answr"' });
    await expect(loadDataset(join(dir, 'missing.jsonl'), dir)).rejects.toMatchObject({
      code: 'E_EVAL_DATASET_MISSING',
    });
  });

  it('filters by tag and id pattern, and samples reproducibly with a seed', async () => {
    const { cases } = await load('dataset.jsonl');
    expect(filterCases(cases, ['tag=account']).map((c) => c.id)).toEqual(['reset-password', 'delete-account']);
    expect(filterCases(cases, ['tag=account', 'id=delete-*']).map((c) => c.id)).toEqual(['delete-account']);
    expect(filterCases(cases, ['tag=export', 'tag=billing']).map((c) => c.id)).toEqual([
      'export-csv',
      'team-plan-price',
    ]);
    const a = selectCases(cases, { filter: [], sample: 3, seed: 42 });
    const b = selectCases(cases, { filter: [], sample: 3, seed: 42 });
    const c = selectCases(cases, { filter: [], sample: 3, seed: 7 });
    expect(a.map((x) => x.id)).toEqual(b.map((x) => x.id));
    expect(a).toHaveLength(3);
    const order = cases.map((x) => x.id);
    expect(a.map((x) => order.indexOf(x.id))).toEqual(a.map((x) => order.indexOf(x.id)).sort((p, q) => p - q));
    expect(
      new Set(
        Array.from({ length: 8 }, (_, seed) =>
          selectCases(cases, { filter: [], sample: 2, seed })
            .map((x) => x.id)
            .join(),
        ),
      ).size,
    ).toBeGreaterThan(1);
    expect(c).toHaveLength(3);
    expect(() => selectCases(cases, { filter: ['tag=nope'] })).toThrow(/no case matches/);
    expect(() => filterCases(cases, ['colour=red'])).toThrow(/cannot read --filter/);
  });
});
