import type { Environment, Manifest } from '../manifest/index.js';
import type { Target } from '../vocabulary.js';

/**
 * The one interface every target implements (docs/architecture.md §4): deploy a release, read the
 * outputs, say which release runs, stop. `up`, `outputs`, `destroy`, `promote`, `rollback` and `status`
 * talk to this interface only; they never ask which target is behind it.
 */
export interface EnvironmentDriver {
  readonly env: string;
  readonly target: Target;
  /** Makes the environment run exactly this release; a no-op (changed: false) when it already does. */
  deploy(release: DeployableRelease, onStep?: (line: string) => void): Promise<Deployment>;
  /** Endpoints and ids of the running environment; an environment error (exit 3) when it is not running. */
  outputs(): Promise<EnvironmentOutputs>;
  /** Which release actually runs, as the running service reports it; never throws for a stopped one. */
  runningRelease(): Promise<RunningRelease>;
  /** Stops the environment and removes its data. */
  stop(): Promise<StopResult>;
}

/** What a target needs of a release: its id, and its artifact (a built copy locally, an image in the cloud). */
export interface DeployableRelease {
  id: string;
  artifact: { kind: 'local-bundle'; path: string } | { kind: 'image'; digest: string };
}

export interface EnvironmentOutputs {
  env: string;
  target: Target;
  url: string;
  status: string;
  /** The release the service reports (null for a service that predates releases). */
  release: string | null;
}

export interface Deployment {
  outputs: EnvironmentOutputs;
  changed: boolean;
}

export interface RunningRelease {
  env: string;
  /** running: answers and reports `release`; stopped: nothing runs; failed: runs but does not answer. */
  state: 'running' | 'stopped' | 'failed';
  release: string | null;
  url?: string;
  reason?: string;
}

export interface StopResult {
  env: string;
  stopped: boolean;
  removed: string[];
}

/** An environment of genai.yaml, resolved: the project, its manifest, and the entry's name and settings. */
export interface ResolvedEnvironment {
  projectDir: string;
  manifest: Manifest;
  env: string;
  entry: Environment;
  /** Where the entry's target is written, for messages: genai.yaml:LINE:COL. */
  targetLocation: string;
  /** Where genai.yaml sets the port, for messages (local target). */
  portLocation?: string | undefined;
}
