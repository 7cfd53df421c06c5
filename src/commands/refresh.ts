import { Args } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';

export default class Refresh extends GenaiCommand<typeof Refresh> {
  static override summary = "Read an environment's real state back into its record, changing nothing that runs.";
  static override description =
    'For a cloud environment: a Pulumi refresh of its stack, then its outputs recorded again for genai outputs and genai eval --env. For a local one: whether its process still runs.';
  static override examples = ['<%= config.bin %> refresh prod', '<%= config.bin %> refresh dev --json'];
  static override args = { env: Args.string({ description: 'Environment name from genai.yaml.', required: true }) };

  public async run() {
    const { refresh, renderOutputs } = await import('../environments/index.js');
    const result = await refresh(this.flags.cwd, this.args.env, (line) => this.say(line));
    this.say(result.outputs ? renderOutputs(result.outputs) : `${result.env}: nothing is provisioned`);
    return result;
  }
}
