import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_MAX_ERROR_RATE,
  DEFAULT_RETRIES,
  DEFAULT_SEED,
  DEFAULT_TIMEOUT_MS,
} from '../evals/defaults.js';
import { ExitCode } from '../errors.js';

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
    'max-error-rate': Flags.string({
      description: `Share of errored cases (0..1) above which the run fails with exit 3 (default ${DEFAULT_MAX_ERROR_RATE}).`,
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
  };

  public async run() {
    const flags = this.flags;
    const { runEval } = await import('../evals/index.js');
    const { streamProgress, silentProgress } = await import('../evals/progress.js');
    const { usageError } = await import('../errors.js');

    let evals;
    let maxRegression: number | undefined;
    if (existsSync(join(flags.cwd, 'genai.yaml')) || !flags.dataset) {
      const { loadManifest } = await import('../manifest/index.js');
      const { manifest } = await loadManifest(flags.cwd);
      evals = manifest.evals;
      maxRegression = manifest.promotion.maxRegression;
    }
    let maxErrorRate: number | undefined;
    if (flags['max-error-rate'] !== undefined) {
      maxErrorRate = Number(flags['max-error-rate']);
      if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
        throw usageError('E_USAGE', `--max-error-rate ${flags['max-error-rate']} is not a share between 0 and 1`, {
          fix: 'e.g. --max-error-rate 0.05',
        });
      }
    }
    const target = flags.url
      ? ({ kind: 'url', url: flags.url } as const)
      : flags.env
        ? ({ kind: 'env', env: flags.env } as const)
        : flags.local
          ? ({ kind: 'local' } as const)
          : undefined;
    if (!target && !flags.resume) {
      throw usageError('E_EVAL_NO_TARGET', 'no target to evaluate', { fix: 'pass --url URL, --env ENV or --local' });
    }

    const controller = new AbortController();
    let interrupts = 0;
    const onInterrupt = () => {
      if (++interrupts > 1) process.exit(ExitCode.interrupted);
      this.logToStderr('\nstopping: finishing the results file (Ctrl-C again to quit at once)…');
      controller.abort();
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onInterrupt);
    let outcome;
    try {
      outcome = await runEval({
        cwd: flags.cwd,
        ...(evals ? { evals } : {}),
        ...(maxRegression !== undefined ? { maxRegression } : {}),
        ...(flags.dataset ? { dataset: flags.dataset } : {}),
        ...(target ? { target } : {}),
        openTarget: async (spec) => {
          if (spec.kind === 'url') return { url: spec.url };
          const environments = await import('../environments/index.js');
          if (spec.kind === 'env') return { url: await environments.environmentEndpoint(flags.cwd, spec.env) };
          return environments.startEphemeralService(flags.cwd);
        },
        protocol: flags.protocol,
        ...(flags.model ? { model: flags.model } : {}),
        ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
        ...(flags.timeout ? { timeoutMs: flags.timeout } : {}),
        ...(flags.retries !== undefined ? { retries: flags.retries } : {}),
        ...(flags.repeat ? { repeat: flags.repeat } : {}),
        cache: flags.cache,
        filter: flags.filter ?? [],
        ...(flags.sample ? { sample: flags.sample } : {}),
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(maxErrorRate !== undefined ? { maxErrorRate } : {}),
        ...(flags.baseline ? { baseline: flags.baseline } : {}),
        ...(flags.resume ? { resume: flags.resume } : {}),
        ...(flags['save-baseline'] ? { saveBaseline: flags['save-baseline'] } : {}),
        outputs: { json: flags.report, junit: flags.junit, markdown: flags.markdown, html: flags.html },
        ...(process.env.GITHUB_STEP_SUMMARY ? { stepSummary: process.env.GITHUB_STEP_SUMMARY } : {}),
        signal: controller.signal,
        progress: flags.progress && !this.jsonEnabled() ? streamProgress(process.stderr) : silentProgress,
      });
    } finally {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onInterrupt);
    }

    const { report, files } = outcome;
    const { summary, gate } = report;
    const { formatMetric } = await import('../evals/reports/report.js');
    this.say(
      `run ${report.run.id}: ${summary.total} cases — ${summary.passed} passed, ${summary.failed} failed, ${summary.errored} errored${summary.missing ? `, ${summary.missing} missing` : ''}`,
    );
    if (report.judges.note) this.say(`note: ${report.judges.note}`);
    for (const metric of Object.values(summary.metrics)) {
      const threshold = gate.thresholds.find((t) => t.metric === metric.name);
      const mark = threshold ? (threshold.pass ? ' ✓' : ` ✗ (threshold ${threshold.threshold})`) : '';
      const offline = metric.kind === 'judge' && metric.offline ? ' [offline heuristic]' : '';
      this.say(`  ${metric.name.padEnd(18)} ${formatMetric(metric.name, metric.value).padStart(10)}${offline}${mark}`);
    }
    for (const reason of gate.reasons) this.say(`  gate: ${reason}`);
    this.say(`reports: ${files.runDir}`);
    if (outcome.baselineSaved) this.say(`saved as the baseline of ${outcome.baselineSaved}`);
    else if (flags['save-baseline'])
      this.warnLine(`not saved as the baseline of ${flags['save-baseline']}: the gates did not pass`);

    // Written to stderr even under --json: the verdict line is for the CI log, stdout stays the report.
    const verdict = (line: string) => process.stderr.write(`${line}\n`);
    if (outcome.interrupted) {
      verdict(`interrupted: resume with genai eval --resume ${report.run.id}`);
      process.exitCode = ExitCode.interrupted;
    } else if (!gate.errorRate.pass) {
      verdict(`error: ${gate.reasons[0]} — fix: check the target's health and logs, or raise evals.maxErrorRate`);
      process.exitCode = ExitCode.environment;
    } else if (!gate.pass) {
      verdict(`gate failed: ${gate.reasons.join('; ')}`);
      process.exitCode = ExitCode.gateFailed;
    }
    return report;
  }
}
