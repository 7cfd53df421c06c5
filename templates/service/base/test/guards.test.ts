import { describe, expect, it } from 'vitest';
import { splitClaims } from '../src/guardrails/citations.js';
import { checkScope } from '../src/guardrails/scope.js';
import { guardInput, guardOutput } from '../src/pipeline/index.js';
import type { Context } from '../src/providers/index.js';

describe('the input guard', () => {
  const refused: [string, string][] = [
    ['Do I have endometriosis?', 'diagnosis'],
    ['Can you diagnose my symptoms?', 'diagnosis'],
    ['I think I am pregnant, am I?', 'diagnosis'],
    ['Is my cycle normal? It is 40 days long.', 'diagnosis'],
    ['Why do I get cramps before my period?', 'diagnosis'],
    ['What medication should I take?', 'medication'],
    ['Which painkillers are best for period pain?', 'medication'],
    ['Should I stop taking the pill?', 'medication'],
    ['What is the right ibuprofen dose for cramps?', 'medication'],
    ['I missed a pill, what should I do?', 'medication'],
    ['How can I treat my PCOS?', 'treatment'],
    ['What helps with heavy bleeding?', 'treatment'],
  ];
  for (const [question, category] of refused) {
    it(`refuses "${question}" as ${category}, pointing to a clinician`, () => {
      const verdict = guardInput(question);
      expect(verdict).toMatchObject({ allowed: false, category });
      if (!verdict.allowed) expect(verdict.refusal).toMatch(/clinician/);
    });
  }

  const allowed = [
    'How do I set a pill reminder?',
    'Do I have to pay for the family plan?',
    'How do you treat my data?',
    'Can I create a PDF report for my doctor?',
    'Is it normal that my period reminder comes a day early?',
    'Why are my reminders not showing?',
    'How do I log my symptoms?',
  ];
  for (const question of allowed) {
    it(`lets the app question "${question}" through`, () => {
      expect(guardInput(question)).toEqual({ allowed: true });
    });
  }
});

describe('the output guard', () => {
  const contexts: Context[] = [
    { documentId: 'export-csv', title: 'Export your data as CSV', text: 'To export…', score: 0.4 },
    { documentId: 'sync', title: 'Sync', text: 'Sync…', score: 0.3 },
  ];
  const generation = (answer: string, citations: string[]) => ({ answer, citations, inputTokens: 10, outputTokens: 5 });

  it('passes an answer whose every sentence cites a retrieved document', () => {
    expect(guardOutput(generation('Go to Export. [1] Choose CSV [1].', ['export-csv']), contexts)).toMatchObject({
      allowed: true,
      decision: 'pass',
      answer: 'Go to Export. [1] Choose CSV [1].',
      citations: ['export-csv'],
      claims: 2,
      uncited: 0,
    });
  });

  it('strips a sentence without a citation and renumbers what stays', () => {
    const verdict = guardOutput(
      generation('Exports are always free. Sync first [2]. Then export [1, 2].', ['export-csv', 'sync']),
      contexts,
    );
    expect(verdict).toMatchObject({
      allowed: true,
      decision: 'stripped',
      answer: 'Sync first [1]. Then export [2, 1].',
      citations: ['sync', 'export-csv'],
      claims: 3,
      uncited: 1,
    });
  });

  it('strips a sentence that cites a document outside the retrieved set', () => {
    const verdict = guardOutput(
      generation('Refunds take a week [2]. Go to Export [1].', ['export-csv', 'refunds']),
      contexts,
    );
    expect(verdict).toMatchObject({ decision: 'stripped', answer: 'Go to Export [1].', citations: ['export-csv'] });
  });

  it('refuses the whole answer for one uncited sentence when configured to refuse', () => {
    const verdict = guardOutput(generation('Exports are free. Go to Export [1].', ['export-csv']), contexts, 'refuse');
    expect(verdict).toMatchObject({ allowed: false, decision: 'refused', reason: 'no-citation', uncited: 1 });
  });

  it('refuses an answer without citations, or citing only documents it was not given', () => {
    expect(guardOutput(generation("I don't know.", []), contexts)).toMatchObject({
      allowed: false,
      reason: 'no-citation',
    });
    expect(guardOutput(generation('Refunds take a week [1].', ['refunds']), contexts)).toMatchObject({
      allowed: false,
      reason: 'no-citation',
    });
  });
});

describe('claims', () => {
  it('keeps the markers after a full stop with their sentence, and splits at line breaks', () => {
    expect(splitClaims('Open Settings. [1] Tap Export [2].\n- Choose CSV [1]\n[2]')).toEqual([
      'Open Settings. [1]',
      'Tap Export [2].',
      '- Choose CSV [1]',
    ]);
  });
});

describe('the out-of-scope guard', () => {
  const context = (score: number): Context => ({ documentId: 'a', title: 'A', text: 'a', score });
  it('is in scope when the best chunk reaches the threshold, out of scope below it or with nothing retrieved', () => {
    expect(checkScope([context(0.1), context(0.3)], 0.2)).toEqual({ inScope: true, topScore: 0.3, minScore: 0.2 });
    expect(checkScope([context(0.19)], 0.2)).toMatchObject({ inScope: false });
    expect(checkScope([], 0.2)).toMatchObject({ inScope: false });
  });
});
