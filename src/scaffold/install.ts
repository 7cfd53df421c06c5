import { environmentError, lastOutputLine } from '../errors.js';

/** `npm install` in the new project, as create-* tools do; its output goes to stderr so stdout stays data. */
export async function installDependencies(dir: string, options: { quiet?: boolean } = {}): Promise<void> {
  // execa costs ~90 ms to load; `init --no-install` never needs it.
  const { execa } = await import('execa');
  const result = await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    reject: false,
    stdout: options.quiet ? 'pipe' : ['pipe', process.stderr],
    stderr: options.quiet ? 'pipe' : ['pipe', process.stderr],
    all: true,
  });
  if (result.failed) {
    const last = lastOutputLine(result.all, result.shortMessage);
    throw environmentError('E_INSTALL', `npm install failed in ${dir}: ${last}`, {
      fix: 'check the network and the npm registry, then run npm install in the project',
    });
  }
}
