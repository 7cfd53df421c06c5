import type { AnswerRequest, AnswerResult } from '../pipeline/index.js';

/**
 * `POST /v1/chat/completions` in the shapes of OpenAI's API, so that the official clients, LangChain,
 * promptfoo or a gateway can call the service. The conversation's last user message is the question; the
 * rest of the conversation is not used (each answer stands on the retrieved documents alone). Citations
 * travel twice: as `[doc-id]` markers in the content, which every client shows, and as an extra
 * `citations` field, which clients that do not know it ignore.
 */

export interface ChatRequest extends AnswerRequest {
  stream: boolean;
  /** `stream_options.include_usage`: a last chunk with the usage and no choices. */
  includeUsage: boolean;
}

const roles = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/** The text of a message's content: a string, or the text parts of an array of parts. */
function contentText(content: unknown, at: string): string | { error: string } {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const [i, part] of content.entries()) {
      const { type, text } = (part ?? {}) as Record<string, unknown>;
      if (type !== 'text' || typeof text !== 'string')
        return { error: `${at}.content[${i}] must be a text part ({"type": "text", "text": "…"}); only text is read` };
      texts.push(text);
    }
    return texts.join('\n');
  }
  return { error: `${at}.content must be a string or an array of text parts` };
}

/** The request, or what is wrong with it in one sentence. */
export function parseChatRequest(body: unknown, maxLength: number): ChatRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the body must be a JSON object with "messages"';
  const { messages, stream, stream_options: streamOptions, model, n } = body as Record<string, unknown>;
  if (model !== undefined && typeof model !== 'string') return '"model" must be a string';
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') return '"stream" must be true or false';
  if (n !== undefined && n !== null && n !== 1) return '"n" must be 1: the service gives one answer per request';
  if (!Array.isArray(messages) || messages.length === 0)
    return '"messages" is required and must be a non-empty array of {role, content}';
  let question: string | undefined;
  for (const [i, message] of messages.entries()) {
    const at = `messages[${i}]`;
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return `${at} must be an object with "role" and "content"`;
    const { role, content } = message as Record<string, unknown>;
    if (typeof role !== 'string' || !roles.has(role))
      return `${at}.role must be one of ${[...roles].join(', ')} (it is ${JSON.stringify(role ?? null)})`;
    if (role !== 'user') continue;
    const text = contentText(content, at);
    if (typeof text !== 'string') return text.error;
    question = text;
  }
  if (question === undefined) return '"messages" must contain a message with role "user": its content is the question';
  if (question.trim().length === 0) return 'the last user message must not be empty';
  if (question.length > maxLength)
    return `the last user message must be at most ${maxLength} characters (it has ${question.length})`;
  const includeUsage =
    typeof streamOptions === 'object' &&
    streamOptions !== null &&
    (streamOptions as Record<string, unknown>).include_usage === true;
  return { question: question.trim(), includeContexts: false, stream: stream === true, includeUsage };
}

/** `[n]` markers (the n-th citation) become `[doc-id]`, which means the same to every reader. */
export function withDocumentMarkers(answer: string, citations: AnswerResult['citations']): string {
  return answer.replace(/\[(\d+(?:\s*,\s*\d+)*)\]/g, (marker, numbers: string) => {
    const ids = numbers.split(',').map((s) => citations[Number(s.trim()) - 1]?.id);
    return ids.every((id) => id !== undefined) ? ids.map((id) => `[${id}]`).join('') : marker;
  });
}

/** The completion's id carries the trace id, so a client's log leads to `genai traces ID`. */
export const completionId = (traceId: string) => `chatcmpl-${traceId}`;

interface Labels {
  model: string;
  created: number;
}

function usageOf(result: AnswerResult) {
  const { inputTokens, outputTokens } = result.usage;
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

/** The non-streaming answer: one `chat.completion`. */
export function chatCompletion(result: AnswerResult, { model, created }: Labels) {
  const content = withDocumentMarkers(result.answer, result.citations);
  return {
    id: completionId(result.traceId),
    object: 'chat.completion' as const,
    created,
    model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content, refusal: result.refused ? content : null },
        logprobs: null,
        finish_reason: 'stop' as const,
      },
    ],
    usage: usageOf(result),
    citations: result.citations,
  };
}

/**
 * The streamed answer as `chat.completion.chunk` objects: the role, the content a few words at a time,
 * the finish reason with the citations, and (when asked) the usage. Each becomes one `data:` line.
 */
export function chatCompletionChunks(
  result: AnswerResult,
  { model, created }: Labels,
  includeUsage: boolean,
  piece = 24,
): object[] {
  const base = { id: completionId(result.traceId), object: 'chat.completion.chunk', created, model };
  const content = withDocumentMarkers(result.answer, result.citations);
  const chunk = (delta: object, finish: 'stop' | null = null, extra: object = {}) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const chunks: object[] = [chunk({ role: 'assistant', content: '', refusal: null })];
  // Words stay whole: a piece ends at the first space after `piece` characters.
  for (let start = 0; start < content.length;) {
    const space = content.indexOf(' ', start + piece);
    const end = space === -1 ? content.length : space + 1;
    chunks.push(chunk({ content: content.slice(start, end) }));
    start = end;
  }
  chunks.push(chunk({}, 'stop', { citations: result.citations }));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: usageOf(result) });
  return chunks;
}

/** Server-sent events: one `data:` line per chunk, then `data: [DONE]`. */
export function sseBody(chunks: object[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
      controller.enqueue(encoder.encode('data: [DONE]\n\n'));
      controller.close();
    },
  });
}
