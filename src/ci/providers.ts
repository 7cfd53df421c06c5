import type { CiProvider } from '../vocabulary.js';
import { githubPipelines } from './github.js';
import { gitlabPipelines } from './gitlab.js';
import type { PipelineSpec } from './spec.js';
import type { PipelineFile } from './types.js';

/** One generator per provider: adding a provider is a new file and one line here. */
const generators: { [P in CiProvider]: (spec: PipelineSpec) => PipelineFile[] } = {
  github: githubPipelines,
  gitlab: gitlabPipelines,
};

/** The files of a provider's pipelines for a project. Pure. */
export function pipelineFiles(provider: CiProvider, spec: PipelineSpec): PipelineFile[] {
  return generators[provider](spec);
}
