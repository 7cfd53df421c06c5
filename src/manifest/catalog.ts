/**
 * The model and embedding ids genai knows, per provider, and the AWS regions where Bedrock offers each
 * in-region (on-demand). The table is dated: Bedrock adds regions often, so an id missing from a
 * region here is a warning to verify, never an error. Providers whose ids are whatever the endpoint
 * serves (openai-compatible, vllm, sagemaker) are not catalogued.
 */
export const CATALOG_CHECKED = '2025-06-01';
export const CATALOG_SOURCE = 'https://docs.aws.amazon.com/bedrock/latest/userguide/models-regions.html';

export type CatalogKind = 'model' | 'embedding';
export type CatalogProvider = 'offline' | 'bedrock';

export interface CatalogEntry {
  kind: CatalogKind;
  provider: CatalogProvider;
  id: string;
  name: string;
  /** Bedrock regions offering the id in-region; absent for providers that run anywhere. */
  regions?: readonly string[];
  /** Vector lengths an embedding model can return. */
  dimensions?: readonly number[];
}

const cohereEmbedRegions = [
  'us-east-1',
  'us-west-2',
  'ap-northeast-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'sa-east-1',
];

export const catalogEntries: readonly CatalogEntry[] = [
  { kind: 'model', provider: 'offline', id: 'offline-extractive', name: 'Offline extractive answers with citations' },
  {
    kind: 'embedding',
    provider: 'offline',
    id: 'offline-hash-384',
    name: 'Offline hashed-feature embeddings',
    dimensions: [384],
  },

  {
    kind: 'model',
    provider: 'bedrock',
    id: 'meta.llama3-1-8b-instruct-v1:0',
    name: 'Llama 3.1 8B Instruct',
    regions: ['us-west-2'],
  },
  {
    kind: 'model',
    provider: 'bedrock',
    id: 'meta.llama3-1-70b-instruct-v1:0',
    name: 'Llama 3.1 70B Instruct',
    regions: ['us-west-2'],
  },
  {
    kind: 'model',
    provider: 'bedrock',
    id: 'meta.llama3-70b-instruct-v1:0',
    name: 'Llama 3 70B Instruct',
    regions: ['us-east-1', 'us-west-2', 'ap-south-1', 'ca-central-1', 'eu-west-2'],
  },
  {
    kind: 'model',
    provider: 'bedrock',
    id: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
    name: 'Claude 3.5 Sonnet',
    regions: [
      'us-east-1',
      'us-west-2',
      'us-gov-west-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-southeast-1',
      'eu-central-1',
    ],
  },
  {
    kind: 'model',
    provider: 'bedrock',
    id: 'anthropic.claude-3-5-sonnet-20241022-v2:0',
    name: 'Claude 3.5 Sonnet v2',
    regions: ['us-west-2', 'ap-southeast-2'],
  },
  {
    kind: 'model',
    provider: 'bedrock',
    id: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    name: 'Claude 3.5 Haiku',
    regions: ['us-west-2'],
  },
  {
    kind: 'model',
    provider: 'bedrock',
    id: 'mistral.mistral-large-2402-v1:0',
    name: 'Mistral Large (24.02)',
    regions: [
      'us-east-1',
      'us-west-2',
      'ap-south-1',
      'ap-southeast-2',
      'ca-central-1',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'sa-east-1',
    ],
  },

  {
    kind: 'embedding',
    provider: 'bedrock',
    id: 'amazon.titan-embed-text-v2:0',
    name: 'Titan Text Embeddings V2',
    regions: [
      'us-east-1',
      'us-east-2',
      'us-west-2',
      'us-gov-west-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-south-1',
      'ap-southeast-2',
      'ca-central-1',
      'eu-central-1',
      'eu-central-2',
      'eu-west-1',
      'eu-west-2',
      'eu-west-3',
      'sa-east-1',
    ],
    dimensions: [256, 512, 1024],
  },
  {
    kind: 'embedding',
    provider: 'bedrock',
    id: 'cohere.embed-english-v3',
    name: 'Cohere Embed English v3',
    regions: cohereEmbedRegions,
    dimensions: [1024],
  },
  {
    kind: 'embedding',
    provider: 'bedrock',
    id: 'cohere.embed-multilingual-v3',
    name: 'Cohere Embed Multilingual v3',
    regions: cohereEmbedRegions,
    dimensions: [1024],
  },
];

export const isCataloguedProvider = (provider: string): provider is CatalogProvider =>
  provider === 'offline' || provider === 'bedrock';

/** Cross-region inference profiles prefix a model id with the geography they route within. */
const PROFILE_GEOGRAPHIES: Record<string, (region: string) => boolean> = {
  us: (region) => region.startsWith('us-') && !region.startsWith('us-gov-'),
  'us-gov': (region) => region.startsWith('us-gov-'),
  eu: (region) => region.startsWith('eu-'),
  apac: (region) => region.startsWith('ap-'),
};

function splitProfile(id: string): { geography?: string | undefined; base: string } {
  const match = /^(us-gov|us|eu|apac)\.(.+)$/.exec(id);
  return match ? { geography: match[1], base: match[2] ?? id } : { base: id };
}

export function findCatalogEntry(kind: CatalogKind, provider: CatalogProvider, id: string): CatalogEntry | undefined {
  const { base } = provider === 'bedrock' ? splitProfile(id) : { base: id };
  return catalogEntries.find((entry) => entry.kind === kind && entry.provider === provider && entry.id === base);
}

/** Ids of a kind for a provider, optionally only those offered in a region. */
export function catalogIds(kind: CatalogKind, provider: CatalogProvider, region?: string): string[] {
  return catalogEntries
    .filter(
      (entry) =>
        entry.kind === kind &&
        entry.provider === provider &&
        (region === undefined || entry.regions === undefined || entry.regions.includes(region)),
    )
    .map((entry) => entry.id);
}

export type Availability = 'offered' | 'not-in-region' | 'unknown';

/**
 * Whether the catalogue knows `id` for `provider`, and, given a region, whether it is offered there.
 * An inference profile id (eu.…) counts as offered in every region of its geography when the model
 * behind it is known; the catalogue does not list which profiles exist.
 */
export function availability(kind: CatalogKind, provider: CatalogProvider, id: string, region?: string): Availability {
  const entry = findCatalogEntry(kind, provider, id);
  if (!entry) return 'unknown';
  if (region === undefined || entry.regions === undefined) return 'offered';
  const { geography } = splitProfile(id);
  if (geography) return PROFILE_GEOGRAPHIES[geography]?.(region) ? 'offered' : 'not-in-region';
  return entry.regions.includes(region) ? 'offered' : 'not-in-region';
}
