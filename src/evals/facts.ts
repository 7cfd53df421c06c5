import type { ResultFacts, ScoreFacts } from './types.js';

const STATES = ['passed', 'failed', 'errored'] as const;
const HAS = 1;
const PASS_SET = 2;
const PASS = 4;
const AGREEMENT = 8;

interface MetricColumn {
  values: Float64Array;
  /** Per case: HAS (a score exists), PASS_SET/PASS (its pass), AGREEMENT (an agreement is kept). */
  flags: Uint8Array;
  /** Made at the first agreement (judges asked more than once): most runs have none. */
  agreement: Float64Array | undefined;
  errors: Map<number, string>;
}

/**
 * The facts of a run's results (ResultFacts) in columns: a typed array per metric instead of an object per
 * score, about a tenth of the memory of the objects for a 100,000-case run. Iterating yields each result's
 * facts as an object made on the fly, so the summary and the gate read it like an array of facts.
 */
export class ResultTable implements Iterable<ResultFacts> {
  private capacity: number;
  private count = 0;
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  private states: Uint8Array;
  /** Per case: 1 has a response, 2 the response came from the cache. */
  private responses: Uint8Array;
  /** latencyMs, inputTokens, outputTokens, embeddingTokens per case. */
  private numbers: Float64Array;
  /** Where each case's full result sits in the results file: byte offset and length (length -1: not known). */
  private offsets: Float64Array;
  private lengths: Int32Array;
  private readonly metrics = new Map<string, MetricColumn>();

  /** `capacity`: how many results are expected (the run's case count), so that the columns are made once. */
  constructor(capacity = 1024) {
    this.capacity = Math.max(16, capacity);
    this.states = new Uint8Array(this.capacity);
    this.responses = new Uint8Array(this.capacity);
    this.numbers = new Float64Array(this.capacity * 4);
    this.offsets = new Float64Array(this.capacity);
    this.lengths = new Int32Array(this.capacity).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  has(caseId: string): boolean {
    return this.index.has(caseId);
  }

  /**
   * Adds a result's facts (a full CaseResult is read for its facts only), and where its line sits in the
   * results file when known. A case already present is ignored.
   */
  add(result: ResultFacts, where?: { offset: number; length: number }): void {
    if (this.index.has(result.caseId)) return;
    if (this.count === this.capacity) this.grow();
    const i = this.count++;
    if (where) {
      this.offsets[i] = where.offset;
      this.lengths[i] = where.length;
    }
    this.ids.push(result.caseId);
    this.index.set(result.caseId, i);
    this.states[i] = STATES.indexOf(result.state);
    const response = result.response;
    if (response) {
      this.responses[i] = 1 | (response.cached ? 2 : 0);
      this.numbers.set(
        [response.latencyMs, response.usage.inputTokens, response.usage.outputTokens, response.usage.embeddingTokens],
        i * 4,
      );
    }
    for (const [name, score] of Object.entries(result.scores)) {
      const column = this.column(name);
      const agreement = score.agreement ?? score.judge?.agreement;
      column.values[i] = score.value ?? Number.NaN;
      column.flags[i] =
        HAS |
        (score.pass !== undefined ? PASS_SET | (score.pass ? PASS : 0) : 0) |
        (agreement !== undefined ? AGREEMENT : 0);
      if (agreement !== undefined) (column.agreement ??= new Float64Array(this.capacity))[i] = agreement;
      if (score.error !== undefined) column.errors.set(i, score.error);
    }
  }

  /** The facts of one case, or undefined when it has no result. */
  get(caseId: string): ResultFacts | undefined {
    const i = this.index.get(caseId);
    return i === undefined ? undefined : this.at(i);
  }

  /** Where a case's full result sits in the results file, or undefined when it has none (or it is not known). */
  where(caseId: string): { offset: number; length: number } | undefined {
    const i = this.index.get(caseId);
    if (i === undefined || this.lengths[i]! < 0) return undefined;
    return { offset: this.offsets[i]!, length: this.lengths[i]! };
  }

  *[Symbol.iterator](): Iterator<ResultFacts> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  private at(i: number): ResultFacts {
    const scores: Record<string, ScoreFacts> = {};
    for (const [name, column] of this.metrics) {
      const flags = column.flags[i]!;
      if (!(flags & HAS)) continue;
      const value = column.values[i]!;
      const error = column.errors.get(i);
      scores[name] = {
        value: Number.isNaN(value) ? null : value,
        ...(flags & PASS_SET ? { pass: Boolean(flags & PASS) } : {}),
        ...(error !== undefined ? { error } : {}),
        ...(flags & AGREEMENT ? { agreement: column.agreement![i]! } : {}),
      };
    }
    const facts: ResultFacts = { caseId: this.ids[i]!, state: STATES[this.states[i]!]!, scores };
    if (this.responses[i]! & 1) {
      const n = this.numbers.subarray(i * 4, i * 4 + 4);
      facts.response = {
        latencyMs: n[0]!,
        usage: { inputTokens: n[1]!, outputTokens: n[2]!, embeddingTokens: n[3]! },
        ...(this.responses[i]! & 2 ? { cached: true } : {}),
      };
    }
    return facts;
  }

  private column(name: string): MetricColumn {
    let column = this.metrics.get(name);
    if (!column) {
      column = {
        values: new Float64Array(this.capacity),
        flags: new Uint8Array(this.capacity),
        agreement: undefined,
        errors: new Map(),
      };
      this.metrics.set(name, column);
    }
    return column;
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const widen = <T extends Float64Array | Int32Array | Uint8Array>(old: T, size: number): T => {
      const next = new (old.constructor as new (n: number) => T)(size);
      next.set(old);
      return next;
    };
    this.states = widen(this.states, capacity);
    this.responses = widen(this.responses, capacity);
    this.numbers = widen(this.numbers, capacity * 4);
    this.offsets = widen(this.offsets, capacity);
    const lengths = widen(this.lengths, capacity);
    lengths.fill(-1, this.capacity);
    this.lengths = lengths;
    for (const column of this.metrics.values()) {
      column.values = widen(column.values, capacity);
      column.flags = widen(column.flags, capacity);
      if (column.agreement) column.agreement = widen(column.agreement, capacity);
    }
    this.capacity = capacity;
  }
}
