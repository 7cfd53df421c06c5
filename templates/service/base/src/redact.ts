import type { Writable } from 'node:stream';

/**
 * Credentials in URLs (`postgresql://svc:PASSWORD@db:5432/app`, an OTLP endpoint with basic auth) never reach
 * the service's output, hence never its log (genai's service.log, CloudWatch): the password becomes `***`, the
 * user stays so the operator can tell which account failed.
 */

/** `scheme://user:secret@host` → `scheme://user:***@host`, and `?password=secret` → `?password=***`. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('://') && !/password=/i.test(text)) return text;
  return (
    text
      // The password runs to the last @ of the authority: a raw @ inside it must not leave a tail behind.
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):[^\s/?#]*@/gi, '$1$2:***@')
      .replace(/([?&](?:password|passwd|pwd)=)[^&\s#]*/gi, '$1***')
  );
}

const redacting = new WeakSet<Writable>();

/**
 * Every text written to `stream` passes `redactUrlCredentials` first: console.log/error, errors printed at
 * start, library warnings — the one place the service's output goes through, whoever prints. Installed by
 * each entry point (server, ingest, admin-read) on stdout and stderr.
 */
export function redactOutput(stream: Writable): void {
  if (redacting.has(stream)) return;
  redacting.add(stream);
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => write(redactChunk(chunk), ...rest)) as Writable['write'];
}

/** A string redacted; bytes only when they hold a credential (else as they were: a split character stays whole). */
function redactChunk(chunk: unknown): unknown {
  if (typeof chunk === 'string') return redactUrlCredentials(chunk);
  if (!(chunk instanceof Uint8Array)) return chunk;
  const text = Buffer.from(chunk).toString('utf8');
  const redacted = redactUrlCredentials(text);
  return redacted === text ? chunk : Buffer.from(redacted);
}

/** The entry points' first call: stdout and stderr of this process redact credentials in URLs. */
export function redactProcessOutput(): void {
  redactOutput(process.stdout);
  redactOutput(process.stderr);
}
