import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const cwd = path.join(os.tmpdir(), 'project');

describe('configuration from the environment', () => {
  it('runs offline on 127.0.0.1 with a data folder per environment by default', () => {
    const config = loadConfig({}, cwd);
    expect(config).toMatchObject({
      env: 'local',
      host: '127.0.0.1',
      topK: 5,
      provider: { kind: 'offline', dimensions: 384 },
    });
    expect(config.dataDir).toBe(path.join(cwd, '.genai', 'data', 'local'));
    expect(loadConfig({ GENAI_ENV: 'staging' }, cwd).dataDir).toBe(path.join(cwd, '.genai', 'data', 'staging'));
    expect(config).toMatchObject({ release: null, instance: null });
    expect(loadConfig({ GENAI_RELEASE_ID: 'r-0123456789ab', GENAI_INSTANCE_ID: 'i-1' }, cwd)).toMatchObject({
      release: 'r-0123456789ab',
      instance: 'i-1',
    });
    expect(loadConfig({ GENAI_DATA_DIR: 'db', PORT: '9000' }, cwd)).toMatchObject({
      dataDir: path.join(cwd, 'db'),
      port: 9000,
    });
  });

  it('treats an empty OPENAI_BASE_URL as unset', () => {
    expect(loadConfig({ OPENAI_BASE_URL: '' }, cwd).provider.kind).toBe('offline');
  });

  it('uses the endpoint for embeddings and chat when OPENAI_BASE_URL is set', () => {
    const config = loadConfig(
      {
        OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
        GENAI_CHAT_MODEL: 'llama3.1:8b',
        GENAI_EMBEDDING_MODEL: 'nomic-embed-text',
        GENAI_EMBEDDING_DIMENSIONS: '768',
      },
      cwd,
    );
    expect(config.provider).toMatchObject({
      kind: 'openai-compatible',
      baseURL: 'http://127.0.0.1:11434/v1',
      chatModel: 'llama3.1:8b',
      embeddingModel: 'nomic-embed-text',
      dimensions: 768,
    });
  });

  it('fails loudly, never falling back to offline, when the endpoint is set but a model is not', () => {
    expect(() => loadConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }, cwd)).toThrow(
      /GENAI_CHAT_MODEL is not set/,
    );
    expect(() =>
      loadConfig(
        { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', GENAI_CHAT_MODEL: 'm', GENAI_EMBEDDING_MODEL: 'e' },
        cwd,
      ),
    ).toThrow(/GENAI_EMBEDDING_DIMENSIONS is not set/);
    expect(() => loadConfig({ OPENAI_BASE_URL: 'not a url' }, cwd)).toThrow(/not a URL/);
  });

  it('rejects values that are not what they claim', () => {
    expect(() => loadConfig({ PORT: 'eighty' }, cwd)).toThrow(/PORT "eighty"/);
    expect(() => loadConfig({ GENAI_ENV: '../prod' }, cwd)).toThrow(/not an environment name/);
    expect(() => loadConfig({ GENAI_CHUNK_SIZE: '100', GENAI_CHUNK_OVERLAP: '100' }, cwd)).toThrow(/must be smaller/);
    expect(() => loadConfig({ GENAI_MIN_RETRIEVAL_SCORE: 'high' }, cwd)).toThrow(/GENAI_MIN_RETRIEVAL_SCORE/);
  });
});
