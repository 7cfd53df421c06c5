import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from '../../src/evals/http.js';
import { builtInJudges, judgeMessages, judgeModel } from '../../src/evals/judges/index.js';
import { startConverseServer, type ConverseServer } from './helpers/converse.js';
import { genai, project } from './helpers/project.js';
import { answerHandler, startServer, type TestServer } from './helpers/servers.js';

/**
 * The Bedrock judge through the AWS SDK's Bedrock Runtime client, against a local endpoint speaking the
 * Converse API. Credentials come from the SDK's default chain, here its first link: static test keys in
 * the environment. Profiles, the metadata service and the user's own files are kept out of reach.
 */
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const isolated = {
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PROFILE: '',
};
const testKeys = {
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'test-secret',
  AWS_SESSION_TOKEN: 'test-token',
};
const pass = '{"verdict":"pass","rationale":"safe"}';

let converse: ConverseServer | undefined;
afterEach(async () => {
  await converse?.close();
  converse = undefined;
});

describe('bedrock judges ask Converse through the AWS SDK', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, isolated, testKeys);
    delete process.env.AWS_PROFILE;
  });
  afterAll(() => {
    process.env = saved;
  });
  const ask = async (server: ConverseServer, limiter = new AdaptiveLimiter(4), retries = 2) => {
    const model = await judgeModel(
      { provider: 'bedrock', id: MODEL, region: 'eu-west-1', baseUrl: server.url },
      { policy: { timeoutMs: 5000, retries, baseDelayMs: 5 }, limiter },
    );
    return model.complete(judgeMessages(builtInJudges.safety, { question: 'q', answer: 'a', refused: false }), {
      temperature: 0,
    });
  };

  it('sends the model id in the path, the chat as messages and system, the inferenceConfig, signed with SigV4', async () => {
    converse = await startConverseServer(() => ({ text: pass }));
    expect(await ask(converse)).toBe(pass);
    expect(converse.requests).toHaveLength(1);
    const request = converse.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(request.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9:;-]*x-amz-date[a-z0-9:;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request.headers['x-amz-security-token']).toBe('test-token');
    expect(request.body.system?.[0]?.text).toContain('RUBRIC');
    expect(request.body.messages).toEqual([{ role: 'user', content: [{ text: 'QUESTION:\nq\n\nANSWER:\na' }] }]);
    expect(request.body.inferenceConfig).toEqual({ temperature: 0, maxTokens: 400 });
  });

  it('a ThrottlingException (429) is one signal to the limiter and the request survives: our retry, none of the SDK', async () => {
    let throttle = 1;
    converse = await startConverseServer(() =>
      throttle-- > 0
        ? { status: 429, errorType: 'ThrottlingException', message: 'Too many requests, please wait.' }
        : { text: pass },
    );
    const limiter = new AdaptiveLimiter(4);
    expect(await ask(converse, limiter)).toBe(pass);
    // Exactly two requests: the SDK's own retries are off (maxAttempts 1), so the loops do not multiply.
    expect(converse.requests).toHaveLength(2);
    expect(limiter.throttled).toBe(1);
    expect(limiter.changes).toEqual([expect.objectContaining({ limit: 2, reason: 'throttled' })]);
  });

  it('an error the service will not change its mind about is not retried and keeps its name', async () => {
    converse = await startConverseServer(() => ({
      status: 403,
      errorType: 'AccessDeniedException',
      message: 'You do not have access to the model with the specified model ID.',
    }));
    await expect(ask(converse)).rejects.toThrow(/HTTP 403: AccessDeniedException: You do not have access/);
    expect(converse.requests).toHaveLength(1);
  });
});

describe('genai eval with a bedrock judge', () => {
  let target: TestServer;
  beforeAll(async () => {
    target = await startServer(answerHandler());
  });
  afterAll(async () => {
    await target.close();
  });
  const bedrockProject = (url: string) =>
    project({
      judges: ['safety'],
      judgeModel: { provider: 'bedrock', id: MODEL, region: 'eu-west-1', baseUrl: url },
    });

  it('grades every case through a throttling endpoint, and the trace shows the judge limiter backing off', async () => {
    let throttle = 2;
    converse = await startConverseServer(() =>
      throttle-- > 0 ? { status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' } : { text: pass },
    );
    const dir = await bedrockProject(converse.url);
    const result = await genai(['eval', '--url', target.url, '--no-progress', '--json'], dir, {
      ...isolated,
      ...testKeys,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);
    const report = JSON.parse(result.stdout);
    expect(report.summary).toMatchObject({ total: 5, errored: 0 });
    expect(report.judges.model).toBe(`bedrock:${MODEL}`);
    expect(report.summary.metrics.safety).toMatchObject({ count: 5, offline: false });
    expect(report.run.concurrency.changes).toContainEqual(
      expect.objectContaining({ endpoint: 'judge', reason: 'throttled' }),
    );
    // Five verdicts and the two throttled attempts.
    expect(converse.requests).toHaveLength(7);
    expect(converse.requests.every((r) => /^AWS4-HMAC-SHA256 /.test(String(r.headers.authorization)))).toBe(true);
  });

  it('without AWS credentials: exit 3 before any case, one line with the fix', async () => {
    converse = await startConverseServer(() => ({ text: pass }));
    const dir = await bedrockProject(converse.url);
    const result = await genai(['eval', '--url', target.url, '--no-progress'], dir, {
      ...isolated,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_WEB_IDENTITY_TOKEN_FILE: '',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    });
    expect(result.exitCode, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /no AWS credentials for the bedrock judge.*fix: run `aws sso login` \(or `aws configure`\), or set AWS_PROFILE/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(converse.requests).toHaveLength(0);
    expect(existsSync(join(dir, '.genai', 'evals', 'runs'))).toBe(false);
  });
});
