import { environmentError } from '../errors.js';

export interface Answer {
  answer: string;
  refused: boolean;
  citations: { id: string; title: string }[];
  traceId: string;
  usage: { inputTokens: number; outputTokens: number; embeddingTokens: number };
}

/** One question to a running service's /v1/answer. */
export async function askService(url: string, question: string, apiKey?: string): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(`${url}/v1/answer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ question }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw environmentError('E_UNREACHABLE', `${url} did not answer: ${(err as Error).message}`, {
      fix: 'check the environment with genai outputs',
    });
  }
  if (!response.ok) {
    throw environmentError(
      'E_ANSWER',
      `${url}/v1/answer answered HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`,
      {
        fix: "read the environment's log (genai outputs shows where)",
      },
    );
  }
  return (await response.json()) as Answer;
}
