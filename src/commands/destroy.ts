import { Args } from '@oclif/core';
import { relative, resolve } from 'node:path';
import { GenaiCommand } from '../cli/base-command.js';

export default class Destroy extends GenaiCommand<typeof Destroy> {
  static override summary = 'Stop an environment and remove its data (a cloud one: destroy its stack).';
  static override examples = ['<%= config.bin %> destroy dev'];
  static override args = { env: Args.string({ description: 'Environment name from genai.yaml.', required: true }) };

  public async run() {
    const { destroy } = await import('../environments/index.js');
    const result = await destroy(this.flags.cwd, this.args.env, (line) => this.say(line));
    const removed = result.removed.map((p) => relative(resolve(this.flags.cwd), p));
    this.say(
      `${result.env}: ${result.stopped ? 'stopped' : 'was not running'}; ${removed.length ? `removed ${removed.join(', ')}` : 'no data to remove'}`,
    );
    return result;
  }
}
