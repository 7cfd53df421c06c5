import { describe, expect, it } from 'vitest';
import { hitAtK, ndcgAtK, reciprocalRank, recallAtK } from '../../src/evals/retrieval.js';
import { costOf, isRefusal, scoreAssertion, scoreDeterministic } from '../../src/evals/scorers.js';
import type { EvalCase, TargetResponse } from '../../src/evals/types.js';

const response = (over: Partial<TargetResponse> = {}): TargetResponse => ({
  answer: 'Open Reports and click Export CSV. {"ignored": true}',
  refused: false,
  citations: [{ id: 'export-csv' }],
  usage: { inputTokens: 1000, outputTokens: 200, embeddingTokens: 50 },
  latencyMs: 420,
  ...over,
});
const context = { retrievalK: 3, serviceRefusalFlag: true };

describe('deterministic scorers', () => {
  it('equals, contains (all/any), not-contains and regex', () => {
    expect(
      scoreAssertion(
        { type: 'equals', value: 'open reports and click export csv. {"ignored": true}', ignoreCase: true },
        response(),
        context,
      ).pass,
    ).toBe(true);
    expect(scoreAssertion({ type: 'equals', value: 'Open Reports' }, response(), context).pass).toBe(false);
    const all = scoreAssertion({ type: 'contains', value: ['Reports', 'PDF'] }, response(), context);
    expect(all).toMatchObject({ value: 0.5, pass: false, reason: 'missing "PDF"' });
    expect(scoreAssertion({ type: 'contains', value: ['Reports', 'PDF'], mode: 'any' }, response(), context).pass).toBe(
      true,
    );
    expect(scoreAssertion({ type: 'contains', value: 'export csv', ignoreCase: true }, response(), context).pass).toBe(
      true,
    );
    expect(scoreAssertion({ type: 'not-contains', value: 'Export' }, response(), context).pass).toBe(false);
    expect(scoreAssertion({ type: 'regex', pattern: 'click\\s+export', flags: 'i' }, response(), context).pass).toBe(
      true,
    );
    expect(scoreAssertion({ type: 'regex', pattern: '^Export' }, response(), context).pass).toBe(false);
  });

  it('json-schema checks the answer parses and validates', () => {
    const schema = { type: 'object', required: ['label'], properties: { label: { enum: ['spam', 'ham'] } } };
    expect(
      scoreAssertion({ type: 'json-schema', schema }, response({ answer: '{"label":"spam"}' }), context).pass,
    ).toBe(true);
    expect(
      scoreAssertion({ type: 'json-schema', schema }, response({ answer: '{"label":"eggs"}' }), context),
    ).toMatchObject({ pass: false, reason: expect.stringContaining('/label') });
    expect(scoreAssertion({ type: 'json-schema', schema }, response({ answer: 'label: spam' }), context)).toMatchObject(
      { pass: false, reason: 'answer is not JSON' },
    );
  });

  it('citations, refusal, latency, tokens and cost', () => {
    expect(
      scoreAssertion({ type: 'cites', documentIds: ['export-csv', 'billing'] }, response(), context),
    ).toMatchObject({ value: 0.5, pass: false, reason: 'not cited: billing' });
    expect(scoreAssertion({ type: 'refusal' }, response({ refused: true }), context).pass).toBe(true);
    expect(scoreAssertion({ type: 'refusal', expected: false }, response(), context).pass).toBe(true);
    expect(scoreAssertion({ type: 'latency', maxMs: 400 }, response(), context)).toMatchObject({
      pass: false,
      reason: '420 ms > 400 ms',
    });
    expect(scoreAssertion({ type: 'tokens', max: 1200 }, response(), context).pass).toBe(true);
    const pricing = { inputUsdPerMillionTokens: 3, outputUsdPerMillionTokens: 15, embeddingUsdPerMillionTokens: 0.02 };
    expect(costOf(response(), pricing)).toBeCloseTo((1000 * 3 + 200 * 15 + 50 * 0.02) / 1e6, 12);
    expect(scoreAssertion({ type: 'cost', maxUsd: 0.005 }, response(), { ...context, pricing }).pass).toBe(false);
    expect(scoreAssertion({ type: 'cost', maxUsd: 1 }, response(), context)).toMatchObject({
      pass: false,
      value: null,
    });
  });

  it('detects refusals from wording when the target has no refusal flag', () => {
    expect(isRefusal({ answer: "I'm sorry, I can't help with that.", refused: false }, false)).toBe(true);
    expect(isRefusal({ answer: 'Open Reports and click Export.', refused: false }, false)).toBe(false);
    expect(isRefusal({ answer: 'I cannot answer that question.', refused: false }, false)).toBe(true);
    expect(isRefusal({ answer: "I don't know.", refused: false }, false)).toBe(true);
    expect(isRefusal({ answer: "I don't know.", refused: false }, true)).toBe(false);
  });

  it('derives citation, refusal and retrieval metrics from `expected`', () => {
    const evalCase: EvalCase = {
      id: 'x',
      input: { question: 'q' },
      expected: { documentIds: ['export-csv', 'billing'] },
      assert: [
        { type: 'contains', value: 'Reports' },
        { type: 'contains', value: 'CSV' },
      ],
      location: 'd:1',
    };
    const contexts = ['billing', 'other', 'export-csv', 'export-csv'].map((documentId) => ({ documentId, text: '' }));
    const scores = scoreDeterministic(evalCase, response({ contexts }), context);
    expect(Object.keys(scores)).toEqual([
      'citations',
      'hit@3',
      'recall@3',
      'mrr',
      'ndcg@3',
      'contains',
      'contains#2',
      'latencyMs',
      'tokens',
    ]);
    expect(scores['citations']).toMatchObject({ value: 0.5, pass: false });
    expect(scores['recall@3']!.value).toBe(1);
    expect(scores.mrr!.value).toBe(1);
    expect(scores['hit@3']!.pass).toBeUndefined();
    const refusal = scoreDeterministic(
      { id: 'r', input: { question: 'q' }, expected: { refusal: true }, location: 'd:2' },
      response(),
      context,
    );
    expect(refusal.refusal).toMatchObject({ pass: false, reason: 'answered instead of refusing' });
    expect(refusal.citations).toBeUndefined();
  });
});

describe('retrieval metrics', () => {
  const ranked = ['a', 'b', 'a', 'c', 'd'];
  it('hit@k, recall@k and MRR count a document once at its best rank', () => {
    expect(hitAtK(ranked, ['c'], 2)).toBe(0);
    expect(hitAtK(ranked, ['c'], 3)).toBe(1);
    expect(recallAtK(ranked, ['a', 'c', 'z'], 3)).toBeCloseTo(2 / 3);
    expect(reciprocalRank(ranked, ['c', 'd'])).toBeCloseTo(1 / 3);
    expect(reciprocalRank(ranked, ['z'])).toBe(0);
  });
  it('nDCG@k against the ideal ranking', () => {
    expect(ndcgAtK(['a', 'b'], ['a', 'b'], 5)).toBe(1);
    // relevant b at rank 2 of 1 relevant: (1/log2 3) / 1
    expect(ndcgAtK(['a', 'b', 'c'], ['b'], 3)).toBeCloseTo(1 / Math.log2(3));
    expect(ndcgAtK(['x', 'y'], ['a'], 2)).toBe(0);
  });
});
