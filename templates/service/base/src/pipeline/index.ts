import { context, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { UncitedClaims } from '../guardrails/citations.js';
import { detectInjection, injectionRefusal, type InjectionCheck } from '../guardrails/injection.js';
import { checkScope } from '../guardrails/scope.js';
import { redactionCount, redactPii, type Redaction } from '../guardrails/pii.js';
import { requestCostUsd } from '../prices.js';
import type { Provider } from '../providers/index.js';
import type { Store } from '../store.js';
import { excerpt } from '../observability/trace-store.js';
import { generate } from './generate.js';
import { guardInput } from './guard-input.js';
import { guardOutput, notFoundRefusal } from './guard-output.js';
import { embedQuestion, retrieve } from './retrieve.js';
import { contextWith, inSpan, preciseNow } from './span.js';

export { guardInput, medicalRefusal } from './guard-input.js';
export { guardOutput, notFoundRefusal } from './guard-output.js';

export interface PipelineDeps {
  store: Store;
  provider: Provider;
  tracer: Tracer;
  topK: number;
  /** Labels of the root span; reported with every trace. */
  env?: string | undefined;
  release?: string | null | undefined;
  /** A model-based injection check, run when the heuristics pass. */
  injectionCheck?: InjectionCheck | undefined;
  /** What the output guard does with a sentence that cites nothing retrieved; default strip. */
  uncitedClaims?: UncitedClaims | undefined;
}

export interface AnswerRequest {
  question: string;
  includeContexts?: boolean;
  /** Ask the model to stream (chat completions with stream: true); the answer is still checked whole. */
  stream?: boolean;
}

export interface AnswerResult {
  answer: string;
  refused: boolean;
  citations: { id: string; title: string }[];
  traceId: string;
  usage: { inputTokens: number; outputTokens: number; embeddingTokens: number };
  contexts?: { documentId: string; title: string; text: string; score: number }[];
}

/** The pipeline's names for its steps: span names, latency keys and metric labels. */
export const steps = ['guard-input', 'embed', 'retrieve', 'generate', 'guard-output'] as const;
export type Step = (typeof steps)[number];

/** What the service records about a request beside the answer it returns. */
export interface PipelineOutcome {
  result: AnswerResult;
  /** The question with personal data replaced: the only form that is stored, traced or sent to a model. */
  question: string;
  redaction: Redaction['found'];
  refusalReason: string | null;
  latencyMs: Partial<Record<Step | 'total', number>>;
  costUsd: number | undefined;
  /** The decisions of the retrieval and output guards, for the metrics (scope: in|out; citations: pass|stripped|refused). */
  guards: { scope?: 'in' | 'out'; citations?: 'pass' | 'stripped' | 'refused' };
}

/** The answer alone; see `runPipeline` for what the service records. */
export async function answerQuestion(deps: PipelineDeps, request: AnswerRequest): Promise<AnswerResult> {
  return (await runPipeline(deps, request)).result;
}

/**
 * The fixed sequence guard input → embed → retrieve → generate → guard output. Each step is a span under
 * one root span, whose trace id the answer carries so a user's report leads straight to the trace.
 * Personal data is redacted first: no later step, span or store sees it.
 */
export async function runPipeline(
  deps: PipelineDeps,
  request: AnswerRequest,
  api: 'answer' | 'chat.completions' = 'answer',
): Promise<PipelineOutcome> {
  const { tracer, provider } = deps;
  const started = performance.now();
  const redaction = redactPii(request.question);
  const question = redaction.text;
  const root = tracer.startSpan('answer', {
    startTime: preciseNow(),
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': provider.system,
      'gen_ai.provider.name': provider.system,
      'gen_ai.request.model': provider.chatModel,
      'genai.api': api,
      'genai.env': deps.env ?? '',
      'genai.release.id': deps.release ?? '',
      'genai.snapshot.id': deps.store.snapshot?.id ?? '',
      'genai.question': excerpt(question, 200),
      'genai.question.length': request.question.length,
    },
  });
  const parent = contextWith(context.active(), root);
  const traceId = root.spanContext().traceId;
  const usage = { inputTokens: 0, outputTokens: 0, embeddingTokens: 0 };
  const latencyMs: PipelineOutcome['latencyMs'] = {};
  const step = <T>(name: Step, run: Parameters<typeof inSpan<T>>[3]) => {
    const start = performance.now();
    return inSpan(tracer, name, parent, run).finally(() => {
      latencyMs[name] = Math.round((performance.now() - start) * 1000) / 1000;
    });
  };

  let refusalReason: string | null = null;
  const guards: PipelineOutcome['guards'] = {};
  const finish = (
    result: Omit<AnswerResult, 'traceId' | 'usage' | 'contexts'>,
    contexts: AnswerResult['contexts'] = [],
  ): PipelineOutcome => {
    const costUsd = requestCostUsd({
      provider: provider.kind,
      chatModel: provider.chatModel,
      embeddingModel: provider.embeddingModel,
      ...usage,
    });
    root.setAttributes({
      'genai.refused': result.refused,
      'genai.citations': result.citations.map((c) => c.id),
      'gen_ai.usage.input_tokens': usage.inputTokens,
      'gen_ai.usage.output_tokens': usage.outputTokens,
      'genai.usage.embedding_tokens': usage.embeddingTokens,
      ...(costUsd === undefined ? {} : { 'genai.cost.usd': costUsd }),
      ...(refusalReason ? { 'genai.refusal.reason': refusalReason } : {}),
    });
    latencyMs.total = Math.round((performance.now() - started) * 1000) / 1000;
    return {
      result: { ...result, traceId, usage, ...(request.includeContexts ? { contexts } : {}) },
      question,
      redaction: redaction.found,
      refusalReason,
      latencyMs,
      costUsd,
      guards,
    };
  };

  try {
    const input = await step('guard-input', async (span) => {
      const redacted = redactionCount(redaction.found);
      span.setAttribute('genai.pii.redactions', redacted);
      if (redacted > 0) {
        // Kinds and counts only: the values are what must not be recorded.
        span.addEvent(
          'pii.redacted',
          Object.fromEntries(Object.entries(redaction.found).map(([k, n]) => [`genai.pii.${k}`, n ?? 0])),
        );
      }
      let injection = detectInjection(question);
      if (!injection.flagged && deps.injectionCheck) injection = await deps.injectionCheck.check(question);
      span.setAttribute('genai.guard.injection', injection.flagged);
      if (injection.flagged) {
        span.setAttributes({
          'genai.guard.allowed': false,
          'genai.guard.category': 'prompt-injection',
          'genai.guard.injection.rules': injection.rules,
        });
        span.addEvent('guard.refused', { 'genai.guard.category': 'prompt-injection' });
        return { allowed: false as const, category: 'prompt-injection', refusal: injectionRefusal };
      }
      const verdict = guardInput(question);
      span.setAttributes({
        'genai.guard.allowed': verdict.allowed,
        ...(verdict.allowed ? {} : { 'genai.guard.category': verdict.category }),
      });
      if (!verdict.allowed) span.addEvent('guard.refused', { 'genai.guard.category': verdict.category });
      return verdict;
    });
    if (!input.allowed) {
      refusalReason = input.category;
      return finish({ answer: input.refusal, refused: true, citations: [] });
    }

    const embedded = await step('embed', (span) => embedQuestion(provider, question, span));
    usage.embeddingTokens = embedded.tokens;
    const contexts = await step('retrieve', async (span) => {
      const found = await retrieve(deps, embedded.vector, span);
      const scope = checkScope(found, provider.minRetrievalScore);
      span.setAttributes({
        'genai.guard.scope': scope.inScope ? 'in' : 'out',
        'genai.guard.min_score': scope.minScore,
      });
      if (!scope.inScope) span.addEvent('guard.out_of_scope', { 'genai.retrieval.top_score': scope.topScore });
      guards.scope = scope.inScope ? 'in' : 'out';
      return found;
    });
    if (guards.scope === 'out') {
      // Nothing relevant was found: refuse before a model is asked (no ungrounded answer, no cost).
      refusalReason = 'out-of-scope';
      return finish({ answer: notFoundRefusal, refused: true, citations: [] }, contexts);
    }

    const generation = await step('generate', (span) => generate(provider, question, contexts, span, request.stream));
    usage.inputTokens = generation.inputTokens;
    usage.outputTokens = generation.outputTokens;

    const output = await step('guard-output', async (span) => {
      const verdict = guardOutput(generation, contexts, deps.uncitedClaims);
      span.setAttributes({
        'genai.guard.allowed': verdict.allowed,
        'genai.guard.decision': verdict.decision,
        'genai.guard.claims': verdict.claims,
        'genai.guard.claims.uncited': verdict.uncited,
        'genai.guard.uncited_claims': deps.uncitedClaims ?? 'strip',
        ...(verdict.allowed ? {} : { 'genai.guard.reason': verdict.reason }),
      });
      if (verdict.decision === 'stripped')
        span.addEvent('guard.stripped', { 'genai.guard.claims.uncited': verdict.uncited });
      if (!verdict.allowed) span.addEvent('guard.refused', { 'genai.guard.reason': verdict.reason });
      return verdict;
    });
    guards.citations = output.decision;
    if (!output.allowed) {
      refusalReason = output.reason;
      return finish({ answer: output.refusal, refused: true, citations: [] }, contexts);
    }

    const titles = new Map(contexts.map((c) => [c.documentId, c.title]));
    const citations = output.citations.map((id) => ({ id, title: titles.get(id) ?? id }));
    return finish({ answer: output.answer, refused: false, citations }, contexts);
  } catch (error) {
    root.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    root.end();
  }
}
