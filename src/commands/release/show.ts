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
    const { readRelease } = await import('../../releases/index.js');
    const release = await readRelease(this.flags.cwd, this.args.id);
    const { artifact } = release;
    const rows: [string, string][] = [
      ['id', release.id],
      ['created', `${release.createdAt} by ${release.createdBy} (genai ${release.kitVersion})`],
      ['commit', release.git ? `${release.git.commit}${release.git.dirty ? ' (uncommitted changes)' : ''}` : 'none'],
      ['artifact', artifact.kind === 'local-bundle' ? `${artifact.path} (sha256 ${artifact.sha256})` : artifact.digest],
      ['deps', `.genai/deps/${release.dependencies.lockHash} (${release.dependencies.packages} packages)`],
      ['config', release.configHash],
      ['model', `${release.model.provider}/${release.model.id}`],
      [
        'embed',
        `${release.embeddings.provider}/${release.embeddings.id} (${release.embeddings.dimensions} dimensions)`,
      ],
      ['corpus', release.corpusHash],
    ];
    for (const [key, value] of rows) this.say(`${key.padEnd(10)}${value}`);
    return release;
  }
}
