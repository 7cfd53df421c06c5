import { createServer, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ensureEnvironmentKeys,
  environmentKeysPath,
  projectOfDataDir,
  readEnvironmentKeys,
  serviceProcessEnv,
} from '../../src/environments/service-env.js';
import { environmentPaths } from '../../src/environments/paths.js';
import { targetClient } from '../../src/evals/target.js';
import { ResponseCache } from '../../src/evals/cache.js';
import { AdaptiveLimiter } from '../../src/evals/http.js';

let project: string;
beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'genai-keys-'));
});
afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

describe('keys of a local environment', () => {
  it('are generated once, 24 random bytes each in base64url, in a 0600 file', async () => {
    expect(readEnvironmentKeys(project, 'dev')).toBeUndefined();
    const keys = ensureEnvironmentKeys(project, 'dev');
    expect(keys.apiKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(keys.adminKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(keys.apiKey).not.toBe(keys.adminKey);
    const path = environmentKeysPath(project, 'dev');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(ensureEnvironmentKeys(project, 'dev')).toEqual(keys);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ apiKey: keys.apiKey, adminKey: keys.adminKey });
    expect(ensureEnvironmentKeys(project, 'staging').apiKey).not.toBe(keys.apiKey);
  });

  it('reach the service process of an environment, not the throw-away service of an eval run', () => {
    const data = environmentPaths(project, 'dev').data;
    expect(projectOfDataDir(data, 'dev')).toBe(project);
    const env = serviceProcessEnv({ host: '127.0.0.1', port: 1, env: 'dev', dataDir: data, serviceEnv: {} });
    const keys = readEnvironmentKeys(project, 'dev')!;
    expect(env.GENAI_API_KEYS).toBe(keys.apiKey);
    expect(env.GENAI_ADMIN_KEY).toBe(keys.adminKey);

    const previous = process.env.GENAI_API_KEYS;
    delete process.env.GENAI_API_KEYS;
    try {
      const scratch = join(tmpdir(), 'genai-eval-data-x');
      expect(projectOfDataDir(scratch, 'eval')).toBeUndefined();
      const evalEnv = serviceProcessEnv({ host: '127.0.0.1', port: 1, env: 'eval', dataDir: scratch, serviceEnv: {} });
      expect(evalEnv.GENAI_API_KEYS).toBeUndefined();
    } finally {
      if (previous !== undefined) process.env.GENAI_API_KEYS = previous;
    }
  });

  it('the eval target client sends the API key as a bearer token', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ answer: 'ok [1]', citations: [], usage: {} }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      const client = targetClient(
        { kind: 'env', url: `http://127.0.0.1:${port}`, protocol: 'answer', fingerprint: '' },
        {
          policy: { timeoutMs: 5000, retries: 0 },
          limiter: new AdaptiveLimiter(1),
          cache: new ResponseCache(join(project, 'cache'), false),
          apiKey: 'k'.repeat(32),
        },
      );
      await client.ask({ id: 'c1', input: { question: 'Q?' }, expected: {} } as never);
      expect(seen[0]?.authorization).toBe(`Bearer ${'k'.repeat(32)}`);
    } finally {
      server.close();
    }
  });
});
