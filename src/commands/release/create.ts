import { Flags } from '@oclif/core';
import { GenaiCommand } from '../../cli/base-command.js';

const size = (bytes: number) =>
  bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${Math.round(bytes / 1e3)} KB` : `${bytes} B`;

export default class ReleaseCreate extends GenaiCommand<typeof ReleaseCreate> {
  static override summary = 'Record an immutable release of the built service, its dependencies and its configuration.';
  static override description =
    'Builds the service if its sources are newer than dist/, then copies dist/, data/, package.json, package-lock.json and genai.yaml to .genai/releases/ID with its run-time dependencies. The id follows from the content: the same content gives the same release.';
  static override examples = [
    '<%= config.bin %> release create',
    '<%= config.bin %> release create --json',
    '<%= config.bin %> release create --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/assistant@sha256:…',
  ];
  static override flags = {
    image: Flags.string({
      description:
        'Record a release of a container image CI built and pushed, pinned by digest (REPOSITORY@sha256:…), for cloud environments; nothing is copied.',
      helpValue: 'IMAGE',
    }),
  };

  public async run() {
    const { createImageRelease, createRelease } = await import('../../releases/index.js');
    if (this.flags.image) {
      const made = await createImageRelease(this.flags.cwd, this.flags.image);
      this.say(
        made.created
          ? `Created release ${made.release.id}: image ${this.flags.image}`
          : `Release ${made.release.id} already records this image (created ${made.release.createdAt}); nothing to do`,
      );
      return made;
    }
    const result = await createRelease(this.flags.cwd);
    const { release, bundle, dependencies } = result;
    if (result.built) this.say('Built the service first (its sources were newer than dist/)');
    const packages = `${dependencies.packages} package${dependencies.packages === 1 ? '' : 's'}`;
    const deps = dependencies.reused
      ? `${packages} (${dependencies.path}, shared)`
      : `${packages} (${dependencies.path}, ${size(dependencies.bytes)} copied in ${(dependencies.copyMs / 1000).toFixed(1)} s)`;
    this.say(
      result.created
        ? `Created release ${release.id}: ${bundle.files} files (${size(bundle.bytes)}) and ${deps}`
        : `Release ${release.id} already has this content (created ${release.createdAt}); nothing to do`,
    );
    return result;
  }
}
