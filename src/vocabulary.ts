/**
 * The kit's vocabulary: one list per concept, imported by every layer (manifest schema, init's flags and
 * prompts, templates, cost, environments). Dependency-free, so that `genai init` and `genai --version`
 * pay nothing for it. Adding a target, a provider or a store means adding it here; a layer that offers
 * only some of them names that subset itself (e.g. scaffold's `initModelProviders`).
 */

/** Where an environment runs. */
export const targets = ['local', 'aws', 'kubernetes'] as const;
export type Target = (typeof targets)[number];

/** Who serves the generation model. */
export const modelProviders = ['offline', 'openai-compatible', 'bedrock', 'sagemaker', 'vllm'] as const;
export type ModelProvider = (typeof modelProviders)[number];

/** Who computes embeddings. */
export const embeddingProviders = ['offline', 'openai-compatible', 'bedrock'] as const;
export type EmbeddingProvider = (typeof embeddingProviders)[number];

/** How model capacity is bought: pay per token, or reserved throughput. */
export const throughputs = ['on-demand', 'provisioned'] as const;
export type Throughput = (typeof throughputs)[number];

/** Where chunks and their embeddings are stored. */
export const vectorStores = ['pgvector', 'opensearch', 'qdrant', 's3vectors'] as const;
export type VectorStore = (typeof vectorStores)[number];

/** The most sensitive data a service handles, least to most. */
export const dataClasses = ['public', 'internal', 'pii', 'phi'] as const;
export type DataClass = (typeof dataClasses)[number];

/** CI systems the kit writes pipelines for. */
export const ciProviders = ['github', 'gitlab'] as const;
export type CiProvider = (typeof ciProviders)[number];
