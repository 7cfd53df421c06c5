/**
 * Reading the JSON documents resources carry: IAM policy documents (identity, trust, bucket, key, topic,
 * repository, secret and OpenSearch domain policies) and OpenSearch Serverless security and data-access policies.
 * Pure functions over plain values.
 */

/** Resource inputs that hold an IAM policy document, on any `aws:` resource. */
export const POLICY_DOCUMENT_PROPS = ['policy', 'assumeRolePolicy', 'accessPolicies'] as const;

/** A document as JSON text or as an object (Pulumi passes either); `undefined` when it is neither. */
export function parseDocument(value: unknown): unknown {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  }
  return value !== null && typeof value === 'object' ? value : undefined;
}

export interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
}

/** The statements of an IAM policy document; `undefined` when the value is not one. */
export function statementsOf(value: unknown): Statement[] | undefined {
  const document = parseDocument(value);
  if (!document || typeof document !== 'object' || !('Statement' in document)) return undefined;
  const statement = (document as { Statement: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.filter((s): s is Statement => s !== null && typeof s === 'object');
}

/** A string or a list of strings, as IAM and OpenSearch documents write them. */
export function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The wildcard actions of a document, each with where it is (`Statement[1].Action`). `*`, `s3:*` and `s3:Get*`
 * all count: a wildcard grants whatever the service adds later. A `Deny` statement's `Action` may use
 * wildcards (denying broadly only narrows access, e.g. deny `s3:*` without TLS); its `NotAction` may not.
 */
export function wildcardActions(value: unknown): { where: string; action: string }[] {
  const found: { where: string; action: string }[] = [];
  (statementsOf(value) ?? []).forEach((statement, i) => {
    const deny = statement.Effect === 'Deny';
    for (const key of ['Action', 'NotAction'] as const) {
      if (deny && key === 'Action') continue;
      for (const action of stringsOf(statement[key])) {
        if (action.includes('*')) found.push({ where: `Statement[${i}].${key}`, action });
      }
    }
  });
  return found;
}

/** One rule of an OpenSearch Serverless policy: `{ ResourceType, Resource: ['collection/NAME', …] }`. */
interface ServerlessRule {
  ResourceType?: unknown;
  Resource?: unknown;
  Permission?: unknown;
}

/** The entries of an OpenSearch Serverless policy: an object (encryption) or a list (network, data access). */
export function serverlessEntries(value: unknown): Record<string, unknown>[] {
  const document = parseDocument(value);
  const list = Array.isArray(document) ? document : document ? [document] : [];
  return list.filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object');
}

export function serverlessRules(entry: Record<string, unknown>): ServerlessRule[] {
  const rules = entry.Rules;
  return Array.isArray(rules) ? rules.filter((r): r is ServerlessRule => r !== null && typeof r === 'object') : [];
}

/** Whether an entry's collection rules name the collection (`collection/NAME`, or a `collection/prefix*` pattern). */
export function coversCollection(entry: Record<string, unknown>, collection: string): boolean {
  return serverlessRules(entry).some(
    (rule) =>
      rule.ResourceType === 'collection' &&
      stringsOf(rule.Resource).some((pattern) => matchesPattern(pattern, `collection/${collection}`)),
  );
}

/** `*` matches any run of characters, as in OpenSearch Serverless resource patterns. */
export function matchesPattern(pattern: string, value: string): boolean {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(value);
}
