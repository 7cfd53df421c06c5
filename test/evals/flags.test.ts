import { describe, expect, it } from 'vitest';
import { parseShare, targetFromFlags } from '../../src/evals/flags.js';
import { GenaiError } from '../../src/errors.js';

describe('eval flags', () => {
  it('--max-error-rate takes a share from 0 to 1', () => {
    expect(parseShare('--max-error-rate', '0')).toBe(0);
    expect(parseShare('--max-error-rate', '0.05')).toBe(0.05);
    expect(parseShare('--max-error-rate', '1')).toBe(1);
  });

  it.each(['1.5', 'abc', '-0.1', '5%'])('--max-error-rate %s is a usage error with a fix', (input) => {
    let error: unknown;
    try {
      parseShare('--max-error-rate', input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GenaiError);
    expect((error as GenaiError).exitCode).toBe(2);
    expect((error as GenaiError).toLine()).toBe(
      `--max-error-rate ${input} is not a share between 0 and 1 — fix: e.g. --max-error-rate 0.05`,
    );
  });

  it('the target is --url, --env or --local, and none without them', () => {
    expect(targetFromFlags({ url: 'http://localhost:8787' })).toEqual({ kind: 'url', url: 'http://localhost:8787' });
    expect(targetFromFlags({ env: 'staging' })).toEqual({ kind: 'env', env: 'staging' });
    expect(targetFromFlags({ local: true })).toEqual({ kind: 'local' });
    expect(targetFromFlags({ local: false })).toBeUndefined();
    expect(targetFromFlags({})).toBeUndefined();
  });
});
