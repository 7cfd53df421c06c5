import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@oclif/test';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { genai, project } from '../evals/helpers/project.js';
import { answerHandler, startServer, type TestServer } from '../evals/helpers/servers.js';

/**
 * Ctrl-C (or SIGTERM) while a command works, through the base command's one interrupt mechanism: the
 * built commands run in this process, and the signal comes the moment the command starts listening for it.
 */
const root = join(import.meta.dirname, '..', '..');

function signalWhenListening(signal: NodeJS.Signals): void {
  const onNewListener = (event: string | symbol) => {
    if (event !== signal) return;
    process.off('newListener', onNewListener);
    // 'newListener' comes before the listener is added: send the signal once it is.
    process.nextTick(() => process.emit(signal));
  };
  process.on('newListener', onNewListener);
}

async function run(args: string[]) {
  const listeners = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
  const output = await runCommand(args, { root });
  const exitCode = process.exitCode ?? 0;
  process.exitCode = undefined;
  const left = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
  return { ...output, exitCode, listeners, left };
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer(answerHandler());
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  process.exitCode = undefined;
});

describe('interrupting a command', () => {
  it('eval stops on SIGTERM as on Ctrl-C: exit 130, a resumable run, and no signal handler left behind', async () => {
    const dir = await project({});
    signalWhenListening('SIGTERM');
    const result = await run(['eval', '--url', server.url, '--no-progress', '--cwd', dir]);
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('stopping: finishing the results file (Ctrl-C again to quit at once)…');
    expect(result.stderr).toMatch(/interrupted: resume with genai eval --resume \d{8}T\d{9}Z-[0-9a-f]{4}/);
    expect(result.left).toEqual(result.listeners);

    const runs = join(dir, '.genai', 'evals', 'runs');
    const [id] = await readdir(runs);
    expect(JSON.parse(await readFile(join(runs, id!, 'run.json'), 'utf8')).status).toBe('interrupted');
    const resumed = await genai(['eval', '--resume', id!, '--json'], dir);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).summary).toMatchObject({ total: 5, passed: 5, missing: 0 });
  });

  it('init stopped by Ctrl-C while writing exits 130 and leaves no folder behind', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'genai-init-interrupt-')), 'demo');
    signalWhenListening('SIGINT');
    // A given kit spec: packing the kit would spawn npm, whose own SIGINT handler would take the signal.
    const result = await run(['init', dir, '--yes', '--no-install', '--kit-spec', '0.1.0']);
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('stopping: putting the folder back as it was (Ctrl-C again to quit at once)…');
    expect(result.stderr).toContain('error: interrupted; nothing was written');
    expect(existsSync(dir)).toBe(false);
    expect(result.left).toEqual(result.listeners);
  });

  it('init stopped by SIGTERM while writing is handled like Ctrl-C: exit 130, no folder, no staging left', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'genai-init-interrupt-')), 'demo');
    signalWhenListening('SIGTERM');
    const result = await run(['init', dir, '--yes', '--no-install', '--kit-spec', '0.1.0']);
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('error: interrupted; nothing was written');
    expect(existsSync(dir)).toBe(false);
    expect(result.left).toEqual(result.listeners);
  });
});
