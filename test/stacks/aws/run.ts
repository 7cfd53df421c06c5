import { expect } from 'vitest';
import type { AwsTransforms } from '../../../stacks/aws/index.js';
import type { AwsStackSpec } from '../../../stacks/spec.js';
import { runUnderMocks, type RecordedResource } from '../mocks.js';

/** A recorded resource's inputs or a part of them: provider-shaped JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Inputs = Record<string, any>;

/** Runs the AWS program for one spec under the mocks and returns what it declared, with lookups. */
export async function runAws(spec: AwsStackSpec, transforms?: AwsTransforms) {
  const run = await runUnderMocks(spec.project, spec.env, async () => {
    const { program } = await import('../../../stacks/aws/index.js');
    return () => program(spec, transforms);
  });
  const all = (type: string) => run.resources.filter((r) => r.type === type);
  const one = (type: string, nameEnd = '') => {
    const found = run.resources.filter((r) => r.type === type && r.name.endsWith(nameEnd));
    expect(
      found.map((r) => r.name),
      `one ${type} named …${nameEnd}`,
    ).toHaveLength(1);
    return found[0]!;
  };
  return { ...run, all, one, counts: countByType(run.resources) };
}

export function countByType(resources: RecordedResource[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of resources) if (r.custom) counts[r.type] = (counts[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: Record<string, unknown>;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyFound {
  /** Resource type and name, and the input the document came from. */
  where: string;
  kind: 'trust' | 'identity' | 'key' | 'topic';
  statements: Statement[];
}

/** Every IAM policy document the program declared, parsed from its JSON. */
export function policyDocuments(resources: RecordedResource[]): PolicyFound[] {
  const found: PolicyFound[] = [];
  const add = (r: RecordedResource, input: string, kind: PolicyFound['kind']) => {
    const text = r.inputs[input];
    if (typeof text !== 'string') return;
    const doc = JSON.parse(text) as { Version: string; Statement: Statement[] };
    expect(doc.Version, `${r.name}.${input}`).toBe('2012-10-17');
    found.push({ where: `${r.type} ${r.name}.${input}`, kind, statements: doc.Statement });
  };
  for (const r of resources) {
    if (r.type === 'aws:iam/role:Role') add(r, 'assumeRolePolicy', 'trust');
    if (r.type === 'aws:iam/rolePolicy:RolePolicy') add(r, 'policy', 'identity');
    if (r.type === 'aws:kms/key:Key') add(r, 'policy', 'key');
    if (r.type === 'aws:sns/topicPolicy:TopicPolicy') add(r, 'policy', 'topic');
  }
  return found;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}
