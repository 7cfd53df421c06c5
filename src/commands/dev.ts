import { Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';
import { ExitCode } from '../errors.js';
import { FIRST_LOCAL_PORT } from '../environments/defaults.js';

export default class Dev extends GenaiCommand<typeof Dev> {
  static override summary = 'Run the service in the foreground on the embedded default (ingests first; Ctrl-C stops).';
  static override enableJsonFlag = false;
  static override examples = ['<%= config.bin %> dev', '<%= config.bin %> dev --env local --port 9000'];
  static override flags = {
    env: Flags.string({ description: 'Local environment whose data to use (default: the first with target: local).' }),
    port: Flags.integer({
      description: `Port (default: genai.yaml, else the first free from ${FIRST_LOCAL_PORT}).`,
      min: 1024,
      max: 65535,
    }),
  };

  public async run(): Promise<void> {
    const { dev } = await import('../environments/index.js');
    const { apiKeyShell } = await import('../environments/service-env.js');
    const code = await dev(this.flags.cwd, this.flags.env, { port: this.flags.port }, ({ url, snapshot, env }) => {
      this.log(`index snapshot ${snapshot.id}: ${snapshot.documents} documents, ${snapshot.chunks} chunks`);
      this.log(
        `serving on ${url} — try: curl -s ${url}/v1/answer -H "authorization: Bearer ${apiKeyShell(`.genai/envs/${env}/keys.json`)}" -H 'content-type: application/json' -d '{"question":"How do I export my data?"}'`,
      );
    });
    if (code !== 0 && code !== ExitCode.interrupted) process.exitCode = ExitCode.environment;
  }
}
