import { dirname } from 'node:path';
import { Command, Errors, Flags, Interfaces } from '@oclif/core';
import { ExitCode, GenaiError, isGenaiError } from '../errors.js';

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof GenaiCommand)['baseFlags'] & T['flags']
>;
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * The shared behaviour of every genai command: `--json` (the command returns its result; oclif prints it),
 * `--cwd` for the project folder, and errors rendered as one line with a fix and the documented exit code.
 */
export abstract class GenaiCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    cwd: Flags.directory({
      description: 'Project folder (where genai.yaml is).',
      default: '.',
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: CommandFlags<T>;
  protected args!: CommandArgs<T>;
  /** Every positional argument in order, also those past `args` (for `strict = false` commands). */
  protected positionals!: string[];

  public override async init(): Promise<void> {
    await super.init();
    const { args, argv, flags } = await this.parse({
      args: this.ctor.args,
      baseFlags: (super.ctor as typeof GenaiCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      flags: this.ctor.flags,
      strict: this.ctor.strict,
    });
    this.flags = flags as CommandFlags<T>;
    this.args = args as CommandArgs<T>;
    this.positionals = argv as string[];
  }

  /** Human output: silent under --json, where the returned value is the output. */
  protected say(message = ''): void {
    if (!this.jsonEnabled()) this.log(message);
  }

  /** A yes/no question for a person at a terminal; undefined where nobody can answer (CI, pipes, --json). */
  protected confirmAtTerminal(): ((question: string) => Promise<boolean>) | undefined {
    if (this.jsonEnabled() || !process.stdin.isTTY || !process.stdout.isTTY) return undefined;
    return async (message) => (await import('@inquirer/prompts')).confirm({ message, default: false });
  }

  /** Warnings go to stderr so that stdout stays clean for pipes and --json. */
  protected warnLine(message: string): void {
    this.logToStderr(`warning: ${message}`);
  }

  /**
   * Runs `work` so that Ctrl-C (SIGINT) or SIGTERM stops it cleanly: the first signal prints `message` to
   * stderr and aborts the work's signal, so it can finish what it must; a second one exits 130 at once.
   * The handlers are removed when the work ends, however it ends.
   */
  protected async interruptible<R>(work: (signal: AbortSignal) => Promise<R>, message: string): Promise<R> {
    const controller = new AbortController();
    const onSignal = () => {
      if (controller.signal.aborted) process.exit(ExitCode.interrupted);
      this.logToStderr(message);
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await work(controller.signal);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  public override async catch(err: Error & { exitCode?: number }): Promise<void> {
    const error = toGenaiError(err, this.id);
    // oclif loses the exit code under --json (oclif/core#1423): set it here, for both paths.
    process.exitCode = error.exitCode;
    if (this.jsonEnabled()) {
      this.logJson({ error: error.toJSON() });
      return;
    }
    this.logToStderr(`error: ${error.toLine()}`);
    if (error.exitCode === ExitCode.internal && process.env.GENAI_DEBUG) this.logToStderr(String(err.stack));
  }
}

/** How oclif rewrites the message of an error thrown while parsing a flag (@oclif/core parser/parse.js). */
const FLAG_PARSE_WRAPPER = /^Parsing --\S+ \n\t([\s\S]*)\nSee more help with --help$/;

/** Maps anything thrown to a GenaiError: ours pass through, oclif's parse errors are usage errors. */
export function toGenaiError(err: unknown, commandId?: string): GenaiError {
  if (isGenaiError(err)) {
    // A flag's parse function threw it, and oclif wrapped its message in lines of its own: keep ours.
    const own = FLAG_PARSE_WRAPPER.exec(err.message)?.[1];
    if (own !== undefined) err.message = own;
    return err;
  }
  const help = commandId ? `run genai ${commandId.replaceAll(':', ' ')} --help` : 'run genai --help';
  if (err instanceof Errors.CLIError || (err as { oclif?: { exit?: number } })?.oclif?.exit === 2) {
    const first =
      String((err as Error).message)
        .split('\n')[0]
        ?.trim() ?? 'invalid command line';
    return new GenaiError('E_USAGE', first.replace(/^Error:\s*/, ''), { fix: help, exitCode: ExitCode.usage });
  }
  const fileSystem = fileSystemError(err);
  if (fileSystem) return fileSystem;
  const message = err instanceof Error ? err.message : String(err);
  return new GenaiError('E_INTERNAL', `unexpected failure: ${message.split('\n')[0]}`, {
    fix: 'set GENAI_DEBUG=1 for the stack and report it',
    exitCode: ExitCode.internal,
    cause: err,
  });
}

/** System calls whose path is itself the folder being read, not a file inside the folder that lacks access. */
const FOLDER_CALLS = new Set(['scandir', 'opendir', 'rmdir', 'chdir']);

/**
 * A permission or full-disk error of the file system is the user's to fix, not a bug of genai: permission
 * (EACCES, EPERM, EROFS) exits 2 naming the folder, a full disk or quota (ENOSPC, EDQUOT) exits 3. Node's error,
 * or one it caused, carries the code and the path.
 */
export function fileSystemError(err: unknown): GenaiError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const { code, path, syscall } = e as NodeJS.ErrnoException;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      const folder = path ? (syscall && FOLDER_CALLS.has(syscall) ? path : dirname(path)) : undefined;
      const what = path ? `${syscall ?? 'access'} ${path}` : (syscall ?? 'a file');
      return new GenaiError('E_PERMISSION', `permission denied (${code}): cannot ${what}`, {
        fix: folder
          ? `give yourself write access (chmod u+rwx ${folder}), or choose another folder`
          : 'give yourself access to the folder (chmod u+rwx), or choose another folder',
        exitCode: ExitCode.usage,
        cause: err,
      });
    }
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      const where = path ? ` writing ${path}` : '';
      return new GenaiError(
        'E_DISK_FULL',
        `${code === 'ENOSPC' ? 'no space left on the device' : 'disk quota exceeded'}${where} (${code})`,
        {
          fix: `free some space${path ? ` on the disk of ${dirname(path)}` : ''}, or choose a folder on another disk`,
          exitCode: ExitCode.environment,
          cause: err,
        },
      );
    }
  }
  return undefined;
}
