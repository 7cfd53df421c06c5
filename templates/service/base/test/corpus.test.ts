import { describe, expect, it } from 'vitest';
import { parseDocument, readCorpusFiles } from '../src/corpus.js';
import { plainText } from '../src/text.js';
import { cases, corpusDir, inScope, outOfScope } from './helpers.js';

const documents = (await readCorpusFiles(corpusDir)).map(parseDocument);
const byId = new Map(documents.map((d) => [d.id, d]));

describe('the help-centre corpus', () => {
  it('has about 30 articles of 80 to 250 words, each with a title', () => {
    expect(documents.length).toBeGreaterThanOrEqual(28);
    for (const document of documents) {
      const words = plainText(document.body).split(/\s+/).filter(Boolean).length;
      expect(document.title, document.id).not.toBe('');
      expect(words, document.id).toBeGreaterThanOrEqual(80);
      expect(words, document.id).toBeLessThanOrEqual(250);
    }
  });
});

describe('the test cases (test/fixtures/cases.jsonl)', () => {
  it('have unique ids, in-scope cases and at least four refusals', () => {
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(inScope.length).toBeGreaterThanOrEqual(12);
    expect(outOfScope.length).toBeGreaterThanOrEqual(4);
  });

  for (const testCase of inScope) {
    it(`${testCase.id}: expects documents that exist, with facts they state`, () => {
      for (const id of testCase.expected.documentIds ?? []) {
        const document = byId.get(id);
        expect(document, id).toBeDefined();
        const text = plainText(document?.body ?? '').toLowerCase();
        for (const fact of testCase.expected.facts ?? []) expect(text, fact).toContain(fact.toLowerCase());
      }
    });
  }
});
