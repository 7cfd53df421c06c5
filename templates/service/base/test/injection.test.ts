import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectInjection } from '../src/guardrails/injection.js';
import { projectRoot } from './helpers.js';

/** Attacks, and benign questions that share their words. */
const fixtures = readFileSync(path.join(projectRoot, 'test', 'fixtures', 'injection.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as { text: string; attack: boolean });

describe('the prompt-injection heuristics', () => {
  for (const { text, attack } of fixtures) {
    it(`${attack ? 'flags' : 'lets through'} ${JSON.stringify(text)}`, () => {
      const verdict = detectInjection(text);
      expect(verdict.flagged).toBe(attack);
      expect(verdict.rules.length > 0).toBe(attack);
    });
  }
});
