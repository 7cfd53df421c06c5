// The manifest module's public surface: other modules import only from here.
export {
  availability,
  CATALOG_CHECKED,
  CATALOG_SOURCE,
  catalogEntries,
  catalogIds,
  findCatalogEntry,
} from './catalog.js';
export type { Availability, CatalogEntry, CatalogKind, CatalogProvider } from './catalog.js';
export { checkManifest, checkProject, formatFinding, formatSummary } from './check.js';
export type { CheckReport, ExtraCheck, Finding, FindingLevel } from './check.js';
export { manifestJsonSchema, MANIFEST_SCHEMA_ID } from './json-schema.js';
export { loadManifest, MANIFEST_FILE, problemToError, readManifest, validateManifest } from './load.js';
export type { LoadedManifest, ManifestProblem, ManifestValidation } from './load.js';
export { closest, nearest } from './suggest.js';
export { fieldName, locate } from './locate.js';
export { PROJECT_NAME_PATTERN, suggestProjectName, validateProjectName } from './name.js';
export {
  AWS_REGION_PATTERN,
  awsEnvironment,
  ENVIRONMENT_NAME_PATTERN,
  environmentSchema,
  kubernetesEnvironment,
  localEnvironment,
  manifestSchema,
} from './schema.js';
export type {
  AwsEnvironment,
  Environment,
  KubernetesEnvironment,
  LocalEnvironment,
  Manifest,
  ManifestInput,
} from './schema.js';
