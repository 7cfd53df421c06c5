import { Args, Flags } from '@oclif/core';
import { isAbsolute, relative, resolve } from 'node:path';
import { GenaiCommand } from '../cli/base-command.js';
import { usageError } from '../errors.js';
import { ciProviders, modelProviders, targets, vectorStores } from '../scaffold/options.js';

export default class Init extends GenaiCommand<typeof Init> {
  static override summary = 'Scaffold a GenAI service that runs, is tested and can be promoted.';
  static override description =
    'Every prompt is also a flag; --yes takes the defaults (local target, offline provider). Dependencies are installed unless --no-install; --start brings the first local environment up and asks a sample question.';
  static override examples = [
    '<%= config.bin %> init demo --yes --start',
    '<%= config.bin %> init ./services/assistant --name cycle-assistant --target aws --provider bedrock --region eu-central-1 --yes',
    '<%= config.bin %> init demo --yes --dry-run',
  ];
  static override args = {
    dir: Args.string({
      description: 'Folder to create (any relative or absolute path); its last segment is the default name.',
    }),
  };
  static override flags = {
    name: Flags.string({ description: 'Project name: an npm package name and a DNS label.' }),
    target: Flags.string({ description: 'Where it runs.', options: [...targets] }),
    provider: Flags.string({ description: 'Model provider.', options: [...modelProviders] }),
    'base-url': Flags.string({
      description: 'Base URL of an OpenAI-compatible server (with --provider openai-compatible).',
    }),
    'vector-store': Flags.string({
      description: 'Vector store of cloud environments (local ones use PGlite with pgvector).',
      options: [...vectorStores],
    }),
    environments: Flags.string({ description: 'Environment names in promotion order, comma-separated.' }),
    region: Flags.string({ description: 'AWS region of cloud environments; also the allowed-regions constraint.' }),
    ci: Flags.string({ description: 'CI provider for the generated pipeline.', options: [...ciProviders] }),
    yes: Flags.boolean({ char: 'y', description: 'Take the default for every option not given; never prompt.' }),
    'dry-run': Flags.boolean({ description: 'Print what would be written; write nothing.' }),
    force: Flags.boolean({ description: 'Write into a non-empty folder, overwriting the files genai writes.' }),
    install: Flags.boolean({
      description: "Install the project's dependencies (npm install).",
      default: true,
      allowNo: true,
    }),
    start: Flags.boolean({
      description: 'After installing, start the first local environment and ask a sample question.',
    }),
    'kit-spec': Flags.string({
      description:
        'How the project depends on genai-kit (a version, or file: a path or packed tarball). Default: the published version, or this kit packed into vendor/ when it runs from a source checkout.',
    }),
  };

  public async run() {
    const { flags } = this;
    const scaffold = await import('../scaffold/index.js');
    const { validateProjectName } = await import('../manifest/name.js');
    if (flags.start && !flags.install) {
      throw usageError('E_FLAGS', '--start needs the dependencies installed', {
        fix: 'drop --no-install, or drop --start',
      });
    }

    const interactive = !flags.yes && process.stdin.isTTY && process.stdout.isTTY;
    const { dir, options } = await scaffold.resolveInitOptions(
      {
        dir: this.args.dir,
        name: flags.name,
        target: flags.target,
        provider: flags.provider,
        baseUrl: flags['base-url'],
        vectorStore: flags['vector-store'],
        environments: flags.environments,
        region: flags.region,
        ci: flags.ci,
      },
      { yes: flags.yes, ask: interactive ? await terminalAsker() : undefined, validateName: validateProjectName },
    );
    const projectDir = resolve(flags.cwd, dir);
    const shown = isAbsolute(dir) ? projectDir : relative(process.cwd(), projectDir) || '.';
    const plan = await scaffold.planProject({
      options,
      templatesDir: scaffold.templatesDir,
      kit: flags['kit-spec'] ? { spec: flags['kit-spec'] } : await scaffold.defaultKitDependency(),
    });

    if (flags['dry-run']) {
      const target = await scaffold.inspectTarget(projectDir);
      const actions = await scaffold.plannedActions(projectDir, plan.files);
      for (const [path, action] of actions) this.say(`would ${action} ${path}`);
      const refusal =
        target.entries.filter((e) => e !== '.git').length > 0 && !flags.force
          ? ' (refused: the folder is not empty; --force overwrites)'
          : '';
      this.say(`dry run: ${plan.files.length} files for ${options.name} in ${shown}, nothing written${refusal}`);
      return {
        dryRun: true,
        dir: projectDir,
        name: options.name,
        options,
        files: [...actions].map(([path, action]) => ({ path, action })),
      };
    }

    const actions = await scaffold.writeProject(projectDir, plan.files, {
      force: flags.force,
      onFile: (path, action) => this.say(`${scaffold.actionLabels[action]} ${path}`),
    });
    this.say(`${options.name}: ${actions.size} files in ${shown}`);

    if (flags.install) {
      this.say('Installing dependencies (npm install)…');
      await scaffold.installDependencies(projectDir, { quiet: this.jsonEnabled() });
    }
    const result = {
      dir: projectDir,
      name: options.name,
      options,
      files: [...actions].map(([path, action]) => ({ path, action })),
      installed: flags.install,
      started: undefined as undefined | Awaited<ReturnType<typeof startAndAsk>>,
    };
    const env = scaffold.firstLocalEnvironment(options);
    if (flags.start) {
      result.started = await startAndAsk(projectDir, shown, env, (line) => this.say(line));
    } else {
      this.say(`Next: cd ${shown} && npx genai up ${env}`);
    }
    return result;
  }
}

const sampleQuestion = 'How do I export my data as a CSV file?';

async function startAndAsk(projectDir: string, shown: string, env: string, say: (line: string) => void) {
  const { up } = await import('../environments/index.js');
  const { askService } = await import('../environments/ask.js');
  const upResult = await up(projectDir, env, { onStep: say });
  const answer = await askService(upResult.url, sampleQuestion);
  say('');
  say(`Q: ${sampleQuestion}`);
  say(`A: ${answer.answer}`);
  say(`Citations: ${answer.citations.map((c) => `${c.id} (${c.title})`).join(', ') || 'none'}`);
  say(`Trace: ${answer.traceId}`);
  say('');
  say(`${env} is running at ${upResult.url}. Ask more:`);
  say(
    `  curl -s ${upResult.url}/v1/answer -H 'content-type: application/json' -d '{"question":"How do I cancel my subscription?"}'`,
  );
  say(`Stop it and remove its data: cd ${shown} && npx genai destroy ${env}`);
  return { env, url: upResult.url, pid: upResult.pid, question: sampleQuestion, ...answer };
}

async function terminalAsker() {
  const { input, select } = await import('@inquirer/prompts');
  return {
    text: (message: string, fallback: string, validate?: (value: string) => string | true) =>
      input({ message, default: fallback, validate }),
    choose: (message: string, choices: readonly string[], fallback: string) =>
      select({ message, choices: choices.map((value) => ({ value })), default: fallback }),
  };
}
