import { GenaiCommand } from '../cli/base-command.js';

export default class Status extends GenaiCommand<typeof Status> {
  static override summary = 'What runs where: releases, drift, last evals, pending approvals and locks.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];

  public async run() {
    const { projectStatus, renderStatus } = await import('../releases/index.js');
    const status = await projectStatus(this.flags.cwd);
    this.say(renderStatus(status));
    return status;
  }
}
