import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';
import { FIRST_LOCAL_PORT } from '../environments/defaults.js';

export default class Up extends GenaiCommand<typeof Up> {
  static override summary = 'Start an environment (local: a supervised background process with its own port and data).';
  static override examples = ['<%= config.bin %> up dev', '<%= config.bin %> up dev --port 9000 --json'];
  static override args = { env: Args.string({ description: 'Environment name from genai.yaml.', required: true }) };
  static override flags = {
    port: Flags.integer({
      description: `Port for a local environment (else genai.yaml, else the first free from ${FIRST_LOCAL_PORT}).`,
      min: 1024,
      max: 65535,
    }),
  };

  public async run() {
    const { up } = await import('../environments/index.js');
    const result = await up(this.flags.cwd, this.args.env, { port: this.flags.port, onStep: (line) => this.say(line) });
    this.say(
      result.changed
        ? `${result.env} is up at ${result.url} (pid ${result.pid})`
        : `${result.env} is already running at ${result.url} (pid ${result.pid}); nothing to do`,
    );
    return result;
  }
}
