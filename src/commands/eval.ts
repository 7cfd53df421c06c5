import { Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_RETRIES,
  DEFAULT_SEED,
  DEFAULT_TIMEOUT_MS,
} from '../evals/defaults.js';
import { parseShare } from '../evals/flags.js';
import type { EvalReport } from '../evals/index.js';

export default class Eval extends GenaiCommand<typeof Eval> {
  static override summary = 'Run the eval suite against a service; write reports; the exit code gates CI.';
  static override description = `Exit codes: 0 the gates pass, 1 a gate failed (threshold or regression against the baseline), 2 usage or input error, 3 target unreachable or too many errored cases, 130 interrupted (resume with --resume).
Reports (report.json, junit.xml, report.md, report.html) are written to .genai/evals/runs/<RUN_ID>/.`;

  static override examples = [
    '<%= config.bin %> eval --url http://localhost:8787',
    '<%= config.bin %> eval --env staging --baseline prod --junit reports/evals.xml',
    '<%= config.bin %> eval --local --filter tag=export --sample 20 --seed 7',
    '<%= config.bin %> eval --url http://localhost:8000/v1 --protocol openai --model llama3 --dataset evals/chat.yaml',
    '<%= config.bin %> eval --resume latest',
  ];

  static override flags = {
    url: Flags.string({
      description: 'Base URL of a service speaking /v1/answer or the OpenAI chat protocol.',
      exclusive: ['env', 'local'],
    }),
    env: Flags.string({ description: "Evaluate an environment's running endpoint.", exclusive: ['url', 'local'] }),
    local: Flags.boolean({
      description: "Start the project's service on a free port for the run, stop it after.",
      exclusive: ['url', 'env'],
    }),
    protocol: Flags.option({
      options: ['auto', 'answer', 'openai'] as const,
      default: 'auto',
      description: 'What the target speaks.',
    })(),
    model: Flags.string({ description: 'Model id sent to an OpenAI-protocol target (default: the first it lists).' }),
    dataset: Flags.string({ description: 'Dataset file (JSONL, YAML or CSV); default evals.dataset from genai.yaml.' }),
    filter: Flags.string({
      description: 'Only cases matching tag=NAME or id=PATTERN ("*" wildcard); repeatable.',
      multiple: true,
    }),
    sample: Flags.integer({ description: 'Run a random sample of N cases.', min: 1 }),
    seed: Flags.integer({
      description: `Seed of --sample and of the bootstrap confidence intervals (default ${DEFAULT_SEED}).`,
    }),
    concurrency: Flags.integer({
      description: `Cases in flight at once (default ${DEFAULT_CONCURRENCY}).`,
      min: 1,
      max: 256,
    }),
    timeout: Flags.integer({
      description: `Timeout of one request in milliseconds (default ${DEFAULT_TIMEOUT_MS}).`,
      min: 100,
    }),
    retries: Flags.integer({
      description: `Retries of a failed request (default ${DEFAULT_RETRIES}).`,
      min: 0,
      max: 10,
    }),
    repeat: Flags.integer({
      description: 'Ask each judge K times; the verdict is the majority, agreement is reported.',
      min: 1,
      max: 15,
    }),
    cache: Flags.boolean({
      description: 'Reuse cached target and judge responses (--no-cache to ask again).',
      default: true,
      allowNo: true,
    }),
    baseline: Flags.string({
      description: 'Compare with a run id, "latest", or an environment with a saved baseline.',
    }),
    'save-baseline': Flags.string({ description: 'When the gates pass, save this run as the baseline of ENV.' }),
    resume: Flags.string({ description: 'Finish an interrupted run (RUN_ID or "latest"): only missing cases run.' }),
    'max-error-rate': Flags.custom<number>({
      description: `Share of errored cases (0..1) above which the run fails with exit 3 (default ${DEFAULT_MAX_ERROR_RATE}).`,
      parse: async (input) => parseShare('--max-error-rate', input),
    })(),
    'store-contexts': Flags.boolean({
      description:
        "Keep each case's retrieved contexts in results.jsonl and report.json (kept anyway when a judge reads them).",
    }),
    junit: Flags.string({ description: 'Also write the JUnit XML report here.' }),
    markdown: Flags.string({ description: 'Also write the Markdown report here.' }),
    html: Flags.string({ description: 'Also write the HTML report here.' }),
    report: Flags.string({ description: 'Also write the JSON report here.' }),
    progress: Flags.boolean({
      description: 'Show progress on stderr (a bar on a terminal, lines in CI).',
      default: true,
      allowNo: true,
    }),
    verbose: Flags.boolean({
      description: 'Print a line on stderr each time the concurrency limit of the target or judge changes.',
    }),
  };

  public async run(): Promise<EvalReport> {
    const { evaluate, renderSummary, verdictOf } = await import('../evals/index.js');
    const { streamProgress, silentProgress, concurrencyLog } = await import('../evals/progress.js');
    const outcome = await this.interruptible(
      (signal) =>
        evaluate(this.flags, {
          signal,
          progress: this.flags.progress && !this.jsonEnabled() ? streamProgress(process.stderr) : silentProgress,
          stepSummary: process.env.GITHUB_STEP_SUMMARY,
          onConcurrencyChange: this.flags.verbose ? concurrencyLog(process.stderr) : undefined,
        }),
      '\nstopping: finishing the results file (Ctrl-C again to quit at once)…',
    );
    const summary = renderSummary(outcome, { saveBaseline: this.flags['save-baseline'] });
    for (const line of summary.lines) this.say(line);
    for (const warning of summary.warnings) this.warnLine(warning);
    const verdict = verdictOf(outcome);
    if (verdict) {
      // Written to stderr even under --json: the verdict line is for the CI log, stdout stays the report.
      process.stderr.write(`${verdict.line}\n`);
      process.exitCode = verdict.exitCode;
    }
    return outcome.report;
  }
}
