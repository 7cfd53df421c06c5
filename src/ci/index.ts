// The CI module's public surface: pipeline generators, one file per provider behind a table.
export { actions, uses, type PinnedAction } from './actions.js';
export { pipelineFiles } from './providers.js';
export {
  DEFAULT_NODE_VERSION,
  pipelineSpec,
  type DeliveryStage,
  type PipelineInput,
  type PipelineSpec,
} from './spec.js';
export type { PipelineFile } from './types.js';
