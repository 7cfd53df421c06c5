/**
 * The JSON body of a request, or why it cannot be one. Only `application/json` is read: a browser sends
 * `text/plain` cross-origin without a CORS preflight, so accepting it would let any web page post here.
 */
export type JsonBody = { ok: true; value: unknown } | { ok: false; status: 400 | 415; code: string; message: string };

export async function readJsonBody(request: Request): Promise<JsonBody> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json') {
    return {
      ok: false,
      status: 415,
      code: 'unsupported_media_type',
      message: `the body must be application/json (it is ${type || 'untyped'})`,
    };
  }
  const text = await request.text();
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, status: 400, code: 'invalid_json', message: `the request body is not valid JSON: ${reason}` };
  }
}
