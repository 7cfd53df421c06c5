import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local HTTP servers that speak the real protocols the eval engine talks to: our service's /v1/answer
 * and the OpenAI chat completions API. They are the boundary fakes of the tests (no stubbed functions).
 */

export interface Received {
  method: string;
  path: string;
  body: unknown;
  headers: IncomingMessage['headers'];
}

export type Reply = { status?: number; headers?: Record<string, string>; body: unknown; raw?: boolean } | 'hang';

export interface TestServer {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

export async function startServer(handle: (request: Received) => Reply | Promise<Reply>): Promise<TestServer> {
  const requests: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', async () => {
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const received = { method: req.method ?? 'GET', path: req.url ?? '/', body, headers: req.headers };
      requests.push(received);
      const reply = await handle(received);
      if (reply === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const payload = reply.raw ? String(reply.body) : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Document {
  id: string;
  title: string;
  text: string;
}

export const corpus: Document[] = [
  {
    id: 'export-csv',
    title: 'Export to CSV',
    text: 'To export a report as CSV, open Reports, choose the report and click Export CSV. The file includes every column.',
  },
  {
    id: 'reset-password',
    title: 'Reset your password',
    text: 'To reset your password, click Forgot password on the sign-in page and follow the link sent by email within 15 minutes.',
  },
  {
    id: 'billing-plans',
    title: 'Billing plans',
    text: 'The Team plan costs 20 dollars per user per month. The Enterprise plan adds single sign-on and audit logs.',
  },
  {
    id: 'delete-account',
    title: 'Delete an account',
    text: 'An administrator can delete an account under Settings, Account, Delete. Deletion is permanent after 30 days.',
  },
];

const words = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .match(/[a-z0-9]+/g)
      ?.filter((w) => w.length > 3) ?? [],
  );

/**
 * A small retrieval-augmented service: ranks the corpus by word overlap with the question, answers with
 * the best document's text and cites it, refuses when nothing overlaps. Deterministic, like the offline provider.
 */
export function answerService(
  question: string,
  options: { includeContexts?: boolean; answerOverride?: (q: string) => string | undefined } = {},
) {
  const q = words(question);
  const ranked = corpus
    .map((doc) => ({ doc, score: [...words(`${doc.title} ${doc.text}`)].filter((w) => q.has(w)).length }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.doc.id.localeCompare(b.doc.id));
  const top = ranked[0];
  const answer =
    options.answerOverride?.(question) ?? (top ? top.doc.text : "I don't know: that is not covered in the documents.");
  return {
    answer,
    refused: !top,
    citations: top ? [{ id: top.doc.id, title: top.doc.title }] : [],
    traceId: `trace-${Buffer.from(question).toString('hex').slice(0, 12)}`,
    usage: { inputTokens: 100 + question.length, outputTokens: Math.ceil(answer.length / 4), embeddingTokens: 12 },
    ...(options.includeContexts
      ? {
          contexts: ranked
            .slice(0, 3)
            .map((r, i) => ({ documentId: r.doc.id, title: r.doc.title, text: r.doc.text, score: 1 / (i + 1) })),
        }
      : {}),
  };
}

/** Our service's protocol: GET /healthz and POST /v1/answer. */
export function answerHandler(options: { answerOverride?: (q: string) => string | undefined } = {}) {
  return (request: Received): Reply => {
    if (request.method === 'GET' && request.path === '/healthz') return { body: { status: 'ok', version: 'test' } };
    if (request.method === 'POST' && request.path === '/v1/answer') {
      const body = request.body as { question: string; includeContexts?: boolean };
      return { body: answerService(body.question, { includeContexts: body.includeContexts, ...options }) };
    }
    return { status: 404, body: { error: 'not found' } };
  };
}

export function chatCompletion(content: string, usage = { prompt_tokens: 50, completion_tokens: 20 }) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2, 10)}`,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage,
  };
}

/** The text of the last user message of an OpenAI chat request. */
export function lastUserMessage(body: unknown): string {
  const messages = (body as { messages: { role: string; content: string }[] }).messages;
  return [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/** Which reply format a judge prompt asks for. */
export function judgeFormat(body: unknown): 'pass-fail' | 'scale' | 'labels' {
  const system = (body as { messages: { role: string; content: string }[] }).messages[0]!.content;
  return system.includes('"verdict"') ? 'pass-fail' : system.includes('"label"') ? 'labels' : 'scale';
}
