import { redactUrlCredentials } from './redact.js';

/**
 * Problems an operator can fix (a missing variable, a busy data folder, an unreachable model endpoint)
 * are values with a one-line message and a fix, so the entry points print one line instead of a stack.
 */
export const ExitCode = { usage: 2, environment: 3 } as const;

export class ServiceError extends Error {
  readonly fix: string;

  constructor(
    readonly code: string,
    message: string,
    fix: string,
    readonly exitCode: number = ExitCode.usage,
  ) {
    // A message may name a URL the operator set (DATABASE_URL, an endpoint): its password is never shown,
    // not in the log, a 502 body nor a span's status.
    super(redactUrlCredentials(message));
    this.fix = redactUrlCredentials(fix);
    this.name = 'ServiceError';
  }
}

/** A model endpoint failed or answered something unusable; the HTTP layer maps it to 502. */
export class ProviderError extends ServiceError {
  constructor(message: string, fix: string) {
    super('provider_error', message, fix, ExitCode.environment);
    this.name = 'ProviderError';
  }
}

/** Prints the error as one line (a stack only for bugs) and ends the process with its exit code. */
export function exitWithError(error: unknown): never {
  if (error instanceof ServiceError) {
    console.error(`error: ${error.message} — fix: ${error.fix}`);
    process.exit(error.exitCode);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
