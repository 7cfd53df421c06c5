// The dependency-free part of the manifest module, so that init does not load zod and yaml.
import { AWS_REGION_PATTERN, ENVIRONMENT_NAME_PATTERN } from '../manifest/name.js';
import { ciProviders, type ModelProvider, type Target, type VectorStore } from '../vocabulary.js';

/**
 * The choices `genai init` offers: subsets of the kit's vocabulary (src/vocabulary.ts), each with its own
 * name, and their defaults. Flags, prompts, template selection and validation all read from here.
 */
/** Providers a new project can start on; sagemaker and vllm are configured later in genai.yaml. */
export const initModelProviders = [
  'offline',
  'openai-compatible',
  'bedrock',
] as const satisfies readonly ModelProvider[];
/** Stores a new project can start on; s3vectors is configured later in genai.yaml. */
export const initVectorStores = ['pgvector', 'opensearch', 'qdrant'] as const satisfies readonly VectorStore[];
/** A CI provider, or none. */
export const initCiChoices = [...ciProviders, 'none'] as const;

export type InitModelProvider = (typeof initModelProviders)[number];
export type InitVectorStore = (typeof initVectorStores)[number];
export type InitCiChoice = (typeof initCiChoices)[number];

export interface InitOptions {
  name: string;
  target: Target;
  provider: InitModelProvider;
  vectorStore: InitVectorStore;
  /** Environment names in promotion order, e.g. dev, staging, prod. */
  environments: string[];
  region: string;
  ci: InitCiChoice;
  /** Base URL of an OpenAI-compatible server (openai-compatible provider only). */
  baseUrl?: string | undefined;
}

export const defaults = {
  target: 'local',
  provider: 'offline',
  vectorStore: 'pgvector',
  environments: ['dev', 'staging', 'prod'],
  region: 'eu-west-1',
  ci: 'github',
  baseUrl: 'http://localhost:11434/v1',
} as const satisfies Omit<InitOptions, 'name' | 'environments'> & { environments: readonly string[] };

/** Model and embedding ids written into genai.yaml for each provider. */
export const providerModels: Record<InitModelProvider, { model: string; embeddings: string; dimensions: number }> = {
  offline: { model: 'offline-extractive', embeddings: 'offline-hash-384', dimensions: 384 },
  'openai-compatible': { model: 'llama3.1:8b', embeddings: 'nomic-embed-text', dimensions: 768 },
  bedrock: { model: 'meta.llama3-1-70b-instruct-v1:0', embeddings: 'amazon.titan-embed-text-v2:0', dimensions: 1024 },
};

/** Which combinations make sense; each problem is returned in words with its fix. */
export function optionProblems(options: InitOptions): { message: string; fix: string; field: string }[] {
  const problems: { message: string; fix: string; field: string }[] = [];
  if (options.provider === 'bedrock' && options.target !== 'aws') {
    problems.push({
      field: 'provider',
      message: 'the bedrock provider needs the aws target',
      fix: 'pass --target aws, or --provider offline|openai-compatible',
    });
  }
  if (options.vectorStore === 'opensearch' && options.target !== 'aws') {
    problems.push({
      field: 'vector-store',
      message: 'opensearch is offered on the aws target only',
      fix: 'pass --target aws, or --vector-store pgvector',
    });
  }
  if (options.vectorStore === 'qdrant' && options.target !== 'kubernetes') {
    problems.push({
      field: 'vector-store',
      message: 'qdrant is offered on the kubernetes target only',
      fix: 'pass --target kubernetes, or --vector-store pgvector',
    });
  }
  if (options.environments.length === 0) {
    problems.push({
      field: 'environments',
      message: 'at least one environment is needed',
      fix: 'pass --environments dev,staging,prod',
    });
  }
  const seen = new Set<string>();
  for (const env of options.environments) {
    if (!ENVIRONMENT_NAME_PATTERN.test(env)) {
      problems.push({
        field: 'environments',
        message: `environment name "${env}" is not valid`,
        fix: 'use lower-case letters, digits and hyphens, starting with a letter, at most 31 characters',
      });
    }
    if (seen.has(env))
      problems.push({
        field: 'environments',
        message: `environment "${env}" is listed twice`,
        fix: 'list each environment once',
      });
    seen.add(env);
  }
  if (options.target !== 'local' && options.environments.includes('local')) {
    problems.push({
      field: 'environments',
      message: 'the name "local" is kept for the local environment of a cloud project',
      fix: 'name the cloud environments otherwise, e.g. dev,staging,prod',
    });
  }
  if (!AWS_REGION_PATTERN.test(options.region)) {
    problems.push({
      field: 'region',
      message: `"${options.region}" is not an AWS region name`,
      fix: 'pass a region such as eu-west-1',
    });
  }
  if (options.provider === 'openai-compatible') {
    try {
      const url = new URL(options.baseUrl ?? '');
      if (!/^https?:$/.test(url.protocol)) throw new Error('protocol');
    } catch {
      problems.push({
        field: 'base-url',
        message: `"${options.baseUrl ?? ''}" is not an http(s) URL`,
        fix: "pass --base-url http://localhost:11434/v1 (Ollama) or your server's /v1 URL",
      });
    }
  }
  return problems;
}

/** Environments as written to genai.yaml: a cloud project also gets a `local` one for development. */
export function plannedEnvironments(
  options: InitOptions,
): { name: string; target: Target; region?: string | undefined }[] {
  const own = options.environments.map((name) => ({
    name,
    target: options.target,
    region: options.target === 'aws' ? options.region : undefined,
  }));
  return options.target === 'local' ? own : [{ name: 'local', target: 'local' as const }, ...own];
}

/** The environment `--start`, `genai dev` and the generated README use: the first with target local. */
export function firstLocalEnvironment(options: InitOptions): string {
  return plannedEnvironments(options).find((e) => e.target === 'local')!.name;
}
