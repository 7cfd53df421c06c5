import { z } from 'zod';

/** The `evals` section of genai.yaml. Owned by the evals module; the manifest schema includes it. */
export const evalsSection = z
  .strictObject({
    dataset: z.string().min(1).describe('Path of the eval dataset (JSONL, YAML or CSV), relative to genai.yaml.'),
    judges: z.array(z.enum(['groundedness', 'relevance', 'safety', 'correctness', 'sufficiency'])).optional(),
    custom: z
      .array(
        z.strictObject({
          name: z.string().regex(/^[a-z][a-z0-9-]*$/),
          rubric: z.string().min(1),
        }),
      )
      .optional(),
    thresholds: z.record(z.string(), z.number()).optional(),
  })
  .describe('The eval suite that gates every promotion.');
