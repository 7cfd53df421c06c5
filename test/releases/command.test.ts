import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fakeProject, root, tempDir } from './helpers.js';

/** The built CLI in a child process, as a user or CI runs it (npm test builds first). */
const genai = (args: string[], cwd: string) =>
  execa(process.execPath, [join(root, 'bin', 'run.js'), ...args], { cwd, reject: false });

describe('genai release', () => {
  it('create makes a release once; run again on the same content it says so and changes nothing', async () => {
    const dir = await fakeProject();
    const first = await genai(['release', 'create'], dir);
    expect(first.exitCode, first.stderr).toBe(0);
    const id =
      /^Created release (r-[0-9a-f]{12}): \d+ files \(.+\) and 1 package \(\.genai\/deps\/[0-9a-f]{16}, .+ copied in [\d.]+ s\)$/m.exec(
        first.stdout,
      )?.[1];
    expect(id, first.stdout).toBeDefined();

    const again = await genai(['release', 'create', '--json'], dir);
    expect(again.exitCode, again.stderr).toBe(0);
    const result = JSON.parse(again.stdout);
    expect(result).toMatchObject({ created: false, release: { id }, dependencies: { reused: true } });
    expect((await genai(['release', 'create'], dir)).stdout).toMatch(
      new RegExp(`^Release ${id} already has this content \\(created .+\\); nothing to do$`),
    );
  });

  it('list and show tell what was released', async () => {
    const dir = await fakeProject();
    const empty = await genai(['release', 'list'], dir);
    expect(empty.stdout.trim()).toBe('No releases yet; make one with genai release create');
    const { release } = JSON.parse((await genai(['release', 'create', '--json'], dir)).stdout);

    const list = await genai(['release', 'list'], dir);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+CREATED \(UTC\)\s+BY\s+COMMIT\s+MODEL$/m);
    expect(list.stdout).toMatch(
      new RegExp(
        `^${release.id}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\S+\\s+-\\s+offline/offline-extractive$`,
        'm',
      ),
    );
    expect(JSON.parse((await genai(['release', 'list', '--json'], dir)).stdout)).toEqual({ releases: [release] });

    const show = await genai(['release', 'show', release.id.slice(0, 8)], dir);
    expect(show.exitCode, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^id\\s+${release.id}$`, 'm'));
    expect(show.stdout).toMatch(/^model\s+offline\/offline-extractive$/m);
    expect(show.stdout).toMatch(
      new RegExp(`^artifact\\s+\\.genai/releases/${release.id} \\(sha256 [0-9a-f]{64}\\)$`, 'm'),
    );
    expect(JSON.parse((await genai(['release', 'show', release.id, '--json'], dir)).stdout)).toEqual(release);
  });

  it('show of an unknown release is a usage error (exit 2) with one line naming what exists', async () => {
    const dir = await fakeProject();
    const { release } = JSON.parse((await genai(['release', 'create', '--json'], dir)).stdout);
    const result = await genai(['release', 'show', 'r-000000000000'], dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      `error: .genai/releases: no release r-000000000000 (it has ${release.id}) — fix: genai release list`,
    );
    const json = await genai(['release', 'show', 'r-000000000000', '--json'], dir);
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'E_NO_RELEASE', exitCode: 2 } });
  });

  it('create outside a project fails with the manifest error, not a stack trace', async () => {
    const result = await genai(['release', 'create'], await tempDir('empty'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^error: .*genai\.yaml/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
