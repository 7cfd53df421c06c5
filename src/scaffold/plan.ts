import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { selectLayers, outputPath } from './layers.js';
import { firstLocalEnvironment, plannedEnvironments, providerModels, type InitOptions } from './options.js';
import { renderTemplate } from './render.js';
import { servicePackageJson, serviceEnvVarsFor } from './service-spec.js';
import { FIRST_LOCAL_PORT } from '../environments/defaults.js';

export interface PlannedFile {
  /** Project-relative, with forward slashes. */
  path: string;
  content: Buffer;
}

export interface ProjectPlan {
  options: InitOptions;
  files: PlannedFile[];
}

export interface PlanInput {
  options: InitOptions;
  templatesDir: string;
  /** The `genai-kit` devDependency spec written into package.json. */
  kitDependency: string;
}

/** Renders every file of the project in memory; nothing touches the target folder. */
export async function planProject({ options, templatesDir, kitDependency }: PlanInput): Promise<ProjectPlan> {
  const description = `${options.name}: a retrieval-augmented assistant over its help centre`;
  const environments = plannedEnvironments(options);
  const context = {
    ...options,
    description,
    environments,
    approval: environments.some((e) => e.name === 'prod') ? 'prod' : '',
    baseUrl: options.provider === 'openai-compatible' ? options.baseUrl : '',
    model: providerModels[options.provider],
    envVars: serviceEnvVarsFor(options.provider, { OPENAI_BASE_URL: options.baseUrl }),
    port: FIRST_LOCAL_PORT,
    localEnv: firstLocalEnvironment(options),
  };

  const byPath = new Map<string, Buffer>();
  for (const layer of selectLayers(options)) {
    const root = join(templatesDir, ...layer.split('/'));
    for (const file of await listFiles(root)) {
      const templatePath = relative(root, file).split(sep).join('/');
      const { path, render } = outputPath(templatePath);
      const raw = await readFile(file);
      byPath.set(
        path,
        render ? Buffer.from(renderTemplate(raw.toString('utf8'), context, `${layer}/${templatePath}`)) : raw,
      );
    }
  }
  const manifestTemplate = await readFile(join(templatesDir, 'manifest', 'genai.yaml.hbs'), 'utf8');
  byPath.set('genai.yaml', Buffer.from(renderTemplate(manifestTemplate, context, 'manifest/genai.yaml.hbs')));
  const pkg = servicePackageJson({ name: options.name, description, kitDependency });
  byPath.set('package.json', Buffer.from(JSON.stringify(pkg, null, 2) + '\n'));

  const files = [...byPath.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, content]) => ({ path, content }));
  return { options, files };
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
