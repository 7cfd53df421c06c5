import { readFileSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject, runGenai } from './project.js';

/**
 * Observability on the local target, as an operator sees it: genai up generates the environment's keys,
 * a client calls the service with the official openai package, genai traces shows the request and its five
 * steps, feedback comes back through genai feedback export — and an e-mail in the question appears nowhere.
 */
const genai = (args: string[], cwd = project) => runGenai(args, cwd);

// A fixed port, away from local.test.ts (8787 upwards) and promotion.test.ts (9811–9813).
const PORT = 9831;
const EMAIL = 'jane.doe@example.com';
const QUESTION = `How do I reset my password? My email is ${EMAIL}`;

let work: string;
let project: string;
let url: string;
let keys: { apiKey: string; adminKey: string };
let upOutput: string;
let traceId: string;
let chatTraceId: string;

beforeAll(async () => {
  ({ work, project } = await initProject('observe', { ports: { dev: PORT } }));
  const up = await genai(['up', 'dev', '--json']);
  upOutput = String(up.all);
  expect(up.exitCode, up.all).toBe(0);
  url = (JSON.parse(up.stdout) as { url: string }).url;
  keys = JSON.parse(readFileSync(join(project, '.genai', 'envs', 'dev', 'keys.json'), 'utf8')) as typeof keys;
}, 600_000);

afterAll(async () => {
  if (project) await genai(['destroy', 'dev']);
  if (work) await rm(work, { recursive: true, force: true });
}, 60_000);

interface TraceList {
  env: string;
  traces: { traceId: string; question: string | null; latencyMs: number; status: string }[];
}
interface TraceShow {
  trace: {
    traceId: string;
    spans: { spanId: string; parentSpanId: string | null; name: string; attributes: Record<string, unknown> }[];
  };
}

describe('observability of a local environment', () => {
  it('genai up generated an API key and a separate admin key, 0600, and printed neither', () => {
    expect(keys.apiKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(keys.adminKey).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(join(project, '.genai', 'envs', 'dev', 'keys.json')).mode & 0o777).toBe(0o600);
    expect(upOutput).not.toContain(keys.apiKey);
    expect(upOutput).not.toContain(keys.adminKey);
  });

  it('the service requires the key: none is 401, the admin key is no API key, the API key no admin key', async () => {
    const ask = (key?: string) =>
      fetch(`${url}/v1/answer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ question: 'How do I export my data?' }),
      });
    expect((await ask()).status).toBe(401);
    expect((await ask(keys.adminKey)).status).toBe(401);
    const admin = await fetch(`${url}/admin/traces`, { headers: { authorization: `Bearer ${keys.apiKey}` } });
    expect(admin.status).toBe(401);
  });

  it('answers the official openai client through /v1/chat/completions', async () => {
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: keys.apiKey, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'genai',
      messages: [{ role: 'user', content: QUESTION }],
    });
    const content = completion.choices[0]?.message.content;
    expect(content).toBeTruthy();
    expect(content).not.toContain(EMAIL);
    // The service's trace id is the completion's id, so the trace below is this request's.
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    chatTraceId = completion.id.slice('chatcmpl-'.length);
  });

  it('genai traces --json lists the request, with the e-mail redacted', async () => {
    const listed = await genai(['traces', '--json']);
    expect(listed.exitCode, listed.all).toBe(0);
    const list = JSON.parse(listed.stdout) as TraceList;
    expect(list.env).toBe('dev');
    const mine = list.traces.find((t) => t.question?.startsWith('How do I reset my password?'));
    expect(mine, JSON.stringify(list.traces)).toBeDefined();
    expect(mine!.question).toContain('[EMAIL]');
    expect(listed.stdout).not.toContain(EMAIL);
    traceId = mine!.traceId;
    expect(traceId, 'the trace of the openai client request').toBe(chatTraceId);

    const table = await genai(['traces']);
    expect(table.exitCode, table.all).toBe(0);
    expect(table.stdout).toMatch(/^time +trace +latency +tokens in\/out +cost +status +question$/m);
    expect(table.stdout).toContain(traceId);
  });

  it('genai traces ID --json shows the root and all five step spans; the tree renders them', async () => {
    const shown = await genai(['traces', traceId, '--json']);
    expect(shown.exitCode, shown.all).toBe(0);
    const { trace } = JSON.parse(shown.stdout) as TraceShow;
    expect(trace.traceId).toBe(traceId);
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    const steps = trace.spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name);
    expect(steps).toEqual(['guard-input', 'embed', 'retrieve', 'generate', 'guard-output']);
    const retrieve = trace.spans.find((s) => s.name === 'retrieve')!;
    expect(Array.isArray(retrieve.attributes['genai.retrieval.document_ids'])).toBe(true);
    expect(shown.stdout).not.toContain(EMAIL);

    const tree = await genai(['traces', traceId]);
    expect(tree.exitCode, tree.all).toBe(0);
    for (const step of ['├─ guard-input', '├─ embed', '├─ retrieve', '├─ generate', '└─ guard-output']) {
      expect(tree.stdout).toContain(step);
    }
    expect(tree.stdout).toMatch(/documents:\n.*1\. \S+ {2}score \d\.\d{4}/);
    console.log(`genai traces ${traceId}\n${tree.stdout}`);
  });

  it('an unknown or malformed trace id and an unknown environment are exit 2', async () => {
    const unknown = await genai(['traces', '0'.repeat(32)]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no trace 0{32}.*fix: list the stored ones with genai traces --env dev/);
    const bad = await genai(['traces', 'not-a-trace']);
    expect(bad.exitCode).toBe(2);
    const other = await genai(['traces', '--env', 'nosuch']);
    expect(other.exitCode).toBe(2);
  });

  it('feedback down comes back from genai feedback export as a candidate case without the e-mail', async () => {
    const posted = await fetch(`${url}/v1/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.apiKey}` },
      body: JSON.stringify({ traceId, rating: 'down', comment: `wrong steps, write to ${EMAIL}` }),
    });
    expect(posted.status).toBe(201);

    const exported = await genai([
      'feedback',
      'export',
      '--env',
      'dev',
      '--rating',
      'down',
      '--out',
      'evals/down.jsonl',
    ]);
    expect(exported.exitCode, exported.all).toBe(0);
    const text = await readFile(join(project, 'evals', 'down.jsonl'), 'utf8');
    const cases = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; input: { question: string }; metadata: Record<string, unknown> });
    const mine = cases.find((c) => c.metadata.traceId === traceId);
    expect(mine, text).toBeDefined();
    expect(mine!.input.question).toMatch(/^How do I reset my password\? My email is \[EMAIL\]/);
    expect(mine!.metadata.rating).toBe('down');
    expect(text).not.toContain(EMAIL);

    const again = await genai(['feedback', 'export', '--env', 'dev', '--out', 'evals/down.jsonl']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('--force');
    expect(await readFile(join(project, 'evals', 'down.jsonl'), 'utf8')).toBe(text);

    // The exported file is a dataset the eval command accepts as it is.
    const checked = await genai(['eval', '--env', 'dev', '--dataset', 'evals/down.jsonl', '--json', '--no-cache']);
    expect([0, 1], checked.all).toContain(checked.exitCode);
    const report = JSON.parse(checked.stdout) as { summary: { total: number; errored: number } };
    // genai eval --env sends the environment's API key: no case errors with 401.
    expect(report.summary).toMatchObject({ total: cases.length, errored: 0 });
  }, 120_000);

  it('genai traces on a stopped environment is exit 3 with genai up as the fix', async () => {
    const destroyed = await genai(['destroy', 'dev']);
    expect(destroyed.exitCode, destroyed.all).toBe(0);
    const stopped = await genai(['traces']);
    expect(stopped.exitCode).toBe(3);
    expect(stopped.stderr).toContain('fix: run genai up dev');
  });
});
