import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';
import { ExitCode } from '../errors.js';
import type { CostReport, MaxIncrease, WhatIf } from '../cost/index.js';

// The cost module's own parsers read --what-if and --max-increase; it is loaded for run() anyway.
const costModule = () => import('../cost/index.js');

export default class Cost extends GenaiCommand<typeof Cost> {
  static override summary = 'Monthly cost per environment and component, ways to buy the model, and budget gates.';

  static override description = `Estimates each environment's monthly cost (model, embeddings, vector store, service runtime, monitoring) with a low / expected / high range, the cost per 1,000 requests, and for the model: on-demand versus provisioned throughput versus a self-hosted endpoint, with the break-even traffic of each pair.
Token figures come from a measured eval run (--from-eval), else cost.usage in genai.yaml, else defaults derived from the manifest; the report says which.
Exit codes: 0 ok, 1 an environment is over budget or --diff found an increase past the limit, 2 input error.`;

  static override strict = false;

  static override args = {
    environments: Args.string({ description: 'Environments to estimate (all when none).', required: false }),
  };

  static override flags = {
    'from-eval': Flags.string({
      description: 'Use the usage measured in an eval run: a run id or latest.',
      helpValue: 'RUN|latest',
    }),
    'what-if': Flags.custom<WhatIf>({
      description:
        'Change an input for this estimate: users, requestsPerUser, peakFactor, input, output, embedding (repeatable).',
      helpValue: 'KEY=VALUE',
      multiple: true,
      parse: async (input) => (await costModule()).parseWhatIfAssignment(input),
    })(),
    format: Flags.option({
      description: 'Output format.',
      options: ['table', 'markdown'] as const,
      default: 'table',
    })(),
    diff: Flags.string({
      description:
        'Compare with a saved report (genai cost --json > base.json) or a git ref; fail past the allowed increase.',
      helpValue: 'BASE',
    }),
    'max-increase': Flags.custom<MaxIncrease>({
      description:
        'Allowed increase per environment for --diff: a percent (10%) or US dollars (500); wins over cost.maxIncrease.',
      helpValue: 'LIMIT',
      parse: async (input) => (await costModule()).parseMaxIncrease(input),
    })(),
  };

  static override examples = [
    '<%= config.bin %> cost',
    '<%= config.bin %> cost prod --what-if users=40000',
    '<%= config.bin %> cost --from-eval latest --format markdown',
    '<%= config.bin %> cost --diff origin/main --max-increase 10%',
  ];

  public async run(): Promise<CostReport> {
    const { estimateCost, renderMarkdown, renderText } = await costModule();
    const report = await estimateCost({
      cwd: this.flags.cwd,
      environments: this.positionals,
      fromEval: this.flags['from-eval'],
      whatIf: this.flags['what-if'],
      diff: this.flags.diff,
      maxIncrease: this.flags['max-increase'],
    });
    this.say(this.flags.format === 'markdown' ? renderMarkdown(report) : renderText(report));
    if (!report.gate.ok) {
      for (const failure of report.gate.failures) this.logToStderr(`error: ${failure.message} — fix: ${failure.fix}`);
      // A failed gate still prints the report (and returns it for --json): it is not a thrown error.
      process.exitCode = ExitCode.gateFailed;
    }
    return report;
  }
}
