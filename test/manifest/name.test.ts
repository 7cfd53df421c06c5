import { describe, expect, it } from 'vitest';
import { suggestProjectName, validateProjectName } from '../../src/manifest/index.js';

describe('validateProjectName', () => {
  it.each([
    ['../x', /contains "\."/],
    ['a/b', /contains "\/"/],
    ['a b', /contains a space/],
    ['{{x}}', /contains "\{"/],
    ['x;rm -rf ~', /contains ";"/],
    ['x'.repeat(300), /is 300 characters long; a name has 2 to 63 characters/],
    ['a'.repeat(64), /is 64 characters long/],
    ['café', /non-ASCII/],
    ['1abc', /must start with a lower-case letter/],
    ['-abc', /must start with a lower-case letter/],
    ['abc-', /must not end with a hyphen/],
    ['Cycle', /upper-case/],
    ['a', /is 1 character long; a name has 2 to 63 characters/],
    ['', /must not be empty/],
    ['node_modules', /npm reserves/],
    ['favicon.ico', /npm reserves/],
    ['http', /Node core module/],
    ['fs', /Node core module/],
    ['crypto', /Node core module/],
  ])('refuses %j', (name, problem) => {
    expect(validateProjectName(name)).toMatch(problem);
  });

  it.each(['cycle-assistant', 'ab', 'a1', 'rag-2', 'a'.repeat(63), 'http-gateway'])('accepts %j', (name) => {
    expect(validateProjectName(name)).toBeUndefined();
  });

  it('suggests a valid name close to a refused one', () => {
    expect(suggestProjectName('Cycle Assistant')).toBe('cycle-assistant');
    expect(suggestProjectName('café')).toBe('cafe');
    expect(suggestProjectName('http')).toBe('http-service');
    expect(suggestProjectName('{{x}}')).toBe('my-service');
    for (const name of ['../x', 'x;rm -rf ~', 'x'.repeat(300), '1abc', 'node_modules'])
      expect(validateProjectName(suggestProjectName(name))).toBeUndefined();
  });
});
