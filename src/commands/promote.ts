import { Args, Flags } from '@oclif/core';
import { GenaiCommand } from '../cli/base-command.js';

const DEFAULT_SMOKE_CASES = 5;
const DEFAULT_MAX_EVAL_AGE_MINUTES = 60;

export default class Promote extends GenaiCommand<typeof Promote> {
  static override summary = 'Promote the release running in FROM to TO, through the eval, cost and approval gates.';
  static override description = `In order, each step printed as it happens and recorded in .genai/ledger.jsonl: TO's constraints; an eval of FROM (reused when one of the same release is fresh); the gate: thresholds, and no regression beyond promotion.maxRegression against TO's baseline; TO's cost against the budget; approval where promotion.approval lists TO; deploy exactly that release to TO; a smoke eval there, and a rollback of TO by itself when it fails.
Exit codes: 0 promoted (or nothing to do), 1 a gate refused or the smoke eval rolled TO back, 2 usage or input error, 3 an environment problem (not running, locked), 130 interrupted.`;

  static override examples = [
    '<%= config.bin %> promote dev staging',
    '<%= config.bin %> promote staging prod --dry-run',
    '<%= config.bin %> promote staging prod --approve --json',
  ];

  static override args = {
    from: Args.string({ description: 'Environment whose running release is promoted.', required: true }),
    to: Args.string({ description: 'Environment that receives it.', required: true }),
  };

  static override flags = {
    approve: Flags.boolean({
      description: "A reviewer approved this promotion (in CI: the environment's required reviewers).",
    }),
    'dry-run': Flags.boolean({ description: 'Run the gates and print the plan; deploy nothing.' }),
    'force-unlock': Flags.boolean({ description: "Break TO's lock when its holder has died (a stale lock)." }),
    'smoke-cases': Flags.integer({
      description: `Cases the smoke eval asks TO after the deploy (default ${DEFAULT_SMOKE_CASES}).`,
      min: 1,
      default: DEFAULT_SMOKE_CASES,
    }),
    'max-eval-age': Flags.integer({
      description: `Reuse an eval of the same release younger than this many minutes (default ${DEFAULT_MAX_EVAL_AGE_MINUTES}).`,
      min: 0,
      default: DEFAULT_MAX_EVAL_AGE_MINUTES,
    }),
  };

  public async run() {
    const { promote, promotionExitCode, renderStep, renderPromotionVerdict } = await import('../releases/index.js');
    const result = await this.interruptible(
      (signal) =>
        promote({
          cwd: this.flags.cwd,
          from: this.args.from,
          to: this.args.to,
          approve: this.flags.approve,
          dryRun: this.flags['dry-run'],
          forceUnlock: this.flags['force-unlock'],
          smokeCases: this.flags['smoke-cases'],
          maxEvalAgeMinutes: this.flags['max-eval-age'],
          confirm: this.confirmAtTerminal(),
          signal,
          onStep: (step) => this.say(renderStep(step)),
          onLine: (line) => this.say(`    ${line}`),
        }),
      '\nstopping after this step (Ctrl-C again to quit at once)…',
    );
    // To stderr even under --json: the verdict is for the CI log, stdout stays the result.
    process.stderr.write(`${renderPromotionVerdict(result)}\n`);
    process.exitCode = promotionExitCode(result.outcome);
    return result;
  }
}
