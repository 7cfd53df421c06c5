/**
 * Errors a user can cause are values: a stable code, one line of message, a fix, a location and the
 * documented exit code. The base command renders them; nothing below the commands prints.
 */
export const ExitCode = {
  ok: 0,
  /** An eval, budget or policy gate failed. */
  gateFailed: 1,
  /** The command line or an input file is wrong. */
  usage: 2,
  /** The environment is not as needed: missing tool, busy port, dead process, unreachable endpoint. */
  environment: 3,
  /** A bug in genai itself. */
  internal: 70,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface GenaiErrorOptions {
  /** What to do about it, in the imperative: "choose another port with --port". */
  fix?: string | undefined;
  /** Where: "genai.yaml:12:5" or a path. */
  location?: string | undefined;
  /** The field path inside the file: "environments.prod.region". */
  field?: string | undefined;
  exitCode?: ExitCodeValue | undefined;
  cause?: unknown;
}

export class GenaiError extends Error {
  readonly code: string;
  readonly fix?: string | undefined;
  readonly location?: string | undefined;
  readonly field?: string | undefined;
  readonly exitCode: ExitCodeValue;

  constructor(code: string, message: string, options: GenaiErrorOptions = {}) {
    // One fix per message: a fix quoted inside the message (a child process's own error line) is moved out,
    // and gives way to the caller's.
    const quoted = splitFix(message);
    const fix = options.fix ?? quoted.fix;
    super(redactCredentials(quoted.text), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GenaiError';
    this.code = code;
    this.fix = fix === undefined ? undefined : redactCredentials(firstFix(fix));
    this.location = options.location === undefined ? undefined : redactCredentials(options.location);
    this.field = options.field;
    this.exitCode = options.exitCode ?? ExitCode.usage;
  }

  /** The one line a user reads: where, which field, what is wrong, and the fix. */
  toLine(): string {
    const where = [this.location, this.field].filter(Boolean).join(' ');
    const head = where ? `${where}: ${this.message}` : this.message;
    return this.fix ? `${head} — fix: ${this.fix}` : head;
  }

  /** The --json form; like `toLine`, an empty location, field or fix is left out. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      location: this.location || undefined,
      field: this.field || undefined,
      fix: this.fix || undefined,
      exitCode: this.exitCode,
    };
  }
}

export const usageError = (code: string, message: string, options: Omit<GenaiErrorOptions, 'exitCode'> = {}) =>
  new GenaiError(code, message, { ...options, exitCode: ExitCode.usage });

export const environmentError = (code: string, message: string, options: Omit<GenaiErrorOptions, 'exitCode'> = {}) =>
  new GenaiError(code, message, { ...options, exitCode: ExitCode.environment });

export const gateError = (code: string, message: string, options: Omit<GenaiErrorOptions, 'exitCode'> = {}) =>
  new GenaiError(code, message, { ...options, exitCode: ExitCode.gateFailed });

export const isGenaiError = (value: unknown): value is GenaiError => value instanceof GenaiError;

/** The last non-empty line a failed child process printed, for a one-line error; else the fallback. */
export function lastOutputLine(output: unknown, fallback: string | undefined): string {
  return (
    String(output ?? '')
      .trim()
      .split('\n')
      .filter(Boolean)
      .pop() ??
    fallback ??
    'no output'
  );
}

const QUOTED_FIX = /\s*(?:[—–-]+\s*)?\bfix:\s*/i;

/**
 * A one-line error of a child process, "error: X — fix: Y", split into its text and its fix, so that a
 * message quoting it carries one fix only. A line without a fix comes back whole.
 */
export function splitFix(line: string): { text: string; fix?: string } {
  const match = QUOTED_FIX.exec(line);
  if (!match) return { text: line };
  const text = line.slice(0, match.index).trimEnd();
  const fix = line
    .slice(match.index + match[0].length)
    .split(QUOTED_FIX)[0]!
    .trim();
  return fix ? { text, fix } : { text };
}

function firstFix(fix: string): string {
  const { text, fix: inner } = splitFix(fix);
  return text || inner || fix;
}

/** `https://user:secret@host` → `https://***@host`: a password in a URL is never printed. */
export function redactCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}
