import { usageError } from '../errors.js';
import type { CostSettings } from './settings.js';
import {
  TOKEN_FIELDS,
  type Range,
  type TokenField,
  type TokensPerRequest,
  type UsageProfile,
  type UsageSourceName,
  type WhatIf,
} from './usage.js';

/**
 * Where tokens per request come from. A source gives some figures (each a low/expected/high range with
 * a sentence on how it was reached); `resolveUsage` takes each figure from the first source that has it.
 * Sources are pure: I/O (reading an eval run) happens before, so a recorded-traffic source can be added
 * beside the eval run without touching the estimator.
 */
export interface UsageSource {
  name: UsageSourceName;
  figures: Partial<Record<TokenField, Range & { detail: string }>>;
  measured?: UsageProfile['measured'];
}

/** Per-case usage read from an eval run. */
export interface MeasuredUsage {
  runId: string;
  samples: Record<TokenField, number[]>;
  cases: number;
  skipped: number;
}

/** One finished case of an eval run, as the eval engine stores it: only the usage is read here. */
export interface CaseUsageRecord {
  caseId?: string;
  state?: string;
  response?: { usage?: Partial<Record<TokenField, unknown>> };
}

/**
 * Reads the usage the service reported per case in an eval run (`RUN_ID` or `latest`) through the eval
 * engine's run store, imported lazily so that `genai check` does not load the eval engine.
 */
export async function readEvalUsage(cwd: string, run: string): Promise<MeasuredUsage> {
  const { readRun } = await import('../evals/index.js');
  const stored = await readRun(cwd, run);
  return measuredFromResults(stored.meta.id, stored.results);
}

/**
 * Pure part of reading a run: per-field samples. Errored cases and cases without usage are skipped and
 * counted, never guessed.
 */
export function measuredFromResults(runId: string, results: readonly CaseUsageRecord[]): MeasuredUsage {
  const samples: Record<TokenField, number[]> = { inputTokens: [], outputTokens: [], embeddingTokens: [] };
  let cases = 0;
  let skipped = 0;
  for (const record of results) {
    const usage = record.response?.usage;
    if (!usage || record.state === 'errored') {
      skipped++;
      continue;
    }
    let counted = false;
    for (const field of TOKEN_FIELDS) {
      const value = usage[field];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
        samples[field].push(value);
        counted = true;
      }
    }
    if (counted) cases++;
    else skipped++;
  }
  if (cases === 0) {
    throw usageError('E_COST_EVAL_EMPTY', `eval run ${runId} has no case with reported usage`, {
      fix: 'run genai eval against a service that reports usage, or leave out --from-eval',
    });
  }
  return { runId, samples, cases, skipped };
}

/** Linear-interpolated percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const position = (sorted.length - 1) * p;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/**
 * Measured figures: the mean per case is expected; the 10th and 90th percentiles of the cases bound the
 * range (if real questions resemble the lightest or heaviest tenth of the eval set).
 */
export function evalRunSource(measured: MeasuredUsage): UsageSource {
  const figures: UsageSource['figures'] = {};
  for (const field of TOKEN_FIELDS) {
    const values = [...measured.samples[field]].sort((a, b) => a - b);
    if (values.length === 0) continue;
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    figures[field] = {
      low: percentile(values, 0.1),
      expected: mean,
      high: percentile(values, 0.9),
      detail: `mean of ${values.length} cases of eval run ${measured.runId} (range: 10th–90th percentile)`,
    };
  }
  return {
    name: 'eval-run',
    figures,
    measured: { runId: measured.runId, cases: measured.cases, skipped: measured.skipped },
  };
}

function spreadRange(expected: number, settings: CostSettings, cap?: number): Range {
  const high = expected * settings.spreadHigh;
  return {
    low: expected * settings.spreadLow,
    expected,
    high: cap === undefined ? high : Math.max(expected, Math.min(high, cap)),
  };
}

const spreadWords = (settings: CostSettings) => `range ×${settings.spreadLow}–×${settings.spreadHigh}`;

export function manifestSource(
  usage:
    | {
        inputTokensPerRequest?: number | undefined;
        outputTokensPerRequest?: number | undefined;
        embeddingTokensPerRequest?: number | undefined;
      }
    | undefined,
  settings: CostSettings,
): UsageSource {
  const figures: UsageSource['figures'] = {};
  const given: Array<[TokenField, number | undefined, string]> = [
    ['inputTokens', usage?.inputTokensPerRequest, 'inputTokensPerRequest'],
    ['outputTokens', usage?.outputTokensPerRequest, 'outputTokensPerRequest'],
    ['embeddingTokens', usage?.embeddingTokensPerRequest, 'embeddingTokensPerRequest'],
  ];
  for (const [field, value, key] of given) {
    if (value === undefined) continue;
    const cap = field === 'outputTokens' ? settings.maxOutputTokens : undefined;
    figures[field] = {
      ...spreadRange(value, settings, cap),
      detail: `cost.usage.${key} in genai.yaml (${spreadWords(settings)})`,
    };
  }
  return { name: 'manifest', figures };
}

/** Figures derived from the manifest when nothing better is known. */
export function defaultsSource(settings: CostSettings): UsageSource {
  const input = settings.systemPromptTokens + settings.questionTokens + settings.topK * settings.chunkSize;
  const output = settings.maxOutputTokens / 2;
  return {
    name: 'defaults',
    figures: {
      inputTokens: {
        ...spreadRange(input, settings),
        detail: `${settings.systemPromptTokens} system + ${settings.questionTokens} question + topK ${settings.topK} × chunkSize ${settings.chunkSize} (${spreadWords(settings)})`,
      },
      outputTokens: {
        ...spreadRange(output, settings, settings.maxOutputTokens),
        detail: `half of maxOutputTokens ${settings.maxOutputTokens} (${spreadWords(settings)}, capped at ${settings.maxOutputTokens})`,
      },
      embeddingTokens: {
        ...spreadRange(settings.questionTokens, settings),
        detail: `one question of ${settings.questionTokens} tokens (${spreadWords(settings)})`,
      },
    },
  };
}

export function whatIfSource(whatIf: WhatIf, settings: CostSettings): UsageSource {
  const figures: UsageSource['figures'] = {};
  for (const field of TOKEN_FIELDS) {
    const value = whatIf[field];
    if (value === undefined) continue;
    const cap = field === 'outputTokens' ? settings.maxOutputTokens : undefined;
    figures[field] = { ...spreadRange(value, settings, cap), detail: `--what-if (${spreadWords(settings)})` };
  }
  return { name: 'what-if', figures };
}

/** Each figure from the first source that has it; defaults always have every figure. */
export function resolveUsage(sources: readonly UsageSource[]): UsageProfile {
  const pick = (field: TokenField) => {
    for (const source of sources) {
      const figure = source.figures[field];
      if (figure) return { source: source.name, figure };
    }
    throw new Error(`no usage source gives ${field}`);
  };
  const chosen = Object.fromEntries(TOKEN_FIELDS.map((field) => [field, pick(field)])) as Record<
    TokenField,
    ReturnType<typeof pick>
  >;
  const scenario = (key: keyof Range): TokensPerRequest => ({
    inputTokens: chosen.inputTokens.figure[key],
    outputTokens: chosen.outputTokens.figure[key],
    embeddingTokens: chosen.embeddingTokens.figure[key],
  });
  const measured = sources.find(
    (source) => source.measured && TOKEN_FIELDS.some((field) => chosen[field].source === source.name),
  )?.measured;
  return {
    low: scenario('low'),
    expected: scenario('expected'),
    high: scenario('high'),
    provenance: Object.fromEntries(
      TOKEN_FIELDS.map((field) => [field, { source: chosen[field].source, detail: chosen[field].figure.detail }]),
    ) as UsageProfile['provenance'],
    measured,
  };
}
