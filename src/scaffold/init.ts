import { isAbsolute, relative, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { validateProjectName } from '../manifest/name.js';
import { installDependencies } from './install.js';
import { defaultKitDependency, templatesDir } from './kit.js';
import { firstLocalEnvironment } from './options.js';
import { planProject } from './plan.js';
import { resolveInitOptions, type Asker } from './resolve.js';
import { actionLabels, inspectTarget, plannedActions, writeProject, type StagingRecovery } from './write.js';

/** The command line of `genai init`, as oclif parses it. */
export interface InitFlags {
  cwd: string;
  name?: string | undefined;
  target?: string | undefined;
  provider?: string | undefined;
  'base-url'?: string | undefined;
  'vector-store'?: string | undefined;
  environments?: string | undefined;
  region?: string | undefined;
  ci?: string | undefined;
  yes: boolean;
  'dry-run': boolean;
  force: boolean;
  install: boolean;
  start: boolean;
  'kit-spec'?: string | undefined;
}

/** What the terminal lends `genai init`. */
export interface InitTerminal {
  /** Asks what the flags left open; undefined when no terminal can answer (CI, pipes, --yes). */
  ask?: Asker | undefined;
  /** A line for people (silent under --json). */
  say: (line: string) => void;
  /** Runs the write so that Ctrl-C stops it and puts the folder back as it was. */
  interruptible: <R>(work: (signal: AbortSignal) => Promise<R>) => Promise<R>;
  /** Keep npm's output off the terminal (--json). */
  quiet: boolean;
  /** --start: deploys the environment and asks it a sample question (the releases module does it). */
  start: (projectDir: string, shown: string, env: string, say: (line: string) => void) => Promise<StartedService>;
}

/** What `init --start` found: the environment's URL and its answer to the sample question. */
export interface StartedService {
  env: string;
  url: string;
  question: string;
  answer: string;
  citations: { id: string; title: string }[];
  traceId: string;
}

/**
 * `genai init [DIR]`: resolves the options (flag, default under --yes, or prompt), plans the files, then
 * lists them (--dry-run) or writes them, installs the dependencies and, with --start, brings the first
 * local environment up and asks it a sample question.
 */
export async function initProject(dir: string | undefined, flags: InitFlags, terminal: InitTerminal) {
  const { say } = terminal;
  if (flags.start && !flags.install) {
    throw usageError('E_FLAGS', '--start needs the dependencies installed', {
      fix: 'drop --no-install, or drop --start',
    });
  }
  const resolved = await resolveInitOptions(
    {
      dir,
      name: flags.name,
      target: flags.target,
      provider: flags.provider,
      baseUrl: flags['base-url'],
      vectorStore: flags['vector-store'],
      environments: flags.environments,
      region: flags.region,
      ci: flags.ci,
    },
    { yes: flags.yes, ask: terminal.ask, validateName: validateProjectName },
  );
  const { options } = resolved;
  const projectDir = resolve(flags.cwd, resolved.dir);
  const shown = isAbsolute(resolved.dir) ? projectDir : relative(process.cwd(), projectDir) || '.';
  const plan = await planProject({
    options,
    templatesDir,
    kit: flags['kit-spec'] ? { spec: flags['kit-spec'] } : await defaultKitDependency(),
  });

  if (flags['dry-run']) {
    const target = await inspectTarget(projectDir);
    const actions = await plannedActions(projectDir, plan.files);
    for (const stale of target.stale) say(`would remove ${stale}, left by an interrupted genai, and undo its changes`);
    for (const [path, action] of actions) say(`would ${action} ${path}`);
    const refusal =
      target.entries.filter((e) => e !== '.git').length > 0 && !flags.force
        ? ' (refused: the folder is not empty; --force overwrites)'
        : '';
    say(`dry run: ${plan.files.length} files for ${options.name} in ${shown}, nothing written${refusal}`);
    return {
      dryRun: true,
      dir: projectDir,
      name: options.name,
      options,
      files: [...actions].map(([path, action]) => ({ path, action })),
    };
  }

  const actions = await terminal.interruptible((signal) =>
    writeProject(projectDir, plan.files, {
      force: flags.force,
      onFile: (path, action) => say(`${actionLabels[action]} ${path}`),
      onRecovered: (r) => say(describeRecovery(r)),
      signal,
    }),
  );
  say(`${options.name}: ${actions.size} files in ${shown}`);

  if (flags.install) {
    say('Installing dependencies (npm install)…');
    await installDependencies(projectDir, { quiet: terminal.quiet });
  }
  const result = {
    dir: projectDir,
    name: options.name,
    options,
    files: [...actions].map(([path, action]) => ({ path, action })),
    installed: flags.install,
    started: undefined as undefined | StartedService,
  };
  const env = firstLocalEnvironment(options);
  if (flags.start) {
    result.started = await terminal.start(projectDir, shown, env, say);
  } else {
    say(`Next: cd ${shown} && npx genai up ${env}`);
  }
  return result;
}

/** "Removed .genai-write-1a2b3c4d, left by an interrupted genai (restored 2 originals, removed 5 files)". */
export function describeRecovery(recovery: StagingRecovery): string {
  const undone = [
    recovery.restored.length
      ? `restored ${recovery.restored.length} original${recovery.restored.length === 1 ? '' : 's'}`
      : '',
    recovery.removed.length
      ? `removed ${recovery.removed.length} file${recovery.removed.length === 1 ? '' : 's'} it had added`
      : '',
  ].filter(Boolean);
  return `Removed ${recovery.staging}, left by an interrupted genai${undone.length ? ` (${undone.join(', ')})` : ''}`;
}
