/**
 * The GitHub Actions the generated workflows use, each pinned to the full commit of a release tag: a tag
 * can be moved, a commit cannot. The version stays beside the SHA as a comment so that a reader (and
 * Dependabot or Renovate) knows what it is. Each SHA was read from the tag in the action's own repository
 * and matched against workflows that pin the same release.
 */
export interface PinnedAction {
  /** owner/repo */
  name: string;
  /** Full 40-character commit SHA of the release tag. */
  sha: string;
  /** The release tag the SHA belongs to. */
  version: string;
}

export const actions = {
  checkout: { name: 'actions/checkout', sha: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  setupNode: { name: 'actions/setup-node', sha: '820762786026740c76f36085b0efc47a31fe5020', version: 'v7.0.0' },
  uploadArtifact: {
    name: 'actions/upload-artifact',
    sha: 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
    version: 'v7.0.0',
  },
  downloadArtifact: {
    name: 'actions/download-artifact',
    sha: '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c',
    version: 'v8.0.1',
  },
  configureAwsCredentials: {
    name: 'aws-actions/configure-aws-credentials',
    sha: 'e6de054238d6b7531b4efff3b6587d9aade6a06c',
    version: 'v6.2.3',
  },
} as const satisfies Record<string, PinnedAction>;

/** `owner/repo@<sha> # <version>`, as written after `uses:`. */
export const uses = (action: PinnedAction): string => `${action.name}@${action.sha} # ${action.version}`;
