import { Args } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';

export default class Outputs extends GenaiCommand<typeof Outputs> {
  static override summary = 'Endpoints and ids of a running environment.';
  static override examples = ['<%= config.bin %> outputs dev', '<%= config.bin %> outputs dev --json'];
  static override args = { env: Args.string({ description: 'Environment name from genai.yaml.', required: true }) };

  public async run() {
    const { outputs } = await import('../environments/index.js');
    const result = await outputs(this.flags.cwd, this.args.env);
    const rows: [string, string | number | undefined][] = [
      ['url', result.url],
      ['status', result.status],
      ['pid', result.pid],
      ['restarts', result.restarts],
      ['provider', result.provider],
      [
        'snapshot',
        result.snapshot
          ? `${result.snapshot.id} (${result.snapshot.documents} documents, ${result.snapshot.chunks} chunks)`
          : 'none',
      ],
      ['data', result.dataDir],
      ['log', result.logFile],
    ];
    for (const [key, value] of rows) this.say(`${key.padEnd(9)}${value ?? ''}`);
    return result;
  }
}
