import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { openService } from '../src/service.js';
import { tempDataDir, ticksDuringSlowQuery } from './helpers.js';

/** What server.ts runs behind its port. */
describe('openService', () => {
  it('ingests data/ and answers through PGlite on its own thread, which leaves the serving thread free', async () => {
    const { dataDir, cleanup } = await tempDataDir();
    const config = loadConfig({
      GENAI_ENV: 'test',
      GENAI_DATA_DIR: dataDir,
      GENAI_INGEST_AT_START: 'on',
      GENAI_AUTH: 'off',
      GENAI_MODEL_PROVIDER: 'offline',
    });
    const service = await openService(config, 'test');
    try {
      const response = await service.app.request('/v1/answer', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'How do I export my data as CSV?' }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { refused: boolean; citations: { id: string }[] };
      expect(body.refused).toBe(false);
      expect(body.citations.map((c) => c.id)).toContain('export-csv');
      expect(await ticksDuringSlowQuery(service.store.db)).toBeGreaterThan(5);
    } finally {
      await service.close();
      await cleanup();
    }
  });
});
