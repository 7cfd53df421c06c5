// catalog.ts, not cost/index.ts: init's fast path reads the price data without loading the estimator.
import { DEFAULT_CATALOG, lookupPrice, priceId, tokenService } from '../cost/catalog.js';
import { FIRST_LOCAL_PORT, LOCAL_HOST } from '../environments/defaults.js';

/**
 * What `genai init` writes beside the files of templates/service: the generated project's package.json,
 * its pinned dependencies (one table, exact versions) and the environment variables it reads.
 * Pure data and pure functions; the renderer owns the I/O.
 */

export type ServiceProvider = 'offline' | 'openai-compatible' | 'bedrock';

export interface ServiceEnvVar {
  name: string;
  description: string;
  /** The value written into .env.example; empty means "unset". */
  value: string;
}

/**
 * Runtime dependencies of the generated service, pinned exactly so that every project of a team builds
 * the same thing. No genai-kit here: the service never needs the kit at run time.
 */
export const serviceDependencies = {
  // Hono: small, Web-standard Request/Response, runs on Node, Bun and Lambda.
  hono: '4.13.19',
  '@hono/node-server': '1.19.19',
  // Postgres in WebAssembly with pgvector built in: the same SQL as Aurora or any Postgres.
  '@electric-sql/pglite': '0.4.6',
  // The newest 6.x: openai 7 needs Node 22.
  openai: '6.49.0',
  // 1.9.1, not 1.10.0: sdk-trace-base 2.12.1 declares the peer range >=1.3.0 <1.10.0, and npm refuses the pair.
  '@opentelemetry/api': '1.9.1',
  // The api alone hands out all-zero trace ids; the SDK makes real ones.
  '@opentelemetry/sdk-trace-base': '2.12.1',
  // Imported directly (not only through sdk-trace-base): export results, time helpers, the service's resource.
  '@opentelemetry/core': '2.12.1',
  '@opentelemetry/resources': '2.12.1',
  // The OTLP/HTTP exporter of the same SDK release (0.223.1 pairs with sdk-trace 2.12.1; 0.30x needs Node 22).
  '@opentelemetry/exporter-trace-otlp-http': '0.223.1',
  // Prometheus text format for GET /metrics.
  'prom-client': '15.1.3',
  // Amazon Bedrock (Converse, ConverseStream, InvokeModel for embeddings); the kit's own pin. Loaded only when
  // GENAI_MODEL_PROVIDER is bedrock.
  '@aws-sdk/client-bedrock-runtime': '3.1178.0',
  // Postgres in the cloud (DATABASE_URL): the same SQL as PGlite. Loaded only when DATABASE_URL is set.
  pg: '8.23.1',
} as const satisfies Record<string, string>;

export const serviceDevDependencies = {
  typescript: '5.9.3',
  vitest: '4.1.12',
  '@types/node': '20.19.43',
  // The kit's own version and configuration (.prettierrc.json): a generated project is formatted as the kit is.
  prettier: '3.10.1',
  '@types/pg': '8.23.1',
  // Serves a PGlite over the Postgres wire protocol, so tests drive the pg path with the real client.
  '@electric-sql/pglite-socket': '0.1.6',
  // Encodes Bedrock's event-stream frames for the local ConverseStream server of test/bedrock.test.ts; the
  // version the pinned @aws-sdk/client-bedrock-runtime itself resolves, so both sides share one codec.
  '@smithy/core': '3.41.1',
} as const satisfies Record<string, string>;

/** The oldest Node the generated service supports (PGlite and the OpenTelemetry SDK need 20). */
export const serviceNodeEngine = '>=20.19.0';

/** Every variable the service reads, with the value .env.example suggests for the offline provider. */
export const serviceEnvVars: ServiceEnvVar[] = [
  {
    name: 'GENAI_ENV',
    description: 'Environment name: picks the data folder and labels health and traces.',
    value: 'local',
  },
  { name: 'HOST', description: 'Address the HTTP server binds to.', value: LOCAL_HOST },
  {
    name: 'PORT',
    description: 'Port the HTTP server listens on (0 picks a free one).',
    value: String(FIRST_LOCAL_PORT),
  },
  {
    name: 'GENAI_DATA_DIR',
    description:
      'PGlite folder of this environment; only one process may open it. Default: .genai/data/ followed by GENAI_ENV.',
    value: '',
  },
  {
    name: 'GENAI_MODEL_PROVIDER',
    description:
      "genai.yaml's model.provider: offline, openai-compatible or bedrock. Empty: openai-compatible when OPENAI_BASE_URL is set, else offline.",
    value: '',
  },
  {
    name: 'DATABASE_URL',
    description:
      'Postgres with pgvector (Aurora) instead of PGlite, e.g. postgresql://USER:PASSWORD@HOST:5432/DB?sslmode=require. Empty: PGlite in GENAI_DATA_DIR.',
    value: '',
  },
  {
    name: 'GENAI_INGEST_AT_START',
    description:
      'on: ingest data/ at start under a Postgres advisory lock, so one replica ingests and the others wait. Default: on with DATABASE_URL, else off (genai ingests first).',
    value: '',
  },
  {
    name: 'OPENAI_BASE_URL',
    description:
      'An OpenAI-compatible endpoint (Ollama, vLLM, OpenAI) for embeddings and chat. Empty: the offline provider.',
    value: '',
  },
  { name: 'OPENAI_API_KEY', description: 'API key for OPENAI_BASE_URL; local servers usually need none.', value: '' },
  { name: 'GENAI_CHAT_MODEL', description: 'Chat model id; required with OPENAI_BASE_URL.', value: '' },
  { name: 'GENAI_EMBEDDING_MODEL', description: 'Embedding model id; required with OPENAI_BASE_URL.', value: '' },
  {
    name: 'GENAI_EMBEDDING_DIMENSIONS',
    description: 'Length of the embedding vectors; required with OPENAI_BASE_URL (the offline provider uses 384).',
    value: '',
  },
  {
    name: 'AWS_REGION',
    description: 'Region of Amazon Bedrock (bedrock provider); credentials come from the task role or AWS_* variables.',
    value: '',
  },
  {
    name: 'BEDROCK_ENDPOINT_URL',
    description: 'A Bedrock Runtime endpoint other than the region default (a VPC endpoint); empty: the default.',
    value: '',
  },
  {
    name: 'GENAI_MODEL_TIMEOUT_MS',
    description: 'Milliseconds one model call may take (a stream: until its first chunk and between chunks).',
    value: '30000',
  },
  {
    name: 'GENAI_MODEL_MAX_RETRIES',
    description: 'Retries of a model call after 429, 5xx or a timeout, with backoff that honours Retry-After.',
    value: '2',
  },
  {
    name: 'GENAI_RELEASE_ID',
    description: 'The release this process runs; set by genai up and reported by /healthz. Leave empty.',
    value: '',
  },
  {
    name: 'GENAI_INSTANCE_ID',
    description: 'Set by genai per start, so it knows its own service from another on the same port. Leave empty.',
    value: '',
  },
  {
    name: 'GENAI_AUTH',
    description:
      'on: every /v1 request needs a key from GENAI_API_KEYS. off: no keys anywhere. Unset: on, except on a loopback HOST with no key configured.',
    value: '',
  },
  {
    name: 'GENAI_API_KEYS',
    description: 'Comma-separated API keys (16+ characters each), sent as Authorization: Bearer KEY.',
    value: '',
  },
  {
    name: 'GENAI_ADMIN_KEY',
    description: 'The key of the admin API (/admin/traces, /admin/interactions); not one of GENAI_API_KEYS.',
    value: '',
  },
  {
    name: 'GENAI_CORS_ORIGINS',
    description: 'Comma-separated origins browsers may call from; empty: no CORS headers at all.',
    value: '',
  },
  { name: 'GENAI_MAX_BODY_BYTES', description: 'Request bodies over this size get 413.', value: '65536' },
  {
    name: 'GENAI_MAX_QUESTION_LENGTH',
    description: 'Questions over this many characters get 400.',
    value: '2000',
  },
  {
    name: 'GENAI_MAX_INFLIGHT',
    description: 'Requests answered at once; the rest wait in a queue.',
    value: '8',
  },
  {
    name: 'GENAI_MAX_QUEUE',
    description: 'Requests that may wait; beyond that the service answers 503 with Retry-After.',
    value: '64',
  },
  {
    name: 'GENAI_RATE_LIMIT_PER_MINUTE',
    description: 'Requests per API key (or client address with auth off) and minute; 0: no limit.',
    value: '120',
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    description:
      'OTLP/HTTP endpoint (a collector, Jaeger, Langfuse, Tempo) that also receives every span; empty: the service store only.',
    value: '',
  },
  {
    name: 'GENAI_TRACE_RETENTION_DAYS',
    description: 'Days the service keeps traces, spans and interactions in its own store.',
    value: '14',
  },
  { name: 'GENAI_TRACE_MAX', description: 'Traces kept at most in the store; the oldest go first.', value: '50000' },
  { name: 'GENAI_TOP_K', description: 'How many chunks retrieval returns.', value: '5' },
  {
    name: 'GENAI_CHUNK_SIZE',
    description: 'Target chunk size in tokens (about 4 characters each) at ingest.',
    value: '400',
  },
  {
    name: 'GENAI_CHUNK_OVERLAP',
    description: 'Tokens of the previous chunk repeated at the start of the next.',
    value: '50',
  },
  {
    name: 'GENAI_MIN_RETRIEVAL_SCORE',
    description:
      'Cosine similarity below which the best chunk counts as no evidence and the question is refused as out of scope. Empty: the provider default (offline 0.12, models 0.2).',
    value: '',
  },
  {
    name: 'GENAI_UNCITED_CLAIMS',
    description: 'A sentence of an answer that cites no retrieved document: strip drops it, refuse refuses the answer.',
    value: 'strip',
  },
];

/** Values that differ when the project starts on Amazon Bedrock (genai.yaml's model and embeddings). */
const bedrockValues: Record<string, string> = {
  GENAI_MODEL_PROVIDER: 'bedrock',
  AWS_REGION: 'eu-west-1',
  GENAI_CHAT_MODEL: 'meta.llama3-1-70b-instruct-v1:0',
  GENAI_EMBEDDING_MODEL: 'amazon.titan-embed-text-v2:0',
  GENAI_EMBEDDING_DIMENSIONS: '1024',
};

/** Values that differ when the project starts on an OpenAI-compatible endpoint (Ollama's defaults). */
const openAiCompatibleValues: Record<string, string> = {
  OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
  GENAI_CHAT_MODEL: 'llama3.1:8b',
  GENAI_EMBEDDING_MODEL: 'nomic-embed-text',
  GENAI_EMBEDDING_DIMENSIONS: '768',
};

/**
 * The env-var table with the values .env.example should suggest for the chosen provider; `values`
 * (by variable name) wins, e.g. `{ OPENAI_BASE_URL: options.baseUrl }` or `{ AWS_REGION: options.region }`.
 * Providers the generated service does not implement get the offline suggestions.
 */
export function serviceEnvVarsFor(
  provider: ServiceProvider | (string & {}),
  values: Record<string, string | undefined> = {},
): ServiceEnvVar[] {
  const suggested =
    provider === 'openai-compatible' ? openAiCompatibleValues : provider === 'bedrock' ? bedrockValues : {};
  return serviceEnvVars.map((v) => ({ ...v, value: values[v.name] ?? suggested[v.name] ?? v.value }));
}

export interface ServicePackageJsonInput {
  name: string;
  description: string;
  /** The spec of the genai-kit devDependency: "0.1.0", "file:../kit", a tarball path. */
  kitDependency: string;
}

/** The generated project's package.json as an object; the caller serialises it. */
export function servicePackageJson({
  name,
  description,
  kitDependency,
}: ServicePackageJsonInput): Record<string, unknown> {
  return {
    name,
    version: '0.1.0',
    private: true,
    description,
    type: 'module',
    engines: { node: serviceNodeEngine },
    scripts: {
      build: 'tsc -p tsconfig.json',
      start: 'node dist/server.js',
      ingest: 'node dist/ingest.js',
      test: 'vitest run',
      typecheck: 'tsc -p tsconfig.json --noEmit && tsc -p tsconfig.test.json',
      format: 'prettier --write .',
      'format:check': 'prettier --check .',
      dev: 'genai dev',
      check: 'genai check',
      eval: 'genai eval --local',
    },
    dependencies: { ...serviceDependencies },
    devDependencies: { ...serviceDevDependencies, 'genai-kit': kitDependency },
  };
}

/** One model's token prices in src/prices.json, in US dollars per 1M tokens. */
export interface ServiceModelPrice {
  input: number;
  output?: number;
  cachedInput?: number;
  /** The region the figures are for, and whether the catalog had to take them from another one. */
  region: string;
  fromOtherRegion: boolean;
  checked: string;
  source: string;
}

/** What init writes to src/prices.json: the catalog's prices of the project's models, nothing copied by hand. */
export interface ServicePrices {
  note: string;
  models: Record<string, ServiceModelPrice>;
}

export interface ServicePricesInput {
  provider: string;
  chatModel: string;
  embeddingModel: string;
  region: string;
}

/**
 * The prices the generated service puts on its spans (`genai.cost.usd`), taken from the same catalog as
 * `genai cost`, so one table prices both. A model the catalog does not price is left out: the service then
 * reports no cost rather than a wrong zero. The offline provider costs nothing and needs no entry.
 */
export function servicePrices({ provider, chatModel, embeddingModel, region }: ServicePricesInput): ServicePrices {
  const models: Record<string, ServiceModelPrice> = {};
  const service = tokenService(provider);
  if (service) {
    for (const model of [chatModel, embeddingModel]) {
      const quote = (dimension: string) => lookupPrice(DEFAULT_CATALOG, priceId(service, model, dimension), region);
      const input = quote('input');
      if (!input) continue;
      const output = quote('output');
      const cached = quote('cached-input');
      models[model] = {
        input: input.price.usd,
        ...(output ? { output: output.price.usd } : {}),
        ...(cached ? { cachedInput: cached.price.usd } : {}),
        region: input.price.region,
        fromOtherRegion: input.fromOtherRegion,
        checked: input.price.checked,
        source: input.price.source,
      };
    }
  }
  return {
    note: 'Rendered by genai init from the genai-kit price catalog (USD per 1M tokens); re-run init or edit with care.',
    models,
  };
}
