import { Args } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';

export default class Outputs extends GenaiCommand<typeof Outputs> {
  static override summary = 'Endpoints and ids of a running environment.';
  static override examples = ['<%= config.bin %> outputs dev', '<%= config.bin %> outputs dev --json'];
  static override args = { env: Args.string({ description: 'Environment name from genai.yaml.', required: true }) };

  public async run() {
    const { outputs, renderOutputs } = await import('../environments/index.js');
    const result = await outputs(this.flags.cwd, this.args.env);
    this.say(renderOutputs(result));
    return result;
  }
}
