import { Args } from '@oclif/core';
import { GenaiCommand } from '../../cli/base-command.js';

export default class ReleaseShow extends GenaiCommand<typeof ReleaseShow> {
  static override summary = 'Show one release: artifact, commit, configuration, model and corpus.';
  static override examples = [
    '<%= config.bin %> release show r-3fa9c2d41b07',
    '<%= config.bin %> release show r-3fa9 --json',
  ];
  static override args = {
    id: Args.string({ description: 'Release id, or an unambiguous prefix of it.', required: true }),
  };

  public async run() {
    const { readRelease, renderRelease } = await import('../../releases/index.js');
    const release = await readRelease(this.flags.cwd, this.args.id);
    this.say(renderRelease(release));
    return release;
  }
}
