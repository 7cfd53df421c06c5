import { describe, expect, it } from 'vitest';
import { GenaiError, redactCredentials } from '../src/errors.js';

describe('errors a user reads', () => {
  it('never print a password given in a URL', () => {
    expect(redactCredentials('cannot reach https://alice:s3cret@example.com:8443/v1')).toBe(
      'cannot reach https://***@example.com:8443/v1',
    );
    expect(redactCredentials('postgres://u@db/x and http://host/path?a=b@c')).toBe(
      'postgres://***@db/x and http://host/path?a=b@c',
    );
    const error = new GenaiError('E_X', 'http://alice:s3cret@h:1 did not answer', {
      fix: 'check http://alice:s3cret@h:1',
      location: 'http://alice:s3cret@h:1',
    });
    expect(error.toLine()).not.toContain('s3cret');
    expect(JSON.stringify(error.toJSON())).not.toContain('s3cret');
    expect(error.toLine()).toBe('http://***@h:1: http://***@h:1 did not answer — fix: check http://***@h:1');
  });
});
