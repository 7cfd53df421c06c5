import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';

export default class Preview extends GenaiCommand<typeof Preview> {
  static override summary = 'Show what deploying a release to an environment would change, changing nothing.';
  static override description = `For a cloud environment (aws, kubernetes): a Pulumi preview of its stack with the kit's policy pack. The release is the one named, the image given, or else the one the environment runs. Needs the Pulumi CLI and the environment's credentials; a missing one is reported first, with the command that fixes it (exit 3).`;
  static override examples = [
    '<%= config.bin %> preview prod',
    '<%= config.bin %> preview dev --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/assistant@sha256:…',
  ];
  static override args = { env: Args.string({ description: 'Environment name from genai.yaml.', required: true }) };
  static override flags = {
    release: Flags.string({ description: 'Release id to preview (genai release list).', helpValue: 'RELEASE' }),
    image: Flags.string({
      description: 'Container image pinned by digest (REPOSITORY@sha256:…) to preview as a release.',
      helpValue: 'IMAGE',
      exclusive: ['release'],
    }),
  };

  public async run() {
    const { previewEnvironment } = await import('../releases/index.js');
    const result = await previewEnvironment({
      cwd: this.flags.cwd,
      env: this.args.env,
      release: this.flags.release,
      image: this.flags.image,
      onStep: (line) => this.say(line),
    });
    const changes = Object.entries(result.changes)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${count} to ${kind}`);
    this.say(`${result.env}: release ${result.release}; ${changes.length ? changes.join(', ') : 'no changes'}`);
    return result;
  }
}
