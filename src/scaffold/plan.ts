import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipelineFiles, pipelineSpec } from '../ci/index.js';
import type { KitDependency } from './kit.js';
import { outputPath, SERVICE_TEMPLATE } from './layers.js';
import { firstLocalEnvironment, plannedEnvironments, providerModels, type InitOptions } from './options.js';
import { renderTemplate } from './render.js';
import { serviceNodeEngine, servicePackageJson, serviceEnvVarsFor, servicePrices } from './service-spec.js';
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
  /** How the project depends on genai-kit: the package.json spec, and the packed kit when it is vendored. */
  kit: KitDependency;
}

/** Renders every file of the project in memory; nothing touches the target folder. */
export async function planProject({ options, templatesDir, kit }: PlanInput): Promise<ProjectPlan> {
  const description = `${options.name}: a retrieval-augmented assistant over its help centre`;
  const environments = plannedEnvironments(options);
  // A person approves promotions to prod, when there is one.
  const approval = environments.some((e) => e.name === 'prod') ? 'prod' : '';
  const context = {
    ...options,
    description,
    environments,
    approval,
    baseUrl: options.provider === 'openai-compatible' ? options.baseUrl : '',
    model: providerModels[options.provider],
    envVars: serviceEnvVarsFor(options.provider, {
      OPENAI_BASE_URL: options.baseUrl,
      ...(options.provider === 'bedrock' ? { AWS_REGION: options.region } : {}),
    }),
    port: FIRST_LOCAL_PORT,
    // The Dockerfile copies vendor/ only when the kit is packed there.
    vendoredKit: Boolean(kit.vendored),
    localEnv: firstLocalEnvironment(options),
  };

  const byPath = new Map<string, Buffer>();
  const root = join(templatesDir, ...SERVICE_TEMPLATE.split('/'));
  for (const file of await listFiles(root)) {
    const templatePath = relative(root, file).split(sep).join('/');
    const { path, render } = outputPath(templatePath);
    const raw = await readFile(file);
    byPath.set(
      path,
      render ? Buffer.from(renderTemplate(raw.toString('utf8'), context, `${SERVICE_TEMPLATE}/${templatePath}`)) : raw,
    );
  }
  const manifestTemplate = await readFile(join(templatesDir, 'manifest', 'genai.yaml.hbs'), 'utf8');
  byPath.set('genai.yaml', Buffer.from(renderTemplate(manifestTemplate, context, 'manifest/genai.yaml.hbs')));
  const prices = servicePrices({
    provider: options.provider,
    chatModel: context.model.model,
    embeddingModel: context.model.embeddings,
    region: options.region,
  });
  byPath.set('src/prices.json', Buffer.from(JSON.stringify(prices, null, 2) + '\n'));
  const pkg = servicePackageJson({ name: options.name, description, kitDependency: kit.spec });
  byPath.set('package.json', Buffer.from(JSON.stringify(pkg, null, 2) + '\n'));
  if (kit.vendored) byPath.set(kit.vendored.path, kit.vendored.content);
  if (options.ci !== 'none') {
    // The same generator as `genai ci`, fed what genai.yaml will say.
    const spec = pipelineSpec({
      name: options.name,
      environments: Object.fromEntries(environments.map(({ name, ...e }) => [name, e])),
      approval: approval ? [approval] : [],
      nodeEngine: serviceNodeEngine,
    });
    for (const file of pipelineFiles(options.ci, spec)) byPath.set(file.path, Buffer.from(file.content));
  }

  const files = [...byPath.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([path, content]) => ({ path, content }));
  return { options, files };
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
