import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { planProject } from '../../src/scaffold/plan.js';
import type { InitOptions } from '../../src/scaffold/options.js';
import { serviceDevDependencies, servicePackageJson } from '../../src/scaffold/service-spec.js';

const root = join(import.meta.dirname, '..', '..');
const base: InitOptions = {
  name: 'cycle-assistant',
  target: 'local',
  provider: 'offline',
  vectorStore: 'pgvector',
  environments: ['dev', 'staging', 'prod'],
  region: 'eu-west-1',
  ci: 'github',
};

/** The option combinations whose rendered files differ. */
const variants: [string, InitOptions][] = [
  ['the defaults (local, offline, GitHub)', base],
  [
    'aws with bedrock and GitLab',
    { ...base, target: 'aws', provider: 'bedrock', region: 'eu-central-1', ci: 'gitlab' },
  ],
  [
    'an OpenAI-compatible endpoint, one environment, no CI',
    {
      ...base,
      provider: 'openai-compatible',
      baseUrl: 'http://localhost:11434/v1?a=\'1\'&b="x"',
      environments: ['dev'],
      ci: 'none',
    },
  ],
  ['kubernetes', { ...base, target: 'kubernetes', environments: ['dev', 'prod'] }],
];

/** Writes the plan to a folder and asks Prettier about each file as `prettier --check .` would there. */
async function formatCheck(options: InitOptions): Promise<{ checked: string[]; unformatted: string[] }> {
  const plan = await planProject({ options, templatesDir: join(root, 'templates'), kit: { spec: '0.1.0' } });
  const dir = await mkdtemp(join(tmpdir(), 'genai-format-'));
  for (const file of plan.files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.content);
  }
  const checked: string[] = [];
  const unformatted: string[] = [];
  for (const file of plan.files) {
    const path = join(dir, file.path);
    const info = await prettier.getFileInfo(path, { ignorePath: join(dir, '.prettierignore') });
    if (info.ignored || !info.inferredParser) continue;
    const config = await prettier.resolveConfig(path, { editorconfig: false });
    checked.push(file.path);
    if (!(await prettier.check(file.content.toString('utf8'), { ...config, filepath: path })))
      unformatted.push(file.path);
  }
  return { checked, unformatted };
}

describe('a new project is formatted as its own format:check wants', () => {
  it.each(variants)(
    '%s: every file Prettier formats needs no change',
    async (_name, options) => {
      const { checked, unformatted } = await formatCheck(options);
      expect(unformatted).toEqual([]);
      // The rendered files are among those checked; the corpus is not.
      expect(checked).toEqual(
        expect.arrayContaining(['README.md', 'genai.yaml', 'package.json', 'src/config.ts', '.prettierrc.json']),
      );
      expect(checked.filter((p) => p.startsWith('data/'))).toEqual([]);
      if (options.ci === 'github') expect(checked).toContain('.github/workflows/deploy.yml');
      if (options.ci === 'gitlab') expect(checked).toContain('.gitlab-ci.yml');
    },
    60_000,
  );

  it("uses the kit's Prettier version and configuration", async () => {
    const kit = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
    expect(serviceDevDependencies.prettier).toBe(kit.devDependencies.prettier);
    expect(await readFile(join(root, 'templates', 'service', 'base', '.prettierrc.json'), 'utf8')).toBe(
      await readFile(join(root, '.prettierrc.json'), 'utf8'),
    );
    const pkg = servicePackageJson({ name: 'x', description: 'x', kitDependency: '0.1.0' });
    expect(pkg.scripts).toMatchObject({ format: 'prettier --write .', 'format:check': 'prettier --check .' });
  });

  it('the check can fail: a long line in a rendered file is found', async () => {
    const plan = await planProject({ options: base, templatesDir: join(root, 'templates'), kit: { spec: '0.1.0' } });
    const config = JSON.parse(await readFile(join(root, '.prettierrc.json'), 'utf8'));
    const source = plan.files.find((f) => f.path === 'src/config.ts')!.content.toString('utf8');
    expect(await prettier.check(source, { ...config, filepath: 'src/config.ts' })).toBe(true);
    const broken = source.replace(/\n\s+minRetrievalScore,\n/, ' minRetrievalScore,\n');
    expect(await prettier.check(broken, { ...config, filepath: 'src/config.ts' })).toBe(false);
  });
});
