import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { coversCollection, matchesPattern, statementsOf, wildcardActions } from '../../../stacks/policies/documents.js';
import { DEFAULT_SETTINGS, policyPackConfig, settingsFrom } from '../../../stacks/policies/settings.js';
import { awsTypeTakesTags } from '../../../stacks/policies/taggable.js';
import { policies } from '../../../stacks/policies/policies.js';

describe('IAM policy documents', () => {
  it('reads statements from JSON text or objects, a single statement or a list', () => {
    expect(statementsOf('{"Statement":{"Effect":"Allow","Action":"s3:GetObject"}}')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject' },
    ]);
    expect(statementsOf({ Statement: [{ Effect: 'Allow' }, { Effect: 'Deny' }] })).toHaveLength(2);
    expect(statementsOf('not json')).toBeUndefined();
    expect(statementsOf('{"Rules":[]}')).toBeUndefined();
  });

  it('finds "*" anywhere in Action or NotAction, except in the Action of a Deny', () => {
    const document = {
      Statement: [
        { Effect: 'Allow', Action: ['logs:PutLogEvents', 'bedrock:Invoke*'] },
        { Effect: 'Allow', NotAction: 'iam:*' },
        { Effect: 'Deny', Action: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Effect: 'Deny', NotAction: ['s3:*'] },
      ],
    };
    expect(wildcardActions(JSON.stringify(document))).toEqual([
      { where: 'Statement[0].Action', action: 'bedrock:Invoke*' },
      { where: 'Statement[1].NotAction', action: 'iam:*' },
      { where: 'Statement[3].NotAction', action: 's3:*' },
    ]);
  });

  it('matches OpenSearch Serverless collection patterns', () => {
    expect(matchesPattern('collection/genai-*', 'collection/genai-vectors')).toBe(true);
    expect(matchesPattern('collection/genai.v*', 'collection/genaixv1')).toBe(false);
    const entry = { Rules: [{ ResourceType: 'collection', Resource: ['collection/genai-vectors'] }] };
    expect(coversCollection(entry, 'genai-vectors')).toBe(true);
    expect(
      coversCollection(
        { Rules: [{ ResourceType: 'dashboard', Resource: ['collection/genai-vectors'] }] },
        'genai-vectors',
      ),
    ).toBe(false);
  });
});

describe('taggable AWS types', () => {
  it('tells from @pulumi/aws whether a type takes tags', () => {
    expect(awsTypeTakesTags('aws:rds/cluster:Cluster')).toBe(true);
    expect(awsTypeTakesTags('aws:iam/rolePolicy:RolePolicy')).toBe(false);
    expect(awsTypeTakesTags('aws:kendra/index:Index')).toBe(true); // kendra/index_.d.ts
    expect(awsTypeTakesTags('aws:guardduty/iPSet:IPSet')).toBe(true); // guardduty/ipset.d.ts
    expect(awsTypeTakesTags('aws:nothing/here:Here')).toBeUndefined();
  });

  it('finds the declaration of every resource type @pulumi/aws defines', () => {
    const root = dirname(createRequire(import.meta.url).resolve('@pulumi/aws/package.json'));
    const tokens: string[] = [];
    for (const module of readdirSync(root, { withFileTypes: true })) {
      if (!module.isDirectory() || module.name === 'node_modules' || module.name === 'types') continue;
      for (const file of readdirSync(join(root, module.name))) {
        if (!file.endsWith('.js')) continue;
        const token = /__pulumiType = '(aws:[^']+)'/.exec(readFileSync(join(root, module.name, file), 'utf8'))?.[1];
        if (token) tokens.push(token);
      }
    }
    expect(tokens.length).toBeGreaterThan(1500);
    const unresolved = tokens.filter((t) => awsTypeTakesTags(t) === undefined);
    expect(unresolved).toEqual([]);
    const taggable = tokens.filter((t) => awsTypeTakesTags(t));
    expect(taggable.length).toBeGreaterThan(800);
  });
});

describe('settings', () => {
  it('fills what the config leaves out with the defaults', () => {
    expect(settingsFrom({})).toEqual(DEFAULT_SETTINGS);
    expect(settingsFrom({ dataClass: 'phi' }).requiredTags).toEqual(['service', 'environment', 'cost-centre']);
  });

  it('writes the --policy-pack-config file: each policy gets the settings its schema declares', () => {
    const config = policyPackConfig({ regions: ['eu-west-1'], dataClass: 'pii', production: true }, policies);
    expect(config).toEqual({
      'required-tags': { requiredTags: ['service', 'environment', 'cost-centre'] },
      'deletion-protection-in-production': { production: true },
      'allowed-regions': { regions: ['eu-west-1'] },
      'data-class-protection': { dataClass: 'pii' },
      'data-class-invocation-logging': { dataClass: 'pii' },
    });
  });
});
