import { z } from 'zod';

/**
 * The `cost` section of genai.yaml: price overrides and additions, explicit usage figures, and the
 * increase that `genai cost --diff` tolerates. Owned by the cost module; the manifest schema includes it.
 */
export const costSection = z
  .strictObject({
    prices: z
      .array(
        z.strictObject({
          id: z.string().min(1).describe('Catalog id of the price, e.g. "bedrock:meta.llama3-1-70b-instruct-v1:0:input".'),
          region: z.string().optional(),
          unit: z.string().min(1),
          usd: z.number().nonnegative(),
          source: z.string().optional(),
          checked: z.string().optional().describe('ISO date the price was checked.'),
        }),
      )
      .optional(),
    usage: z
      .strictObject({
        inputTokensPerRequest: z.number().int().nonnegative().optional(),
        outputTokensPerRequest: z.number().int().nonnegative().optional(),
        embeddingTokensPerRequest: z.number().int().nonnegative().optional(),
      })
      .optional(),
    maxIncrease: z
      .strictObject({ usd: z.number().nonnegative().optional(), percent: z.number().nonnegative().optional() })
      .optional(),
  })
  .describe('Price overrides, usage figures and the cost increase a change may bring.');
