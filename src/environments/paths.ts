import { join } from 'node:path';

/** Where the kit keeps an environment's files inside a project: all under `.genai/`, never elsewhere. */
export function environmentPaths(projectDir: string, env: string) {
  const root = join(projectDir, '.genai');
  const home = join(root, 'envs', env);
  return {
    home,
    state: join(home, 'state.json'),
    supervisorConfig: join(home, 'supervisor.json'),
    log: join(home, 'service.log'),
    /** A cloud environment's outputs, as its last up or refresh recorded them. */
    outputs: join(home, 'outputs.json'),
    data: join(root, 'data', env),
    /** The service's lock beside its data folder (PGlite opens a folder from one process only). */
    dataLock: join(root, 'data', `${env}.lock`),
  };
}
