/**
 * The kit's infrastructure code (docs/architecture.md §4): Pulumi components and one program per cloud
 * target. This entry carries types only, so a project's `infra/transforms.ts` can be typed against the
 * components' Args without loading a provider; the programs are `genai-kit/stacks/aws` and
 * `genai-kit/stacks/kubernetes`.
 */
import type { AwsTransforms } from './aws/index.js';
import type { KubernetesTransforms } from './kubernetes/index.js';

export type * from './spec.js';
export type { Transform } from './transform.js';
export type { AwsTransforms, KubernetesTransforms };

/**
 * What a project's `infra/transforms.ts` exports by default: per target, per component, per child.
 *
 * @example
 * import type { ProjectTransforms } from 'genai-kit/stacks';
 * export default {
 *   aws: { vectorStore: { cluster: { backupRetentionPeriod: 35 } } },
 * } satisfies ProjectTransforms;
 */
export interface ProjectTransforms {
  aws?: AwsTransforms;
  kubernetes?: KubernetesTransforms;
}
