import { GenaiCommand } from '../../cli/base-command.js';

export default class ReleaseList extends GenaiCommand<typeof ReleaseList> {
  static override summary = 'List the releases of this project, oldest first.';
  static override examples = ['<%= config.bin %> release list', '<%= config.bin %> release list --json'];

  public async run() {
    const { listReleases } = await import('../../releases/index.js');
    const releases = await listReleases(this.flags.cwd);
    if (releases.length === 0) {
      this.say('No releases yet; make one with genai release create');
      return { releases };
    }
    const rows = releases.map((r) => [
      r.id,
      r.createdAt.slice(0, 19).replace('T', ' '),
      r.createdBy,
      r.git ? `${r.git.commit.slice(0, 8)}${r.git.dirty ? ' (dirty)' : ''}` : '-',
      `${r.model.provider}/${r.model.id}`,
    ]);
    const table = [['ID', 'CREATED (UTC)', 'BY', 'COMMIT', 'MODEL'], ...rows];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    for (const row of table)
      this.say(
        row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
    return { releases };
  }
}
