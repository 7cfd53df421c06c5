import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';
import { ciProviders, type CiProvider } from '../vocabulary.js';

export default class Ci extends GenaiCommand<typeof Ci> {
  static override summary = "Write the project's CI/CD pipelines from genai.yaml: checks, evals, release, promotion.";
  static override description =
    'Pull requests: format, types, tests, genai check, offline evals (job summary and a comment) and the cost change. ' +
    'Main: build once, genai release create, deploy the first environment, evaluate it, promote through the others in ' +
    'order (a person approves where promotion.approval says). Nightly: evaluate the last environment. Cloud ' +
    'credentials come from OIDC. Existing pipeline files with other content are refused without --force; run it again ' +
    'after changing the environments.';
  static override examples = [
    '<%= config.bin %> ci github',
    '<%= config.bin %> ci gitlab --dry-run',
    '<%= config.bin %> ci github --force --json',
  ];
  static override args = {
    provider: Args.string({
      description: 'CI provider.',
      required: true,
      options: [...ciProviders],
    }),
  };
  static override flags = {
    force: Flags.boolean({ description: 'Overwrite pipeline files that exist with other content.' }),
    'dry-run': Flags.boolean({ description: 'Print what would be written; write nothing.' }),
  };

  public async run() {
    const { actionLabels, writePipelines } = await import('../scaffold/index.js');
    const dryRun = this.flags['dry-run'];
    const result = await writePipelines(this.flags.cwd, this.args.provider as CiProvider, {
      force: this.flags.force,
      dryRun,
      onFile: (path, action) => this.say(dryRun ? `would ${action} ${path}` : `${actionLabels[action]} ${path}`),
    });
    const chain = result.spec.stages.map((s) => `${s.env}${s.approval ? ' (approval)' : ''}`).join(' → ');
    if (dryRun) {
      const refusal = result.refused.length ? ` (refused: ${result.refused.join(', ')} exist; --force overwrites)` : '';
      this.say(`dry run: ${result.provider} pipelines delivering ${chain}, nothing written${refusal}`);
    } else {
      this.say(`${result.provider} pipelines delivering ${chain}`);
    }
    return result;
  }
}
