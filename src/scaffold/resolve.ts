import { basename, resolve } from 'node:path';
import { usageError } from '../errors.js';
import { PROJECT_NAME_RULE } from '../manifest/name.js';
import { targets } from '../vocabulary.js';
import {
  defaults,
  initCiChoices,
  initModelProviders,
  initVectorStores,
  optionProblems,
  type InitOptions,
} from './options.js';

/** What the command line gave; anything undefined is asked, or defaulted under --yes. */
export interface InitAnswers {
  dir?: string | undefined;
  name?: string | undefined;
  target?: string | undefined;
  provider?: string | undefined;
  vectorStore?: string | undefined;
  environments?: string | undefined;
  region?: string | undefined;
  ci?: string | undefined;
  baseUrl?: string | undefined;
}

/** Asks the user one question; the command supplies @inquirer/prompts, tests never reach it. */
export interface Asker {
  text(message: string, fallback: string, validate?: (value: string) => string | true): Promise<string>;
  choose(message: string, choices: readonly string[], fallback: string): Promise<string>;
}

export interface ResolveContext {
  yes: boolean;
  /** undefined when no terminal can answer (CI, pipes). */
  ask?: Asker | undefined;
  validateName: (name: string) => string | undefined;
}

/**
 * Resolves every option as oclif's generator does: the flag, else the default under --yes, else a prompt.
 * Without a terminal and without --yes, a missing value is a usage error naming its flag.
 */
export async function resolveInitOptions(
  given: InitAnswers,
  ctx: ResolveContext,
): Promise<{ dir: string; options: InitOptions }> {
  const pick = async (
    flag: string,
    value: string | undefined,
    fallback: string,
    prompt: (a: Asker) => Promise<string>,
  ) => {
    if (value !== undefined) return value;
    if (ctx.yes) return fallback;
    if (!ctx.ask)
      throw usageError('E_MISSING_FLAG', `--${flag} is needed when no terminal can answer`, {
        fix: `pass --${flag}, or --yes to take the defaults`,
      });
    return prompt(ctx.ask);
  };
  const nameProblem = (name: string) => {
    const problem = ctx.validateName(name);
    return problem ? `project name "${name}" ${problem}` : true;
  };

  let dir = given.dir;
  let name = given.name;
  if (dir === undefined && name === undefined) {
    if (!ctx.ask) {
      throw usageError('E_MISSING_DIR', 'no project folder given', {
        fix: 'pass DIR (genai init my-service --yes) or --name',
      });
    }
    name = await ctx.ask.text('Project name', 'genai-service', nameProblem);
  }
  dir ??= name!;
  name ??= basename(resolve(dir));
  const problem = nameProblem(name);
  if (problem !== true) {
    throw usageError('E_NAME', problem, {
      field: given.name === undefined ? 'DIR' : '--name',
      fix: `use ${PROJECT_NAME_RULE} (e.g. cycle-assistant); pass --name when the folder name is not one`,
    });
  }

  const choose = (
    flag: string,
    value: string | undefined,
    choices: readonly string[],
    fallback: string,
    message: string,
  ) =>
    pick(flag, value, fallback, (a) => a.choose(message, choices, fallback)).then((v) => {
      if (!choices.includes(v))
        throw usageError('E_FLAG_VALUE', `--${flag} "${v}" is not one of ${choices.join(', ')}`, {
          fix: `pass --${flag} ${fallback}`,
        });
      return v;
    });

  const target = (await choose(
    'target',
    given.target,
    targets,
    defaults.target,
    'Where will it run?',
  )) as InitOptions['target'];
  const provider = (await choose(
    'provider',
    given.provider,
    initModelProviders,
    defaults.provider,
    'Model provider',
  )) as InitOptions['provider'];
  const baseUrl =
    provider === 'openai-compatible'
      ? await pick('base-url', given.baseUrl, defaults.baseUrl, (a) =>
          a.text('OpenAI-compatible base URL', defaults.baseUrl),
        )
      : undefined;
  const vectorStore = (await choose(
    'vector-store',
    given.vectorStore,
    initVectorStores,
    defaults.vectorStore,
    'Vector store',
  )) as InitOptions['vectorStore'];
  const environments = (
    await pick('environments', given.environments, defaults.environments.join(','), (a) =>
      a.text('Environments, in promotion order', defaults.environments.join(',')),
    )
  )
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const region = await pick('region', given.region, defaults.region, (a) =>
    a.text('AWS region (also the data-residency constraint)', defaults.region),
  );
  const ci = (await choose('ci', given.ci, initCiChoices, defaults.ci, 'CI provider')) as InitOptions['ci'];

  const options: InitOptions = {
    name,
    target,
    provider,
    vectorStore,
    environments,
    region,
    ci,
    baseUrl: baseUrl || undefined,
  };
  const [first] = optionProblems(options);
  if (first) throw usageError('E_OPTIONS', first.message, { field: `--${first.field}`, fix: first.fix });
  return { dir, options };
}
