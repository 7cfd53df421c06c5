/**
 * The defaults of an eval run, stated once: the engine applies them, and the help of `genai eval` and the
 * JSON Schema of genai.yaml show them. No imports, so that a command file can load it at start-up.
 */

/** Cases in flight at once. */
export const DEFAULT_CONCURRENCY = 8;
/** Timeout of one request to the target or a judge, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Retries of a failed request. */
export const DEFAULT_RETRIES = 3;
/** Share of errored cases above which a run fails with exit code 3. */
export const DEFAULT_MAX_ERROR_RATE = 0.1;
/** Seed of --sample and of the bootstrap confidence intervals. */
export const DEFAULT_SEED = 1;
/** k of hit@k, recall@k and nDCG@k. */
export const DEFAULT_RETRIEVAL_K = 5;
/** Largest drop of a quality metric against the baseline that is not a regression (promotion.maxRegression). */
export const DEFAULT_MAX_REGRESSION = 0.02;
