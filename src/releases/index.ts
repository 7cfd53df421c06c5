// The releases module's public surface: other modules import only from here.
export { createImageRelease, createRelease, listReleases, readRelease, verifyRelease } from './release.js';
export type { CreateReleaseResult, Release } from './release.js';
export type { DependencySet } from './artifact.js';
export { BUNDLE_SOURCES, CONFIG_SOURCES } from './artifact.js';
export { appendLedger, appendLedgerUnless, parseLedger, readLedger } from './ledger.js';
export type { LedgerRead, TornTail } from './ledger.js';
export type * from './ledger-types.js';
export {
  lastEval,
  previousRelease,
  promotionsInProgress,
  recordedRelease,
  recordedReleases,
  rollbacksInProgress,
} from './history.js';
export { acquireLock, LEASE_MS, readLock } from './lock.js';
export type { EnvironmentLock, LockHolder, LockOptions, LockPurpose, LockStatus } from './lock.js';
export { LEDGER_FILE, releasePaths } from './paths.js';
export { deployEnvironment, deployRelease, previewEnvironment } from './deploy.js';
export type { DeployRequest, DeployResult, PreviewRequest } from './deploy.js';
export {
  DEFAULT_MAX_EVAL_AGE_MINUTES,
  DEFAULT_SMOKE_CASES,
  promote,
  promotionExitCode,
  SMOKE_MIN_PASS_SHARE,
} from './promote.js';
export type { PromoteRequest, PromotionOutcome, PromotionResult, PromotionStep } from './promote.js';
export { promotionOrder } from '../manifest/order.js';
export { rollback } from './rollback.js';
export type { RollbackRequest, RollbackResult } from './rollback.js';
export { projectStatus } from './status.js';
export type { EnvironmentStatus, ProjectStatus } from './status.js';
export { startAndAsk } from './start.js';
export {
  renderDeployment,
  renderPromotionVerdict,
  renderRelease,
  renderReleaseList,
  renderRollback,
  renderStatus,
  renderStep,
} from './render.js';
