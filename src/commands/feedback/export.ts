import { Flags } from '@oclif/core';
import { GenaiCommand } from '../../cli/base-command.js';

export default class FeedbackExport extends GenaiCommand<typeof FeedbackExport> {
  static override summary =
    'Write rated interactions of an environment (running or stopped) as candidate eval cases (JSONL).';
  static override examples = [
    '<%= config.bin %> feedback export --env dev --rating down',
    '<%= config.bin %> feedback export --env prod --out evals/from-users.jsonl --force',
  ];
  static override flags = {
    env: Flags.string({ description: 'Environment (default: the first with target: local).' }),
    rating: Flags.string({ description: 'Only interactions rated this way.', options: ['up', 'down'] }),
    out: Flags.string({ description: 'File to write.', default: 'evals/candidates.jsonl' }),
    force: Flags.boolean({ description: 'Replace --out when it exists.', default: false }),
    limit: Flags.integer({ description: 'How many recent interactions to read.', default: 500, min: 1, max: 500 }),
  };

  public async run() {
    const { exportFeedback } = await import('../../monitor/index.js');
    const { relative } = await import('node:path');
    const result = await exportFeedback(this.flags.cwd, {
      env: this.flags.env,
      rating: this.flags.rating as 'up' | 'down' | undefined,
      out: this.flags.out,
      force: this.flags.force,
      limit: this.flags.limit,
    });
    const shown = relative(process.cwd(), result.out) || result.out;
    this.say(
      result.cases
        ? `wrote ${result.cases} candidate case(s) to ${shown} from ${result.interactions} ${result.rating ?? 'rated'} interaction(s) of ${result.env}; fill in their expected fields, then move them into the dataset`
        : `no ${result.rating ?? 'rated'} interactions in ${result.env}; wrote an empty ${shown}`,
    );
    return result;
  }
}
