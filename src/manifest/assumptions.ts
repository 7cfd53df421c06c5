import { ASSUMED_CONSTRAINTS, type AssumedConstraint } from './defaults.js';

// Dependency-free like defaults.ts: `genai cost` lists the assumptions from a cached manifest without zod or yaml.

/** The constraints the manifest as written (before defaults) leaves out, in the order of ASSUMED_CONSTRAINTS. */
export function assumedConstraints(data: unknown): AssumedConstraint[] {
  const constraints = (data as { constraints?: unknown } | null | undefined)?.constraints;
  const given = constraints !== null && typeof constraints === 'object' ? constraints : {};
  return (Object.keys(ASSUMED_CONSTRAINTS) as AssumedConstraint[]).filter((key) => !Object.hasOwn(given, key));
}

/** The default of a constraint as one writes it in YAML: `1000`, `[us-east-1]`, `internal`. */
export function assumedValue(key: AssumedConstraint): string {
  const value = ASSUMED_CONSTRAINTS[key];
  return Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
}

/** `constraints.dailyActiveUsers: 1000, constraints.regions: [us-east-1]` */
export function describeAssumptions(keys: readonly AssumedConstraint[]): string {
  return keys.map((key) => `constraints.${key}: ${assumedValue(key)}`).join(', ');
}
