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
  /** The artifact this target runs: a built copy on this machine, or a container image in a cloud. */
  readonly artifactKind: DeployableRelease['artifact']['kind'];
  /**
   * Checks, before any work, what the target needs on this machine (the Pulumi CLI, a passphrase,
   * credentials, a kubeconfig): an environment error (exit 3) naming the install or login command.
   */
  preflight(): Promise<void>;
  /** What deploying this release would change, without changing anything. */
  preview(release: DeployableRelease, onStep?: (line: string) => void): Promise<PreviewResult>;
  /** Reads the environment's real state back into its record (outputs), changing nothing that runs. */
  refresh(onStep?: (line: string) => void): Promise<RefreshResult>;
  /** Makes the environment run exactly this release; a no-op (changed: false) when it already does. */
  deploy(release: DeployableRelease, onStep?: (line: string) => void): Promise<Deployment>;
  /** Endpoints and ids of the running environment; an environment error (exit 3) when it is not running. */
  outputs(): Promise<EnvironmentOutputs>;
  /** Which release actually runs, as the running service reports it; never throws for a stopped one. */
  runningRelease(): Promise<RunningRelease>;
  /** Stops the environment and removes its data. */
  stop(onStep?: (line: string) => void): Promise<StopResult>;
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

export interface PreviewResult {
  env: string;
  target: Target;
  release: string;
  /** Resources (cloud) or processes (local) by what would happen to them: create, update, delete, same. */
  changes: Record<string, number>;
}

export interface RefreshResult {
  env: string;
  target: Target;
  /** The environment's outputs after the refresh; null when nothing is provisioned. */
  outputs: EnvironmentOutputs | null;
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
  /** Where genai.yaml writes a field, for messages: genai.yaml:LINE:COL (the nearest parent when absent). */
  locate?: ((field: (string | number)[]) => string) | undefined;
}
