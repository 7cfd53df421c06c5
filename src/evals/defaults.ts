// The defaults of an eval run, stated once beside the manifest that declares them (evals section). Re-exported
// here so that the eval command's help reads them without loading the engine.
export {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_MAX_REGRESSION,
  DEFAULT_RETRIES,
  DEFAULT_RETRIEVAL_K,
  DEFAULT_SEED,
  DEFAULT_TIMEOUT_MS,
} from '../manifest/defaults.js';
