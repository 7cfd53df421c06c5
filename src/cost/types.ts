/** Shapes that several files of the cost module share, kept below all of them so that imports point one way. */

/** A reason the cost gate fails: an environment or the service over budget, or an increase past the limit. */
export interface GateFailure {
  code: 'E_COST_OVER_BUDGET' | 'E_COST_SERVICE_OVER_BUDGET' | 'E_COST_INCREASE';
  environment?: string;
  field?: string;
  message: string;
  fix: string;
}
