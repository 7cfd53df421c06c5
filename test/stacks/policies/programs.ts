import type * as Aws from '@pulumi/aws';
import type * as K8s from '@pulumi/kubernetes';
import { runUnderMocks } from '../mocks.js';
import type { RecordedResource } from '../mocks.js';

export const TAGS = { service: 'cycle-assistant', environment: 'prod', 'cost-centre': 'cc-42' };
export const LABELS = {
  'genai.dev/service': 'cycle-assistant',
  'genai.dev/environment': 'prod',
  'genai.dev/cost-centre': 'cc-42',
};

/**
 * Records what a tiny program declares with the real `@pulumi/aws` and `@pulumi/kubernetes` classes, so the
 * policies see real type tokens and input shapes. Each resource is parented to nothing; names are unique per program.
 */
export async function record(declare: (aws: typeof Aws, k8s: typeof K8s) => void): Promise<RecordedResource[]> {
  const run = await runUnderMocks('genai', 'test', async () => {
    const aws = await import('@pulumi/aws');
    const k8s = await import('@pulumi/kubernetes');
    return () => {
      declare(aws, k8s);
      return {};
    };
  });
  return run.resources;
}

/** An IAM policy document as JSON text, one Allow statement per action list. */
export function document(
  ...statements: { Effect?: string; Action?: string | string[]; NotAction?: string[] }[]
): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({ Effect: 'Allow', Resource: 'arn:aws:s3:::data/*', ...s })),
  });
}
