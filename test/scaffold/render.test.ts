import { execFileSync } from 'node:child_process';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderTemplate, shellWord, yamlScalar } from '../../src/scaffold/render.js';
import { outputPath } from '../../src/scaffold/layers.js';

const hostile = [
  `it's "quoted"`,
  'line\nbreak: yes',
  '{{x}}',
  '$(rm -rf ~) `id` ; x',
  'key: value # comment',
  '- list',
  'tab\there',
  'ünïcode ✓',
  `a'b'c"d`,
  'back\\slash',
  "it's",
];

describe('escaping values for the context they land in', () => {
  it.each(hostile)('a YAML scalar reads back as the same string: %j', (value) => {
    expect(parse(`field: ${yamlScalar(value)}\n`)).toEqual({ field: value });
  });

  it.each(hostile)('a YAML scalar is already as Prettier would write it: %j', async (value) => {
    const text = `a: ${yamlScalar(value)}\nb: [${yamlScalar(value)}]\n`;
    expect(await prettier.format(text, { parser: 'yaml', singleQuote: true, printWidth: 120 })).toBe(text);
  });

  it.each(hostile)('a shell word reaches the program unchanged: %j', (value) => {
    const echoed = execFileSync('sh', ['-c', `printf %s ${shellWord(value)}`], { encoding: 'utf8' });
    expect(echoed).toBe(value);
  });

  it('templates escape per helper and never evaluate a value as a template', () => {
    const out = renderTemplate('name: {{yaml name}}\ncmd: echo {{sh name}}\nmd: {{name}}\n', { name: '{{x}} <b>&' });
    expect(parse(out.split('\n')[0]!)).toEqual({ name: '{{x}} <b>&' });
    expect(out).toContain(`cmd: echo '{{x}} <b>&'`);
    expect(out).toContain('md: {{x}} &lt;b&gt;&amp;');
  });

  it('a variable missing from the context is an error, not an empty string', () => {
    expect(() => renderTemplate('name: {{missing}}', {}, 'genai.yaml.hbs')).toThrow(/genai.yaml.hbs/);
    expect(() => renderTemplate('id: {{yaml model.id}}', { model: {} }, 'genai.yaml.hbs')).toThrow(/missing value/);
  });
});

describe('template paths', () => {
  it('renders .hbs files without the suffix and restores dot-gitignore', () => {
    expect(outputPath('README.md.hbs')).toEqual({ path: 'README.md', render: true });
    expect(outputPath('src/app.ts')).toEqual({ path: 'src/app.ts', render: false });
    expect(outputPath('_gitignore')).toEqual({ path: '.gitignore', render: false });
    expect(outputPath('sub/_gitignore')).toEqual({ path: 'sub/.gitignore', render: false });
    expect(outputPath('my_gitignore')).toEqual({ path: 'my_gitignore', render: false });
  });
});

describe("the generated project's unit tests", () => {
  it('read their own cases from test/fixtures, never the eval dataset a user replaces', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const testDir = join(import.meta.dirname, '..', '..', 'templates', 'service', 'base', 'test');
    const files = (await readdir(testDir)).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = await readFile(join(testDir, file), 'utf8');
      // A path in code: 'evals' in a join, or 'evals/dataset.jsonl'.
      expect(text, file).not.toMatch(/['"`]evals(\/dataset\.jsonl)?['"`]/);
    }
    const cases = (await readFile(join(testDir, 'fixtures', 'cases.jsonl'), 'utf8')).trim().split('\n');
    expect(cases.length).toBeGreaterThanOrEqual(16);
  });
});
