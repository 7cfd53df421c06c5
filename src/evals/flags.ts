import { usageError } from '../errors.js';
import type { Protocol } from './target.js';
import type { TargetSpec } from './types.js';

/**
 * The command line of `genai eval`, as oclif parses it. Pure and light (errors.js only), so that the
 * command file can import it at start-up for its flag definitions.
 */
export interface EvalFlags {
  cwd: string;
  url?: string | undefined;
  env?: string | undefined;
  local?: boolean | undefined;
  protocol?: Protocol | 'auto' | undefined;
  model?: string | undefined;
  dataset?: string | undefined;
  filter?: string[] | undefined;
  sample?: number | undefined;
  seed?: number | undefined;
  concurrency?: number | undefined;
  timeout?: number | undefined;
  retries?: number | undefined;
  repeat?: number | undefined;
  cache?: boolean | undefined;
  baseline?: string | undefined;
  'save-baseline'?: string | undefined;
  resume?: string | undefined;
  'max-error-rate'?: number | undefined;
  junit?: string | undefined;
  markdown?: string | undefined;
  html?: string | undefined;
  report?: string | undefined;
  verbose?: boolean | undefined;
  'store-contexts'?: boolean | undefined;
}

/** A share between 0 and 1 given to FLAG, e.g. --max-error-rate 0.05. */
export function parseShare(flag: string, input: string): number {
  const share = Number(input);
  if (!(share >= 0 && share <= 1)) {
    throw usageError('E_USAGE', `${flag} ${input} is not a share between 0 and 1`, { fix: `e.g. ${flag} 0.05` });
  }
  return share;
}

/** The target the flags name (oclif keeps --url, --env and --local exclusive); undefined when none is given. */
export function targetFromFlags(flags: Pick<EvalFlags, 'url' | 'env' | 'local'>): TargetSpec | undefined {
  if (flags.url) return { kind: 'url', url: flags.url };
  if (flags.env) return { kind: 'env', env: flags.env };
  if (flags.local) return { kind: 'local' };
  return undefined;
}
