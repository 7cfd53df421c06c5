import { describe, expect, it } from 'vitest';
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
  ];
  const generation = { answer: 'Go to Export [1].', citations: ['export-csv'], inputTokens: 10, outputTokens: 5 };

  it('keeps an answer that cites a retrieved document', () => {
    expect(guardOutput(generation, contexts, 0.2)).toEqual({ allowed: true });
  });
  it('refuses when the best chunk is below the minimum similarity', () => {
    expect(guardOutput(generation, contexts, 0.5)).toMatchObject({ allowed: false, reason: 'weak-retrieval' });
  });
  it('refuses when nothing was generated or retrieved', () => {
    expect(guardOutput(undefined, contexts, 0.2)).toMatchObject({ allowed: false, reason: 'weak-retrieval' });
    expect(guardOutput(generation, [], 0.2)).toMatchObject({ allowed: false, reason: 'weak-retrieval' });
  });
  it('refuses an answer without citations, or citing a document it was not given', () => {
    expect(guardOutput({ ...generation, citations: [] }, contexts, 0.2)).toMatchObject({
      allowed: false,
      reason: 'no-citation',
    });
    expect(guardOutput({ ...generation, citations: ['refunds'] }, contexts, 0.2)).toMatchObject({
      allowed: false,
      reason: 'no-citation',
    });
  });
});
