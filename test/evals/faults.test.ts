import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/evals/random.js';
import { answerService, chatCompletion, judgeFormat, startServer, type TestServer } from './helpers/servers.js';
import { genai, project } from './helpers/project.js';

/**
 * The engine against a hostile endpoint: 20% HTTP 500, 10% 429 with Retry-After, 5% hangs past the
 * timeout, 5% malformed bodies — on the service and on the judge, whose valid replies are prose a quarter
 * of the time — and the process SIGKILLed mid-run, then resumed. Every case must be accounted for exactly
 * once, and each recorded state must match what the endpoint actually did in the process that recorded it.
 */
type Outcome = 'valid' | '500' | '429' | 'hang' | 'malformed' | 'prose';
interface Event {
  phase: 1 | 2;
  kind: 'answer' | 'judge';
  question: string;
  judge?: string;
  outcome: Outcome;
  at: number;
}

const topics = [
  ['export-csv', 'How do I export a report as CSV'],
  ['reset-password', 'How can I reset my password'],
  ['billing-plans', 'What does the Team plan cost'],
  ['delete-account', 'How does an administrator delete an account'],
] as const;
const CASES = 40;
const dataset = Array.from({ length: CASES }, (_, i) => {
  if (i % 10 === 9)
    return {
      id: `out-${i}`,
      input: { question: `Will it snow in city number ${i}?` },
      expected: { refusal: true },
      tags: ['out-of-scope'],
    };
  const [doc, question] = topics[i % topics.length]!;
  return {
    id: `case-${i}`,
    input: { question: `${question}? (variant ${i})` },
    expected: { documentIds: [doc] },
    tags: [doc],
  };
});

let server: TestServer;
let phase: 1 | 2 = 1;
const events: Event[] = [];
const random = seededRandom(2024);

function fault(): Exclude<Outcome, 'prose'> {
  const r = random();
  return r < 0.2 ? '500' : r < 0.3 ? '429' : r < 0.35 ? 'hang' : r < 0.4 ? 'malformed' : 'valid';
}

/** The question of the case being judged: the last user turn that shows one (a re-ask follows it). */
function judgedQuestion(body: unknown): string {
  const turns = (body as { messages: { role: string; content: string }[] }).messages.filter(
    (m) => m.role === 'user' && m.content.startsWith('QUESTION:'),
  );
  return /^QUESTION:\n([\s\S]*?)\n\n/.exec(turns.at(-1)!.content)![1]!;
}

beforeAll(async () => {
  server = await startServer((request) => {
    if (request.path === '/healthz') return { body: { status: 'ok' } };
    const judging = request.path === '/v1/chat/completions';
    const question = judging ? judgedQuestion(request.body) : (request.body as { question: string }).question;
    let outcome: Outcome = fault();
    if (judging && outcome === 'valid' && random() < 0.25) outcome = 'prose';
    events.push({
      phase,
      kind: judging ? 'judge' : 'answer',
      question,
      ...(judging ? { judge: judgeFormat(request.body) } : {}),
      outcome,
      at: Date.now(),
    });
    switch (outcome) {
      case '500':
        return { status: 500, body: { error: 'internal' } };
      case '429':
        return { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } };
      case 'hang':
        return 'hang';
      case 'malformed':
        return { body: '{"answer": "trunc', raw: true };
      case 'prose':
        return { body: chatCompletion('The answer seems fine to me.') };
      case 'valid':
        if (!judging) return { body: answerService(question, { includeContexts: true }) };
        return {
          body: chatCompletion(
            judgeFormat(request.body) === 'scale'
              ? '{"score": 4, "rationale": "addresses it"}'
              : '{"verdict": "pass", "rationale": "safe"}',
          ),
        };
    }
  });
});
afterAll(async () => {
  await server?.close();
});

async function resultsFile(dir: string): Promise<string | undefined> {
  const runs = join(dir, '.genai', 'evals', 'runs');
  if (!existsSync(runs)) return undefined;
  const [run] = await readdir(runs);
  // The run folder comes a moment before its results file.
  const file = run ? join(runs, run, 'results.jsonl') : undefined;
  return file && existsSync(file) ? file : undefined;
}

const completeLines = (text: string) =>
  text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter(Boolean);

describe('faults', () => {
  it('survives 500s, 429s, hangs, malformed bodies, prose judges and SIGKILL; --resume accounts for every case exactly once', async () => {
    const dir = await project(
      {
        judges: ['relevance', 'safety'],
        judgeModel: { provider: 'openai-compatible', id: 'judge', baseUrl: `${server.url}/v1` },
        maxErrorRate: 0.5,
      },
      dataset.map((c) => JSON.stringify(c)).join('\n'),
    );
    const child = genai(
      ['eval', '--url', server.url, '--no-cache', '--timeout', '400', '--concurrency', '8', '--no-progress'],
      dir,
    );
    let file: string | undefined;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      file ??= await resultsFile(dir);
      if (file && completeLines(await readFile(file, 'utf8')).length >= 12) break;
    }
    child.kill('SIGKILL');
    const killed = await child;
    expect(killed.signal).toBe('SIGKILL');
    const phase1Text = await readFile(file!, 'utf8');
    const phase1 = completeLines(phase1Text).map((line) => JSON.parse(line) as { caseId: string });
    expect(phase1.length).toBeGreaterThanOrEqual(12);
    expect(phase1.length).toBeLessThan(CASES);
    phase = 2;

    const resumed = await genai(['eval', '--resume', 'latest', '--json'], dir);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const report = JSON.parse(resumed.stdout);

    // Append-only: what the killed process wrote is still there, byte for byte.
    const finalText = await readFile(file!, 'utf8');
    expect(finalText.startsWith(phase1Text.slice(0, phase1Text.lastIndexOf('\n') + 1))).toBe(true);
    const results = completeLines(finalText).map(
      (line) =>
        JSON.parse(line) as {
          caseId: string;
          state: string;
          error?: { kind: string };
          scores: Record<string, { value: number | null; error?: string }>;
        },
    );
    expect(results.map((r) => r.caseId).sort()).toEqual(dataset.map((c) => c.id).sort());

    const recordedIn = new Map(results.map((r) => [r.caseId, phase1.some((p) => p.caseId === r.caseId) ? 1 : 2]));
    const questionOf = new Map(dataset.map((c) => [c.id, c.input.question]));
    let targetErrors = 0;
    let judgeErrors = 0;
    for (const result of results) {
      const question = questionOf.get(result.caseId)!;
      const mine = events.filter((e) => e.phase === recordedIn.get(result.caseId) && e.question === question);
      const answered = mine.some((e) => e.kind === 'answer' && e.outcome === 'valid');
      expect(result.error?.kind === 'target', `${result.caseId}: target error iff no valid answer`).toBe(!answered);
      if (!answered) {
        targetErrors++;
        expect(result.state).toBe('errored');
        continue;
      }
      const judges = result.caseId.startsWith('out-') ? ['pass-fail'] : ['scale', 'pass-fail'];
      let judgeFailed = false;
      for (const judge of judges) {
        const metric = judge === 'scale' ? 'relevance' : 'safety';
        const graded = mine.some((e) => e.kind === 'judge' && e.judge === judge && e.outcome === 'valid');
        expect(
          result.scores[metric]!.value !== null,
          `${result.caseId} ${metric}: graded iff a valid verdict came`,
        ).toBe(graded);
        if (!graded) {
          judgeFailed = true;
          expect(result.scores[metric]!.error).toMatch(/^judge error: /);
        }
      }
      if (judgeFailed) judgeErrors++;
      expect(result.state === 'errored').toBe(judgeFailed);
    }
    // A case recorded before the kill is never asked again.
    for (const { caseId } of phase1) {
      expect(events.some((e) => e.phase === 2 && e.question === questionOf.get(caseId))).toBe(false);
    }
    // Retry-After: 1 is honoured for the service: the same question is not asked again within the second.
    for (const throttled of events.filter((e) => e.kind === 'answer' && e.outcome === '429')) {
      const next = events.find(
        (e) =>
          e.kind === 'answer' &&
          e.phase === throttled.phase &&
          e.question === throttled.question &&
          e.at > throttled.at,
      );
      if (next) expect(next.at - throttled.at).toBeGreaterThanOrEqual(990);
    }

    // The report tells what happened.
    const count = (state: string) => results.filter((r) => r.state === state).length;
    expect(report.summary).toMatchObject({
      total: CASES,
      missing: 0,
      passed: count('passed'),
      failed: count('failed'),
      errored: count('errored'),
    });
    expect(count('passed') + count('failed') + count('errored')).toBe(CASES);
    expect(report.summary.errored).toBe(targetErrors + judgeErrors);
    expect(report.run.status).toBe('finished');
    const tally = (outcome: Outcome) => events.filter((e) => e.outcome === outcome).length;
    console.log(
      `faults: ${events.length} requests (${tally('500')} × 500, ${tally('429')} × 429, ${tally('hang')} hangs, ${tally('malformed')} malformed, ${tally('prose')} prose verdicts); ` +
        `killed after ${phase1.length}/${CASES} cases; final ${count('passed')} passed, ${count('failed')} failed, ${count('errored')} errored (${targetErrors} target, ${judgeErrors} judge)`,
    );
  }, 120_000);
});
