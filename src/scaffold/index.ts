export { initProject, type InitFlags, type InitTerminal } from './init.js';
export { planProject, type PlannedFile, type ProjectPlan } from './plan.js';
export {
  actionLabels,
  existingFiles,
  inspectTarget,
  plannedActions,
  writeFiles,
  writeProject,
  type WriteAction,
} from './write.js';
export { resolveInitOptions, type Asker, type InitAnswers } from './resolve.js';
export { outputPath, SERVICE_TEMPLATE } from './layers.js';
export { firstLocalEnvironment, plannedEnvironments, type InitOptions } from './options.js';
export {
  defaultKitDependency,
  installedFromRegistry,
  kitRoot,
  kitVersion,
  packKit,
  templatesDir,
  VENDOR_DIR,
  type KitDependency,
} from './kit.js';
export { installDependencies } from './install.js';
export { writePipelines, type WritePipelinesOptions, type WritePipelinesResult } from './pipelines.js';
