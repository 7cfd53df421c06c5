/**
 * The ledger's record kinds: one durable line per step of a release's life, so that a crash mid-promotion
 * leaves a record of how far it got.
 */

/** Where a release's artifact lives: a folder under .genai/releases on the local target, an image elsewhere. */
export type ArtifactRef = { kind: 'local-bundle'; path: string; sha256: string } | { kind: 'image'; digest: string };

export interface ReleaseCreatedRecord {
  kind: 'release.created';
  releaseId: string;
  createdBy: string;
  artifact: ArtifactRef;
}

export interface DeployStartedRecord {
  kind: 'deploy.started';
  env: string;
  releaseId: string;
}

export interface DeployFinishedRecord {
  kind: 'deploy.finished';
  env: string;
  releaseId: string;
  url?: string;
}

export interface DeployFailedRecord {
  kind: 'deploy.failed';
  env: string;
  releaseId: string;
  reason: string;
}

export interface EvalFinishedRecord {
  kind: 'eval.finished';
  env: string;
  releaseId: string;
  runId: string;
  /** Relative to the project: .genai/evals/runs/<runId>/report.json. */
  reportPath: string;
  pass: boolean;
  /** Metric name → score, as the report's summary has them. */
  scores: Record<string, number>;
  /** 'smoke': a few cases asked after a deploy; never reused as a gate's eval. Absent: the whole suite. */
  purpose?: 'gate' | 'smoke';
}

export interface GateDecidedRecord {
  kind: 'gate.decided';
  from: string;
  to: string;
  releaseId: string;
  pass: boolean;
  /** One line per check that decided it: failed thresholds, regressions, budget, constraints. */
  reasons: string[];
}

export interface ApprovalGrantedRecord {
  kind: 'approval.granted';
  env: string;
  releaseId: string;
  by: string;
  how: 'interactive' | 'flag';
}

/** A promotion stopped at the approval gate: nobody approved at a terminal and --approve was not given. */
export interface ApprovalRequestedRecord {
  kind: 'approval.requested';
  env: string;
  releaseId: string;
}

export interface PromotionStartedRecord {
  kind: 'promotion.started';
  from: string;
  to: string;
  releaseId: string;
}

export interface PromotionFinishedRecord {
  kind: 'promotion.finished';
  from: string;
  to: string;
  releaseId: string;
}

export interface PromotionFailedRecord {
  kind: 'promotion.failed';
  from: string;
  to: string;
  releaseId: string;
  reason: string;
}

export interface RollbackStartedRecord {
  kind: 'rollback.started';
  env: string;
  fromRelease: string;
  toRelease: string;
  reason: string;
}

export interface RollbackFinishedRecord {
  kind: 'rollback.finished';
  env: string;
  fromRelease: string;
  toRelease: string;
  reason: string;
}

export interface RollbackFailedRecord {
  kind: 'rollback.failed';
  env: string;
  fromRelease: string;
  toRelease: string;
  reason: string;
}

/** What a caller appends: the kind and its fields. The ledger adds seq, at and sum. */
export type LedgerRecord =
  | ReleaseCreatedRecord
  | DeployStartedRecord
  | DeployFinishedRecord
  | DeployFailedRecord
  | EvalFinishedRecord
  | GateDecidedRecord
  | ApprovalGrantedRecord
  | ApprovalRequestedRecord
  | PromotionStartedRecord
  | PromotionFinishedRecord
  | PromotionFailedRecord
  | RollbackStartedRecord
  | RollbackFinishedRecord
  | RollbackFailedRecord;

export type LedgerKind = LedgerRecord['kind'];

/** Added by the ledger to every record it stores. */
export interface LedgerStamp {
  /** 1, 2, 3, … in file order, without gaps. */
  seq: number;
  /** ISO 8601 time of the append. */
  at: string;
  /** The first 16 hex characters of SHA-256 over the line without its `sum` field. */
  sum: string;
}

/** One stored line: a record with its stamp. */
export type LedgerEntry<K extends LedgerKind = LedgerKind> = Extract<LedgerRecord, { kind: K }> & LedgerStamp;
