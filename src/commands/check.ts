import { GenaiCommand } from '../cli/base-command.js';

export default class Check extends GenaiCommand<typeof Check> {
  static override summary = 'Validate genai.yaml and the constraints that need no cloud.';

  public async run(): Promise<{ ok: boolean }> {
    this.say('placeholder');
    return { ok: true };
  }
}
