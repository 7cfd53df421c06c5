import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isGenaiError } from '../errors.js';
import type { ExtraCheck, Finding } from '../manifest/index.js';

/**
 * The dataset check of `genai check`: the file evals.dataset names exists and every case in it parses,
 * read by the same loader `genai eval` uses (loaded only when the check runs). A dataset left to its
 * default that does not exist yet is a warning: a new service may have no eval suite so far.
 */
export const datasetCheck: ExtraCheck = async (loaded, locateField) => {
  const project = dirname(loaded.path);
  const { dataset } = loaded.manifest.evals;
  const file = resolve(project, dataset);
  const written = loaded.document.hasIn(['evals', 'dataset']);
  if (!existsSync(file)) {
    const finding: Finding = written
      ? {
          level: 'error',
          code: 'E_CHECK_DATASET_MISSING',
          message: `evals.dataset names ${dataset}, which does not exist`,
          fix: `create ${dataset} (one JSON case per line), or point evals.dataset at an existing JSONL, YAML or CSV file`,
          location: locateField('evals.dataset'),
          field: 'evals.dataset',
        }
      : {
          level: 'warning',
          code: 'W_CHECK_NO_DATASET',
          message: `no eval dataset: evals.dataset defaults to ${dataset}, which does not exist, so genai eval has nothing to run`,
          fix: `write cases to ${dataset}, or set evals.dataset in ${loaded.file}`,
          location: locateField('evals.dataset'),
          field: 'evals.dataset',
        };
    return [finding];
  }
  const { openDataset } = await import('./dataset.js');
  try {
    // Validates every case in one streaming pass, holding none of them.
    await (await openDataset(file, project)).cases.close();
    return [];
  } catch (error) {
    if (!isGenaiError(error)) throw error;
    return [
      {
        level: 'error',
        code: error.code,
        message: error.message,
        fix: error.fix ?? `correct ${dataset}`,
        location: error.location ?? dataset,
        field: error.field ?? '',
      },
    ];
  }
};
