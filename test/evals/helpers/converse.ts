import { createServer, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';

/**
 * A local Bedrock Runtime endpoint speaking the Converse API as AWS documents it
 * (POST /model/{modelId}/converse, JSON in and out, errors named by the x-amzn-ErrorType header), over
 * cleartext HTTP/2 as the SDK's Bedrock client talks to it. The boundary fake of the Bedrock judge tests.
 */
export interface ConverseRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    system?: { text: string }[];
    messages: { role: string; content: { text: string }[] }[];
    inferenceConfig?: Record<string, unknown>;
  };
}

export type ConverseReply =
  { text: string } | { status: number; errorType: string; message: string; headers?: Record<string, string> };

export interface ConverseServer {
  url: string;
  requests: ConverseRequest[];
  close(): Promise<void>;
}

export async function startConverseServer(reply: (request: ConverseRequest) => ConverseReply): Promise<ConverseServer> {
  const requests: ConverseRequest[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const request = { method: req.method, path: req.url, headers: req.headers, body: JSON.parse(text || '{}') };
      requests.push(request);
      const answer = reply(request);
      if ('errorType' in answer) {
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          'x-amzn-errortype': answer.errorType,
          'x-amzn-requestid': `req-${requests.length}`,
          ...answer.headers,
        });
        res.end(JSON.stringify({ message: answer.message }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': `req-${requests.length}` });
      res.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content: [{ text: answer.text }] } },
          stopReason: 'end_turn',
          usage: { inputTokens: 120, outputTokens: 20, totalTokens: 140 },
          metrics: { latencyMs: 5 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
