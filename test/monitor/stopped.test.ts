import { describe, expect, it } from 'vitest';
import { readerArguments } from '../../src/monitor/stopped.js';

describe('reading a stopped environment through dist/admin-read.js', () => {
  it('asks the reader for what the admin API paths ask of a running service', () => {
    expect(readerArguments('/admin/traces?limit=20')).toEqual(['traces', '--limit', '20']);
    expect(readerArguments('/admin/traces/d7fb82c91e6acdad70476f733488fab5')).toEqual([
      'traces',
      'd7fb82c91e6acdad70476f733488fab5',
    ]);
    expect(readerArguments('/admin/interactions?limit=500&rating=down')).toEqual([
      'interactions',
      '--limit',
      '500',
      '--rating',
      'down',
    ]);
    expect(readerArguments('/admin/interactions?limit=5')).toEqual(['interactions', '--limit', '5']);
    expect(() => readerArguments('/admin/metrics')).toThrow(/no stopped-environment reader/);
  });
});
