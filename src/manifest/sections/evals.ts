import { z } from 'zod';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_RETRIES,
  DEFAULT_RETRIEVAL_K,
  DEFAULT_TIMEOUT_MS,
} from '../defaults.js';

/** The built-in LLM judges. Each has a versioned rubric in src/evals/judges/rubrics.ts. */
export const builtInJudgeNames = ['correctness', 'groundedness', 'relevance', 'sufficiency', 'safety'] as const;
export type BuiltInJudgeName = (typeof builtInJudgeNames)[number];

const judgeModel = z
  .strictObject({
    provider: z
      .enum(['offline', 'openai-compatible', 'bedrock'])
      .describe('Who grades: "offline" runs the deterministic heuristic judges; the others call a model.'),
    id: z.string().min(1).describe('Model id, e.g. "gpt-4o-mini" or "anthropic.claude-3-5-sonnet-20240620-v1:0".'),
    baseUrl: z
      .url()
      .optional()
      .describe(
        'OpenAI-compatible base URL including the version path, e.g. "http://localhost:11434/v1"; for bedrock, an endpoint override.',
      ),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional()
      .describe('Name of the environment variable holding the API key (default OPENAI_API_KEY); never the key itself.'),
    region: z.string().min(1).optional().describe('AWS region for bedrock judges (default AWS_REGION).'),
    temperature: z
      .number()
      .min(0)
      .max(2)
      .optional()
      .describe('Sampling temperature; default 0, or 0.7 when --repeat asks a judge more than once.'),
  })
  .describe('The model that grades answers. Without it the offline heuristic judges run, and every report says so.');

const example = z
  .strictObject({
    question: z.string().optional().describe('The question of the example.'),
    answer: z.string().describe('The answer being graded in the example.'),
    context: z.string().optional().describe('Retrieved context shown to the judge in the example.'),
    verdict: z.enum(['pass', 'fail']).optional().describe('Expected verdict (output: pass-fail).'),
    score: z.number().int().min(1).max(5).optional().describe('Expected score (output: scale).'),
    label: z.string().optional().describe('Expected label (output: labels).'),
    rationale: z.string().optional().describe('Why: shown to the judge as part of the example.'),
  })
  .describe('A graded example shown to the judge (few-shot).');

const customJudge = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/)
      .describe('Metric name in reports and thresholds, lower-case with dashes, e.g. "no-diagnosis".'),
    rubric: z.string().min(1).describe('What the judge checks, in plain words.'),
    output: z
      .enum(['pass-fail', 'scale', 'labels'])
      .default('pass-fail')
      .describe('pass-fail (1 or 0), scale (1–5, reported as 0–1) or labels (one of `labels`).'),
    labels: z.array(z.string().min(1)).min(2).optional().describe('The label set, best first (output: labels).'),
    passLabels: z
      .array(z.string().min(1))
      .optional()
      .describe('Labels that pass a case (output: labels; default the first label).'),
    passAt: z
      .number()
      .int()
      .min(1)
      .max(5)
      .optional()
      .describe('Lowest score that passes a case (output: scale; default 4).'),
    examples: z.array(example).optional().describe('Few-shot examples shown to the judge.'),
    version: z
      .string()
      .optional()
      .describe('Bump to invalidate cached verdicts when the meaning of the rubric changes without its text changing.'),
  })
  .superRefine((judge, ctx) => {
    if (judge.output === 'labels' && !judge.labels) {
      ctx.addIssue({ code: 'custom', path: ['labels'], message: 'output "labels" needs a `labels` list' });
    }
    for (const label of judge.passLabels ?? []) {
      if (!judge.labels?.includes(label)) {
        ctx.addIssue({ code: 'custom', path: ['passLabels'], message: `"${label}" is not in \`labels\`` });
      }
    }
  })
  .describe('A custom judge: a rubric graded by the judge model.');

/** Thresholds measured in their own units; every other metric is a score in 0..1 (a `#2` suffix names a repeat). */
const thresholdUnits = [
  { pattern: /Ms(#\d+)?$/, words: 'milliseconds (a latency)', example: 3000 },
  { pattern: /^tokens(#\d+)?$/, words: 'a count of tokens', example: 2000 },
  { pattern: /^costUsd(#\d+)?$/, words: 'US dollars', example: 0.01 },
] as const;

function checkThresholdRanges(thresholds: Record<string, number>, ctx: z.RefinementCtx): void {
  for (const [metric, value] of Object.entries(thresholds)) {
    const unit = thresholdUnits.find((candidate) => candidate.pattern.test(metric));
    if (unit && value < 0) {
      ctx.addIssue({
        code: 'custom',
        path: [metric],
        message: `the ${metric} threshold is in ${unit.words}, which is never negative, found ${value}`,
        params: { code: 'E_MANIFEST_RANGE', fix: `set ${metric} to a number >= 0, e.g. ${unit.example}` },
      });
    } else if (!unit && (value < 0 || value > 1)) {
      ctx.addIssue({
        code: 'custom',
        path: [metric],
        message: `${metric} is a score in the range 0..1, found ${value}`,
        params: {
          code: 'E_MANIFEST_RANGE',
          fix: `set ${metric} to a number from 0 to 1, e.g. 0.85 (only latency thresholds, named …Ms, are in milliseconds)`,
        },
      });
    }
  }
}

export const evalsSection = z
  .strictObject({
    dataset: z.string().min(1).describe('Path of the eval dataset (JSONL, YAML or CSV), relative to genai.yaml.'),
    judges: z
      .array(z.enum(builtInJudgeNames))
      .optional()
      .describe('Built-in judges to run: correctness, groundedness, relevance, sufficiency, safety.'),
    custom: z.array(customJudge).optional().describe('Custom judges with their own rubric.'),
    judgeModel: judgeModel.optional(),
    thresholds: z
      .record(z.string(), z.number())
      .superRefine(checkThresholdRanges)
      .optional()
      // Editors see the same ranges: patternProperties for the units, additionalProperties for scores.
      .meta({
        patternProperties: Object.fromEntries(
          thresholdUnits.map((unit) => [unit.pattern.source, { type: 'number', minimum: 0, description: unit.words }]),
        ),
        additionalProperties: { type: 'number', minimum: 0, maximum: 1, description: 'A score in 0..1.' },
      })
      .describe(
        'Minimum (or, for latency, tokens, cost and error rate, maximum) per metric, e.g. { groundedness: 0.85, latencyP95Ms: 3000 }. Scores are in 0..1; latency thresholds (names ending in Ms) are in milliseconds, tokens a count, costUsd US dollars.',
      ),
    // The defaults are applied by the eval engine, not here: .meta shows them in the JSON Schema without
    // filling them into the parsed manifest.
    maxErrorRate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .meta({ default: DEFAULT_MAX_ERROR_RATE })
      .describe(
        `Share of errored cases above which the run fails with exit code 3 (default ${DEFAULT_MAX_ERROR_RATE}).`,
      ),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(256)
      .optional()
      .meta({ default: DEFAULT_CONCURRENCY })
      .describe(`Cases in flight at once (default ${DEFAULT_CONCURRENCY}).`),
    timeoutMs: z
      .number()
      .int()
      .min(100)
      .optional()
      .meta({ default: DEFAULT_TIMEOUT_MS })
      .describe(`Timeout of one request to the target or a judge (default ${DEFAULT_TIMEOUT_MS}).`),
    retries: z
      .number()
      .int()
      .min(0)
      .max(10)
      .optional()
      .meta({ default: DEFAULT_RETRIES })
      .describe(`Retries of a failed request (default ${DEFAULT_RETRIES}).`),
    retrievalK: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .meta({ default: DEFAULT_RETRIEVAL_K })
      .describe(`k of hit@k, recall@k and nDCG@k (default ${DEFAULT_RETRIEVAL_K}).`),
    pricing: z
      .strictObject({
        inputUsdPerMillionTokens: z.number().nonnegative().describe('Price of a million input tokens.'),
        outputUsdPerMillionTokens: z.number().nonnegative().describe('Price of a million output tokens.'),
        embeddingUsdPerMillionTokens: z
          .number()
          .nonnegative()
          .optional()
          .describe('Price of a million embedding tokens.'),
      })
      .optional()
      .describe('Token prices for the per-case cost metric; without them cost is reported as unknown.'),
  })
  .describe('The eval suite that gates every promotion.');

export type EvalsSection = z.infer<typeof evalsSection>;
export type CustomJudgeConfig = z.infer<typeof customJudge>;
export type JudgeModelConfig = z.infer<typeof judgeModel>;
