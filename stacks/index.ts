/**
 * The kit's infrastructure code (docs/architecture.md §4): Pulumi components and one program per cloud
 * target. This entry carries types only, so a project's `infra/transforms.ts` can be typed against the
 * components' Args without loading a provider; the programs are `genai-kit/stacks/aws` and
 * `genai-kit/stacks/kubernetes`.
 */
export type * from './spec.js';
export type { KubernetesTransforms } from './kubernetes/index.js';
