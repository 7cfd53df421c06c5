import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';

export default class Traces extends GenaiCommand<typeof Traces> {
  static override summary =
    'Recent traces of an environment (running or stopped), or one trace as a tree of its steps.';
  static override examples = [
    '<%= config.bin %> traces',
    '<%= config.bin %> traces --env staging --limit 50',
    '<%= config.bin %> traces d7fb82c91e6acdad70476f733488fab5',
    '<%= config.bin %> traces --json',
  ];
  static override args = {
    traceId: Args.string({ description: 'A trace id (32 hex digits) to show as a tree.', required: false }),
  };
  static override flags = {
    env: Flags.string({ description: 'Environment (default: the first with target: local).' }),
    limit: Flags.integer({ description: 'How many recent traces to list.', default: 20, min: 1, max: 500 }),
  };

  public async run() {
    const { readTraces } = await import('../monitor/index.js');
    const { renderTraceList, renderTraceTree } = await import('../monitor/traces.js');
    const result = await readTraces(this.flags.cwd, {
      env: this.flags.env,
      id: this.args.traceId,
      limit: this.flags.limit,
    });
    this.say('trace' in result ? renderTraceTree(result.trace) : renderTraceList(result.traces, result.env));
    return result;
  }
}
