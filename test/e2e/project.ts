import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';

/** The kit's command line, built. */
export const bin = join(import.meta.dirname, '..', '..', 'bin', 'run.js');

/** The built CLI (npm test builds first), as a user runs it in `cwd`; a failing exit is a result, not a throw. */
export const runGenai = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  execa(process.execPath, [bin, ...args], { cwd, reject: false, all: true, env });

/**
 * `genai init NAME --yes [args]` in a new temporary folder, each environment in `ports` pinned to its port:
 * end-to-end files run side by side, so each keeps to ports of its own.
 */
export async function initProject(
  name: string,
  options: { args?: string[]; ports?: Record<string, number> } = {},
): Promise<{ work: string; project: string }> {
  const work = await mkdtemp(join(tmpdir(), `genai-${name}-`));
  const project = join(work, name);
  const init = await runGenai(['init', name, '--yes', ...(options.args ?? [])], work);
  expect(init.exitCode, init.all).toBe(0);
  const manifest = join(project, 'genai.yaml');
  let text = await readFile(manifest, 'utf8');
  for (const [env, port] of Object.entries(options.ports ?? {})) {
    const pinned = text.replace(`${env}: { target: local }`, `${env}: { target: local, port: ${port} }`);
    expect(pinned, `genai.yaml has ${env}: { target: local }`).not.toBe(text);
    text = pinned;
  }
  await writeFile(manifest, text);
  return { work, project };
}
