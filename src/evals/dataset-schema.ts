// The schema of an eval case (zod). Loaded only when a dataset has to be validated: a JSONL dataset that
// passed before, unchanged, is read without it (see loadDataset).
import { z } from 'zod';
import { usageError } from '../errors.js';
import type { EvalCase } from './types.js';

const message = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

const named = {
  name: z
    .string()
    .regex(/^[a-zA-Z][\w@.-]*$/)
    .optional(),
};
const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const assertion = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('equals'), value: z.string(), ignoreCase: z.boolean().optional(), ...named }),
  z.strictObject({
    type: z.literal('contains'),
    value: oneOrMany,
    mode: z.enum(['all', 'any']).optional(),
    ignoreCase: z.boolean().optional(),
    ...named,
  }),
  z.strictObject({ type: z.literal('not-contains'), value: oneOrMany, ignoreCase: z.boolean().optional(), ...named }),
  z.strictObject({
    type: z.literal('regex'),
    pattern: z.string().min(1).refine(isValidRegex, 'not a valid regular expression'),
    flags: z
      .string()
      .regex(/^[gimsuy]*$/)
      .optional(),
    ...named,
  }),
  z.strictObject({ type: z.literal('json-schema'), schema: z.record(z.string(), z.unknown()), ...named }),
  z.strictObject({ type: z.literal('cites'), documentIds: z.array(z.string().min(1)).min(1), ...named }),
  z.strictObject({ type: z.literal('refusal'), expected: z.boolean().optional(), ...named }),
  z.strictObject({ type: z.literal('latency'), maxMs: z.number().positive(), ...named }),
  z.strictObject({ type: z.literal('tokens'), max: z.number().int().positive(), ...named }),
  z.strictObject({ type: z.literal('cost'), maxUsd: z.number().positive(), ...named }),
]);

/** One case as written in the dataset. Strict: a misspelt field is an error, not a silently ignored key. */
export const caseSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .regex(/^[^\s]+$/, 'ids have no spaces'),
  input: z
    .strictObject({
      question: z.string().min(1).optional(),
      messages: z.array(message).min(1).optional(),
    })
    .refine((input) => input.question !== undefined || input.messages !== undefined, {
      message: 'needs `question` or `messages`',
    })
    .refine((input) => !input.messages || input.messages.some((m) => m.role === 'user'), {
      message: '`messages` needs at least one user message',
      path: ['messages'],
    }),
  expected: z
    .strictObject({
      answer: z.string().optional(),
      facts: z.array(z.string().min(1)).optional(),
      documentIds: z.array(z.string().min(1)).optional(),
      refusal: z.boolean().optional(),
    })
    .optional(),
  tags: z.array(z.string().min(1)).optional(),
  assert: z.array(assertion).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export interface RawCase {
  value: unknown;
  line: number;
  /** Turns a path inside the case into "line:column", where the format knows it. */
  locate?: (path: PropertyKey[]) => string | undefined;
  /** CSV: column names for the fields, so that errors name the column the user wrote. */
  columnOf?: (path: PropertyKey[]) => string | undefined;
}

export function validateCases(raw: RawCase[], shown: string): EvalCase[] {
  const cases: EvalCase[] = [];
  const seen = new Map<string, number>();
  for (const entry of raw) cases.push(validateCase(entry, shown, seen));
  if (cases.length === 0) {
    throw usageError('E_EVAL_DATASET_EMPTY', `dataset ${shown} has no cases`, {
      location: shown,
      fix: 'add at least one case',
    });
  }
  return cases;
}

/** One case, validated; `seen` (id → line) finds duplicate ids across calls. */
export function validateCase(entry: RawCase, shown: string, seen: Map<string, number>): EvalCase {
  {
    const parsed = caseSchema.safeParse(entry.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = entry.locate?.(issue.path) ?? String(entry.line);
      const field = entry.columnOf?.(issue.path) ?? formatPath(issue.path);
      throw usageError('E_EVAL_DATASET_INVALID', describeIssue(issue), {
        location: `${shown}:${where}`,
        field: field || undefined,
        fix: 'each case needs { id, input: { question | messages }, expected?, tags?, assert? } — see docs/evals.md',
      });
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      throw usageError(
        'E_EVAL_DATASET_DUPLICATE',
        `case id "${parsed.data.id}" is used twice (first on line ${first})`,
        {
          location: `${shown}:${entry.line}`,
          field: 'id',
          fix: 'give every case a unique id',
        },
      );
    }
    seen.set(parsed.data.id, entry.line);
    const { metadata: _metadata, ...data } = parsed.data;
    return { ...data, location: `${shown}:${entry.line}` } as EvalCase;
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union' && issue.path.at(-1) === 'value') return 'expected a string or a list of strings';
  return issue.message;
}

export function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}
