import { Counter, Histogram, Registry } from 'prom-client';
import type { PipelineOutcome } from '../pipeline/index.js';

/**
 * Prometheus metrics of one service (GET /metrics): requests, per-step latency, tokens, cost, guardrail
 * decisions and feedback. A registry per app, not the global one, so tests and embedders do not collide.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'genai_requests_total',
    help: 'Answered requests by API and outcome.',
    labelNames: ['api', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly steps = new Histogram({
    name: 'genai_step_duration_seconds',
    help: 'Latency of each pipeline step and of the whole request (step="total").',
    labelNames: ['step'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'genai_tokens_total',
    help: 'Model tokens by kind (input, output, embedding).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'genai_cost_usd_total',
    help: 'Cost of the answered requests in US dollars, from src/prices.json.',
    registers: [this.registry],
  });
  private readonly guardrails = new Counter({
    name: 'genai_guardrail_decisions_total',
    help: 'Refusals by reason (prompt-injection, diagnosis, out-of-scope, no-citation, …), scope (in, out) and citation (pass, stripped, refused) decisions, redactions by kind.',
    labelNames: ['guard', 'decision'] as const,
    registers: [this.registry],
  });
  private readonly feedback = new Counter({
    name: 'genai_feedback_total',
    help: 'Feedback received by rating.',
    labelNames: ['rating'] as const,
    registers: [this.registry],
  });
  /** Requests turned away before the pipeline, by HTTP status (401, 413, 415, 429, 503). */
  readonly rejected = new Counter({
    name: 'genai_rejected_requests_total',
    help: 'Requests rejected before the pipeline, by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  observe(api: string, outcome: PipelineOutcome): void {
    this.requests.inc({ api, outcome: outcome.result.refused ? 'refused' : 'answered' });
    for (const [step, ms] of Object.entries(outcome.latencyMs)) this.steps.observe({ step }, (ms ?? 0) / 1000);
    const { usage } = outcome.result;
    this.tokens.inc({ kind: 'input' }, usage.inputTokens);
    this.tokens.inc({ kind: 'output' }, usage.outputTokens);
    this.tokens.inc({ kind: 'embedding' }, usage.embeddingTokens);
    if (outcome.costUsd !== undefined) this.cost.inc(outcome.costUsd);
    if (outcome.refusalReason) this.guardrails.inc({ guard: 'refusal', decision: outcome.refusalReason });
    for (const [guard, decision] of Object.entries(outcome.guards)) this.guardrails.inc({ guard, decision });
    for (const [kind, n] of Object.entries(outcome.redaction))
      this.guardrails.inc({ guard: 'pii', decision: kind }, n ?? 0);
  }

  error(api: string): void {
    this.requests.inc({ api, outcome: 'error' });
  }

  rated(rating: string): void {
    this.feedback.inc({ rating });
  }
}
