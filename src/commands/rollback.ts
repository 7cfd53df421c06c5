import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';

export default class Rollback extends GenaiCommand<typeof Rollback> {
  static override summary = 'Run an earlier release in an environment again.';
  static override description = `Without --to: the release ENV ran before its current one (skipping releases a rollback already ended). Recorded in .genai/ledger.jsonl.`;
  static override examples = ['<%= config.bin %> rollback prod', '<%= config.bin %> rollback prod --to r-3f2a9c81d0e4'];
  static override args = { env: Args.string({ description: 'Environment name from genai.yaml.', required: true }) };
  static override flags = {
    to: Flags.string({ description: 'Release id to go back to (genai release list).', helpValue: 'RELEASE' }),
    'force-unlock': Flags.boolean({ description: "Break the environment's lock when its holder has died." }),
  };

  public async run() {
    const { rollback, renderRollback } = await import('../releases/index.js');
    const result = await rollback({
      cwd: this.flags.cwd,
      env: this.args.env,
      to: this.flags.to,
      forceUnlock: this.flags['force-unlock'],
      onStep: (line) => this.say(line),
    });
    this.say(renderRollback(result));
    return result;
  }
}
