import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/evals/dataset.js';
import { candidateCases, toJsonl, type Interaction } from '../../src/monitor/feedback.js';
import { exportFeedback } from '../../src/monitor/index.js';

const interaction = (over: Partial<Interaction>): Interaction => ({
  traceId: 'd7fb82c91e6acdad70476f733488fab5',
  time: '2026-01-05T10:00:00.000Z',
  api: 'answer',
  question: 'My name is [NAME]. How do I export my data as CSV?',
  answer: 'Go to Settings > Export [1]',
  refused: false,
  refusalReason: null,
  citations: [{ id: 'export-csv', title: 'Export your data as CSV' }],
  latencyMs: { total: 13.5 },
  tokens: { input: 941, output: 101, embedding: 12 },
  costUsd: 0,
  releaseId: 'r-0123456789ab',
  redactions: { name: 1 },
  feedback: [{ rating: 'down', comment: 'Wrong steps', time: '2026-01-05T10:01:00.000Z' }],
  ...over,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genai-feedback-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('feedback export', () => {
  it('turns rated interactions into cases the eval dataset loader accepts', async () => {
    const cases = candidateCases([
      interaction({}),
      interaction({
        traceId: 'a'.repeat(32),
        question: 'How do I cancel my subscription?',
        citations: [{ id: 'cancel' }],
        feedback: [{ rating: 'up', comment: null, time: '2026-01-05T10:02:00.000Z' }],
      }),
      interaction({ traceId: 'b'.repeat(32), feedback: [] }),
    ]);
    expect(cases).toHaveLength(2);
    const [down, up] = cases;
    expect(down).toMatchObject({
      id: 'feedback-d7fb82c91e6acdad',
      input: { question: 'My name is [NAME]. How do I export my data as CSV?' },
      tags: ['feedback', 'rated-down'],
      metadata: { traceId: 'd7fb82c91e6acdad70476f733488fab5', rating: 'down', comments: ['Wrong steps'] },
    });
    expect(down!.expected).toBeUndefined();
    expect(up!.expected).toEqual({ documentIds: ['cancel'] });

    const file = join(dir, 'candidates.jsonl');
    await writeFile(file, toJsonl(cases));
    const dataset = await loadDataset(file, dir);
    expect(dataset.cases.map((c) => c.id)).toEqual(cases.map((c) => c.id));
    expect(dataset.cases[0]!.input.question).toBe(down!.input.question);
  });

  it('filters by rating, taking the latest verdict when a trace was rated twice', () => {
    const changed = interaction({
      feedback: [
        { rating: 'up', comment: null, time: '2026-01-05T10:01:00.000Z' },
        { rating: 'down', comment: 'actually wrong', time: '2026-01-05T10:05:00.000Z' },
      ],
    });
    expect(candidateCases([changed], 'up')).toHaveLength(0);
    expect(candidateCases([changed], 'down')[0]!.metadata.comments).toEqual(['actually wrong']);
  });

  it('refuses to overwrite an existing file without --force, before reaching the environment', async () => {
    await writeFile(join(dir, 'out.jsonl'), 'keep me\n');
    await expect(exportFeedback(dir, { out: 'out.jsonl', force: false, limit: 10, env: 'dev' })).rejects.toMatchObject({
      code: 'E_EXPORT_EXISTS',
      exitCode: 2,
    });
  });
});
