import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';
import { initCiChoices, initModelProviders, initVectorStores } from '../scaffold/options.js';
import { targets } from '../vocabulary.js';

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
    provider: Flags.string({ description: 'Model provider.', options: [...initModelProviders] }),
    'base-url': Flags.string({
      description: 'Base URL of an OpenAI-compatible server (with --provider openai-compatible).',
    }),
    'vector-store': Flags.string({
      description: 'Vector store of cloud environments (local ones use PGlite with pgvector).',
      options: [...initVectorStores],
    }),
    environments: Flags.string({ description: 'Environment names in promotion order, comma-separated.' }),
    region: Flags.string({ description: 'AWS region of cloud environments; also the allowed-regions constraint.' }),
    ci: Flags.string({ description: 'CI provider for the generated pipeline.', options: [...initCiChoices] }),
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
    const { initProject } = await import('../scaffold/index.js');
    const interactive = !this.flags.yes && process.stdin.isTTY && process.stdout.isTTY;
    return initProject(this.args.dir, this.flags, {
      ask: interactive ? await terminalAsker() : undefined,
      say: (line) => this.say(line),
      interruptible: (work) =>
        this.interruptible(work, '\nstopping: putting the folder back as it was (Ctrl-C again to quit at once)…'),
      quiet: this.jsonEnabled(),
      start: async (...args) => (await import('../releases/index.js')).startAndAsk(...args),
    });
  }
}

async function terminalAsker() {
  const { input, select } = await import('@inquirer/prompts');
  return {
    text: (message: string, fallback: string, validate?: (value: string) => string | true) =>
      // @inquirer/prompts declares validate?: without undefined: the key may only be there with a function.
      input({ message, default: fallback, ...(validate ? { validate } : {}) }),
    choose: (message: string, choices: readonly string[], fallback: string) =>
      select({ message, choices: choices.map((value) => ({ value })), default: fallback }),
  };
}
