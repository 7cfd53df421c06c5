import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { luhnValid, redactPii } from '../src/guardrails/pii.js';
import { projectRoot } from './helpers.js';

interface PiiCase {
  text: string;
  secrets: string[];
  kinds: string[];
}

/** Personal data of each kind, and ordinary questions that must come through unchanged. */
const fixtures: PiiCase[] = readFileSync(path.join(projectRoot, 'test', 'fixtures', 'pii.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as PiiCase);

describe('personal data redaction', () => {
  for (const fixture of fixtures) {
    const what = fixture.kinds.length ? `removes ${fixture.kinds.join(', ')} from` : 'leaves alone';
    it(`${what} "${fixture.text}"`, () => {
      const { text, found } = redactPii(fixture.text);
      for (const secret of fixture.secrets) expect(text).not.toContain(secret);
      expect(Object.keys(found).sort()).toEqual([...fixture.kinds].sort());
      if (fixture.kinds.length === 0) expect(text).toBe(fixture.text);
    });
  }

  it('checks card numbers with Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});
