import { GenaiCommand } from '../cli/base-command.js';
import { ExitCode } from '../errors.js';
import type { CheckReport } from '../manifest/index.js';

export default class Check extends GenaiCommand<typeof Check> {
  static override summary = 'Validate genai.yaml and the constraints that need no cloud.';

  static override description =
    'Checks the schema (every problem, located at file:line:col with a fix), environments inside constraints.regions, ' +
    'model and embedding ids offered in each region, data classes against remote endpoints, budgets, and the eval dataset. ' +
    'Exits 2 when there is an error; warnings alone exit 0.';

  static override examples = ['<%= config.bin %> check', '<%= config.bin %> check --cwd services/assistant --json'];

  public async run(): Promise<CheckReport> {
    const { checkProject, formatFinding, formatSummary } = await import('../manifest/index.js');
    const { budgetCheck } = await import('../cost/index.js');
    const { datasetCheck } = await import('../evals/index.js');
    const report = await checkProject(this.flags.cwd, undefined, [budgetCheck, datasetCheck]);
    for (const finding of report.findings) this.say(formatFinding(finding));
    this.say(formatSummary(report));
    // Set rather than thrown, so that --json still prints the findings.
    if (!report.ok) process.exitCode = ExitCode.usage;
    return report;
  }
}
