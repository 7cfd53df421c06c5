import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';
import { FIRST_LOCAL_PORT } from '../environments/defaults.js';

export default class Up extends GenaiCommand<typeof Up> {
  static override summary = 'Deploy a release to an environment (by default one made from the current build).';
  static override description = `A local environment runs from the release's own copy under .genai/releases/, as a supervised background process with its own port and data; editing the sources changes nothing that runs until the next up. Up of the release an environment already runs is a no-op. A cloud environment (aws, kubernetes) runs a container image: give --image (or --release of an image release); its Pulumi stack is updated through the Automation API with the kit's policy pack.`;
  static override examples = [
    '<%= config.bin %> up dev',
    '<%= config.bin %> up staging --release r-3f2a9c81d0e4',
    '<%= config.bin %> up dev --port 9000 --json',
    '<%= config.bin %> up prod --image 123456789012.dkr.ecr.eu-west-1.amazonaws.com/assistant@sha256:…',
  ];
  static override args = { env: Args.string({ description: 'Environment name from genai.yaml.', required: true }) };
  static override flags = {
    release: Flags.string({ description: 'Release id to deploy (genai release list).', helpValue: 'RELEASE' }),
    image: Flags.string({
      description:
        'Container image pinned by digest (REPOSITORY@sha256:…), built and pushed by CI: recorded as a release and deployed (cloud targets).',
      helpValue: 'IMAGE',
      exclusive: ['release'],
    }),
    port: Flags.integer({
      description: `Port for a local environment (else genai.yaml, else the first free from ${FIRST_LOCAL_PORT}).`,
      min: 1024,
      max: 65535,
    }),
    'force-unlock': Flags.boolean({ description: "Break the environment's lock when its holder has died." }),
  };

  public async run() {
    const { deployEnvironment, renderDeployment } = await import('../releases/index.js');
    const result = await deployEnvironment({
      cwd: this.flags.cwd,
      env: this.args.env,
      release: this.flags.release,
      image: this.flags.image,
      port: this.flags.port,
      forceUnlock: this.flags['force-unlock'],
      onStep: (line) => this.say(line),
    });
    this.say(renderDeployment(result));
    return result;
  }
}
