import { GenaiCommand } from '../../cli/base-command.js';

export default class ReleaseList extends GenaiCommand<typeof ReleaseList> {
  static override summary = 'List the releases of this project, oldest first.';
  static override examples = ['<%= config.bin %> release list', '<%= config.bin %> release list --json'];

  public async run() {
    const { listReleases, renderReleaseList } = await import('../../releases/index.js');
    const releases = await listReleases(this.flags.cwd);
    this.say(renderReleaseList(releases));
    return { releases };
  }
}
