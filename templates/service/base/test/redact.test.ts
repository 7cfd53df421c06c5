import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../src/db.js';
import { ServiceError } from '../src/errors.js';
import { redactOutput, redactUrlCredentials } from '../src/redact.js';

const password = 'Sup3r-s3cret';
const databaseUrl = `postgresql://svc_app:${password}@127.0.0.1:1/app?sslmode=require`;

/** A stream that keeps what reaches it, as service.log would. */
function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { stream, text: () => text };
}

describe('credentials in URLs never reach the output', () => {
  it('keeps the scheme, user and host, and hides the password', () => {
    expect(redactUrlCredentials(`DATABASE_URL ${databaseUrl} failed`)).toBe(
      'DATABASE_URL postgresql://svc_app:***@127.0.0.1:1/app?sslmode=require failed',
    );
    expect(redactUrlCredentials('OTLP https://otel:p@ss@collector:4318/v1/traces')).toBe(
      'OTLP https://otel:***@collector:4318/v1/traces',
    );
    expect(redactUrlCredentials('postgres://db:5432/app?user=a&password=hunter2&x=1')).toBe(
      'postgres://db:5432/app?user=a&password=***&x=1',
    );
    const plain = 'listening on http://127.0.0.1:8787; see https://example.com/a@b';
    expect(redactUrlCredentials(plain)).toBe(plain);
  });

  it('a stream that redacts: console lines and error stacks written to it lose the password', () => {
    const out = sink();
    redactOutput(out.stream);
    const log = new Console(out.stream, out.stream);
    log.log(`traces: store and OTLP http://collector:${password}@127.0.0.1:4318`);
    log.error(new Error(`connect failed for ${databaseUrl}`));
    out.stream.write(Buffer.from(`buffer ${databaseUrl}\n`));
    expect(out.text()).not.toContain(password);
    expect(out.text()).toContain('OTLP http://collector:***@127.0.0.1:4318');
    expect(out.text()).toContain('postgresql://svc_app:***@127.0.0.1:1/app');
    expect(out.text().match(/svc_app:\*\*\*@/g)).toHaveLength(2);
  });

  it('an unreachable DATABASE_URL at start is one located error, exit 3, without the password', async () => {
    const db = await openPostgres(databaseUrl.replace('?sslmode=require', ''));
    try {
      const failure = await db.session(async () => 'unreachable').catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ServiceError);
      const error = failure as ServiceError;
      expect(error).toMatchObject({ code: 'database_unreachable', exitCode: 3 });
      expect(error.message).toMatch(
        /^cannot connect to DATABASE_URL postgresql:\/\/svc_app:\*\*\*@127\.0\.0\.1:1\/app: /,
      );
      expect(`${error.message} ${error.fix} ${error.stack}`).not.toContain(password);
    } finally {
      await db.close();
    }
  });
});
