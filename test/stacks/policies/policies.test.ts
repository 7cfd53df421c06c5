import { describe, expect, it } from 'vitest';
import type { PolicySettings } from '../../../stacks/policies/settings.js';
import { messagesOf, runPolicies } from './harness.js';
import type { Violation } from './harness.js';
import { LABELS, TAGS, document, record } from './programs.js';
import type * as Aws from '@pulumi/aws';
import type * as K8s from '@pulumi/kubernetes';

const PROD: Partial<PolicySettings> = { regions: ['eu-west-1', 'eu-central-1'], dataClass: 'phi', production: true };

/** Runs a program and the pack; returns the violations of one policy, by resource name. */
async function violations(
  policy: string,
  declare: (aws: typeof Aws, k8s: typeof K8s) => void,
  settings: Partial<PolicySettings> = PROD,
): Promise<Record<string, string[]>> {
  const found: Violation[] = await runPolicies(await record(declare), settings);
  const byName: Record<string, string[]> = {};
  for (const v of found.filter((v) => v.policy === policy)) (byName[v.name] ??= []).push(v.message);
  return byName;
}

const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('encryption-at-rest', () => {
  it('catches unencrypted Aurora clusters, RDS instances, topics, repositories, secrets and vector buckets, and passes encrypted ones', async () => {
    const found = await violations('encryption-at-rest', (aws) => {
      const cluster = {
        engine: 'aurora-postgresql',
        masterUsername: 'genai',
        manageMasterUserPassword: true,
        tags: TAGS,
      };
      new aws.rds.Cluster('plain-cluster', cluster);
      new aws.rds.Cluster('sealed-cluster', { ...cluster, storageEncrypted: true, kmsKeyId: KEY });
      const instance = { instanceClass: 'db.t4g.micro', engine: 'postgres', allocatedStorage: 20, tags: TAGS };
      new aws.rds.Instance('plain-db', instance);
      new aws.rds.Instance('sealed-db', { ...instance, storageEncrypted: true });
      new aws.sns.Topic('plain-topic', { tags: TAGS });
      new aws.sns.Topic('sealed-topic', { kmsMasterKeyId: KEY, tags: TAGS });
      new aws.ecr.Repository('plain-repo', { tags: TAGS });
      new aws.ecr.Repository('sealed-repo', {
        encryptionConfigurations: [{ encryptionType: 'KMS', kmsKey: KEY }],
        tags: TAGS,
      });
      new aws.secretsmanager.Secret('plain-secret', { tags: TAGS });
      new aws.secretsmanager.Secret('sealed-secret', { kmsKeyId: KEY, tags: TAGS });
      new aws.s3.VectorsVectorBucket('plain-vectors', { vectorBucketName: 'plain-vectors' });
      new aws.s3.VectorsVectorBucket('sealed-vectors', {
        vectorBucketName: 'sealed-vectors',
        encryptionConfigurations: [{ sseType: 'aws:kms', kmsKeyArn: KEY }],
      });
    });
    expect(Object.keys(found).sort()).toEqual([
      'plain-cluster',
      'plain-db',
      'plain-repo',
      'plain-secret',
      'plain-topic',
      'plain-vectors',
    ]);
    expect(found['plain-cluster']).toEqual([
      'aws:rds/cluster:Cluster "plain-cluster": storageEncrypted is not true; fix: set storageEncrypted: true (and kmsKeyId to a customer-managed key)',
    ]);
    expect(found['plain-topic']?.[0]).toContain('kmsMasterKeyId is not set; fix:');
    expect(found['plain-vectors']?.[0]).toContain('encryptionConfigurations is not set');
  });

  it('catches an OpenSearch Serverless encryption policy on an AWS-owned key, an unencrypted S3 rule and the awsguard ports (EFS, EBS, DynamoDB, domains)', async () => {
    const found = await violations('encryption-at-rest', (aws) => {
      const rules = [{ ResourceType: 'collection', Resource: ['collection/vectors'] }];
      new aws.opensearch.ServerlessSecurityPolicy('owned-key', {
        type: 'encryption',
        policy: JSON.stringify({ Rules: rules, AWSOwnedKey: true }),
      });
      new aws.opensearch.ServerlessSecurityPolicy('own-key', {
        type: 'encryption',
        policy: JSON.stringify({ Rules: rules, AWSOwnedKey: false, KmsARN: KEY }),
      });
      new aws.s3.BucketServerSideEncryptionConfiguration('key-only', {
        bucket: 'b',
        rules: [{ bucketKeyEnabled: true }],
      });
      new aws.s3.BucketServerSideEncryptionConfiguration('kms-rule', {
        bucket: 'b',
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: KEY } }],
      });
      new aws.efs.FileSystem('plain-efs', {});
      new aws.efs.FileSystem('sealed-efs', { encrypted: true });
      new aws.ebs.Volume('plain-volume', { availabilityZone: 'eu-west-1a', size: 10 });
      new aws.ebs.Volume('sealed-volume', { availabilityZone: 'eu-west-1a', size: 10, encrypted: true });
      new aws.dynamodb.Table('opted-out', {
        attributes: [{ name: 'id', type: 'S' }],
        hashKey: 'id',
        serverSideEncryption: { enabled: false },
      });
      new aws.dynamodb.Table('default-table', { attributes: [{ name: 'id', type: 'S' }], hashKey: 'id' });
      new aws.opensearch.Domain('plain-domain', {});
      new aws.opensearch.Domain('sealed-domain', { encryptAtRest: { enabled: true } });
    });
    expect(Object.keys(found).sort()).toEqual([
      'key-only',
      'opted-out',
      'owned-key',
      'plain-domain',
      'plain-efs',
      'plain-volume',
    ]);
    expect(found['owned-key']?.[0]).toContain('policy.AWSOwnedKey is true; fix: set "AWSOwnedKey": false and "KmsARN"');
  });
});

describe('encryption-at-rest-links', () => {
  it('catches a bucket without an encryption configuration, a collection without an encryption policy and an unencrypted invocation log group', async () => {
    const found = await violations('encryption-at-rest-links', (aws) => {
      new aws.s3.Bucket('bare-bucket', { tags: TAGS });
      const byId = new aws.s3.Bucket('bucket-by-id', { tags: TAGS });
      new aws.s3.BucketServerSideEncryptionConfiguration('sse-by-id', {
        bucket: byId.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' } }],
      });
      const byName = new aws.s3.Bucket('bucket-by-name', { bucket: 'genai-corpus', tags: TAGS });
      new aws.s3.BucketServerSideEncryptionConfiguration('sse-by-name', {
        bucket: byName.bucket,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      });
      new aws.opensearch.ServerlessSecurityPolicy('encryption', {
        type: 'encryption',
        policy: JSON.stringify({
          Rules: [{ ResourceType: 'collection', Resource: ['collection/genai-*'] }],
          AWSOwnedKey: false,
          KmsARN: KEY,
        }),
      });
      new aws.opensearch.ServerlessCollection('covered', { name: 'genai-vectors', type: 'VECTORSEARCH' });
      new aws.opensearch.ServerlessCollection('uncovered', { name: 'other-vectors', type: 'VECTORSEARCH' });
      const logs = new aws.cloudwatch.LogGroup('invocations', { name: '/genai/bedrock', retentionInDays: 365 });
      new aws.bedrockmodel.InvocationLoggingConfiguration('logging', {
        loggingConfig: { cloudwatchConfig: { logGroupName: logs.name, roleArn: 'arn:aws:iam::123456789012:role/x' } },
      });
    });
    expect(Object.keys(found).sort()).toEqual(['bare-bucket', 'invocations', 'uncovered']);
    expect(found['bare-bucket']?.[0]).toContain('has no aws.s3.BucketServerSideEncryptionConfiguration; fix:');
    expect(found.uncovered?.[0]).toContain('collection/other-vectors');
    expect(found.invocations?.[0]).toContain('kmsKeyId is not set on a log group that holds model invocation logs');
  });

  it('passes an invocation log group with a KMS key', async () => {
    const found = await violations('encryption-at-rest-links', (aws) => {
      const logs = new aws.cloudwatch.LogGroup('invocations', { name: '/genai/bedrock', kmsKeyId: KEY });
      new aws.bedrockmodel.InvocationLoggingConfiguration('logging', {
        loggingConfig: { cloudwatchConfig: { logGroupName: logs.name, roleArn: 'arn:aws:iam::123456789012:role/x' } },
      });
    });
    expect(found).toEqual({});
  });
});

describe('kms-key-rotation (awsguard cmk-backing-key-rotation-enabled)', () => {
  it('catches a symmetric key without rotation, passes a rotating one and leaves asymmetric keys alone', async () => {
    const found = await violations('kms-key-rotation', (aws) => {
      new aws.kms.Key('still', { tags: TAGS });
      new aws.kms.Key('rotating', { enableKeyRotation: true, tags: TAGS });
      new aws.kms.Key('signing', { customerMasterKeySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', tags: TAGS });
    });
    expect(found).toEqual({
      still: ['aws:kms/key:Key "still": enableKeyRotation is not true; fix: set enableKeyRotation: true'],
    });
  });
});

describe('no-public-data-stores', () => {
  it('catches public databases, public OpenSearch networks, open public access blocks and an exposed vector store Service', async () => {
    const found = await violations('no-public-data-stores', (aws, k8s) => {
      const db = { instanceClass: 'db.t4g.micro', engine: 'postgres', allocatedStorage: 20 };
      new aws.rds.Instance('public-db', { ...db, publiclyAccessible: true });
      new aws.rds.Instance('private-db', { ...db, publiclyAccessible: false });
      new aws.rds.ClusterInstance('public-writer', {
        clusterIdentifier: 'c',
        instanceClass: 'db.serverless',
        engine: 'aurora-postgresql',
        publiclyAccessible: true,
      });
      new aws.rds.ClusterInstance('writer', {
        clusterIdentifier: 'c',
        instanceClass: 'db.serverless',
        engine: 'aurora-postgresql',
      });
      const rules = [{ ResourceType: 'collection', Resource: ['collection/genai-vectors'] }];
      new aws.opensearch.ServerlessSecurityPolicy('open-network', {
        type: 'network',
        policy: JSON.stringify([{ Rules: rules, AllowFromPublic: true }]),
      });
      new aws.opensearch.ServerlessSecurityPolicy('vpc-network', {
        type: 'network',
        policy: JSON.stringify([{ Rules: rules, AllowFromPublic: false, SourceVPCEs: ['vpce-1'] }]),
      });
      new aws.s3.BucketPublicAccessBlock('half-block', { bucket: 'b', blockPublicAcls: true, blockPublicPolicy: true });
      new aws.s3.BucketPublicAccessBlock('full-block', {
        bucket: 'b',
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      new k8s.core.v1.Service('pgvector-lb', {
        metadata: { name: 'pgvector', labels: LABELS },
        spec: { type: 'LoadBalancer', ports: [{ port: 5432 }], selector: { app: 'pgvector' } },
      });
      new k8s.core.v1.Service('qdrant-nodeport', {
        metadata: { name: 'store', labels: LABELS },
        spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 6333 }] },
      });
      new k8s.core.v1.Service('pgvector', {
        metadata: { name: 'pgvector', labels: LABELS },
        spec: { clusterIP: 'None', ports: [{ port: 5432 }] },
      });
      new k8s.core.v1.Service('web-lb', {
        metadata: { name: 'web' },
        spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 8080 }] },
      });
    });
    expect(Object.keys(found).sort()).toEqual([
      'half-block',
      'open-network',
      'pgvector-lb',
      'public-db',
      'public-writer',
      'qdrant-nodeport',
    ]);
    expect(found['half-block']).toEqual([
      'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock "half-block": ignorePublicAcls, restrictPublicBuckets not true; fix: set ignorePublicAcls: true, restrictPublicBuckets: true',
    ]);
    expect(found['public-db']?.[0]).toBe(
      'aws:rds/instance:Instance "public-db": publiclyAccessible is true; fix: set publiclyAccessible: false',
    );
    expect(found['pgvector-lb']?.[0]).toContain(
      'spec.type is LoadBalancer for the vector store; fix: set spec.type: ClusterIP',
    );
  });

  it('no-public-data-stores-links catches a bucket without a public access block', async () => {
    const found = await violations('no-public-data-stores-links', (aws) => {
      new aws.s3.Bucket('open-bucket', {});
      const closed = new aws.s3.Bucket('closed-bucket', {});
      new aws.s3.BucketPublicAccessBlock('closed-block', { bucket: closed.id, blockPublicAcls: true });
    });
    expect(Object.keys(found)).toEqual(['open-bucket']);
    expect(found['open-bucket']?.[0]).toContain('has no aws.s3.BucketPublicAccessBlock; fix:');
  });
});

describe('no-wildcard-actions', () => {
  it('catches "*", "service:*" and "service:Prefix*" in every kind of policy document, and passes explicit actions', async () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const found = await violations('no-wildcard-actions', (aws) => {
      new aws.iam.Role('inline-star', {
        assumeRolePolicy: trust,
        inlinePolicies: [{ name: 'data', policy: document({ Action: ['s3:GetObject', 's3:*'] }) }],
      });
      new aws.iam.Role('explicit-role', {
        assumeRolePolicy: trust,
        inlinePolicies: [{ name: 'data', policy: document({ Action: ['s3:GetObject', 's3:PutObject'] }) }],
      });
      new aws.iam.RolePolicy('everything', { role: 'r', policy: document({ Action: '*' }) });
      new aws.iam.Policy('prefix', { policy: document({ Action: ['s3:Get*'] }) });
      new aws.iam.UserPolicy('not-action', { user: 'u', policy: document({ NotAction: ['iam:*'] }) });
      new aws.s3.BucketPolicy('tls-only', {
        bucket: 'b',
        policy: document({ Effect: 'Deny', Action: 's3:*' }, { Action: ['s3:GetObject'] }),
      });
      new aws.kms.Key('root-key', { enableKeyRotation: true, policy: document({ Action: 'kms:*' }) });
      new aws.opensearch.Domain('open-domain', { accessPolicies: document({ Action: 'es:*' }) });
      new aws.opensearch.ServerlessAccessPolicy('all-data', {
        type: 'data',
        policy: JSON.stringify([
          {
            Rules: [{ ResourceType: 'index', Resource: ['index/genai/*'], Permission: ['aoss:*'] }],
            Principal: ['arn:aws:iam::123456789012:role/task'],
          },
        ]),
      });
      new aws.opensearch.ServerlessAccessPolicy('read-data', {
        type: 'data',
        policy: JSON.stringify([
          {
            Rules: [{ ResourceType: 'index', Resource: ['index/genai/*'], Permission: ['aoss:ReadDocument'] }],
            Principal: ['arn:aws:iam::123456789012:role/task'],
          },
        ]),
      });
      new aws.iam.RolePolicyAttachment('admin', {
        role: 'r',
        policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      });
      new aws.iam.RolePolicyAttachment('ecs-exec', {
        role: 'r',
        policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy',
      });
    });
    expect(Object.keys(found).sort()).toEqual([
      'admin',
      'all-data',
      'everything',
      'inline-star',
      'not-action',
      'open-domain',
      'prefix',
      'root-key',
    ]);
    expect(found['inline-star']).toEqual([
      'aws:iam/role:Role "inline-star": inlinePolicies[0] (data) Statement[0].Action is "s3:*"; fix: list the actions the role needs',
    ]);
    expect(found.everything?.[0]).toContain('policy Statement[0].Action is "*"');
    expect(found['not-action']?.[0]).toContain('Statement[0].NotAction is "iam:*"');
    expect(found['all-data']?.[0]).toContain('policy[0].Rules[0].Permission is "aoss:*"');
  });

  it('catches "*" verbs, resources or API groups in Kubernetes Roles and ClusterRoles', async () => {
    const found = await violations('no-wildcard-actions', (_aws, k8s) => {
      new k8s.rbac.v1.Role('any-verb', { rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }] });
      new k8s.rbac.v1.ClusterRole('any-group', { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get'] }] });
      new k8s.rbac.v1.Role('deployer', {
        rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch', 'update'] }],
      });
    });
    expect(found).toEqual({
      'any-verb': [
        'kubernetes:rbac.authorization.k8s.io/v1:Role "any-verb": rules[0].verbs contains "*"; fix: list the verbs CI needs explicitly',
      ],
      'any-group': [
        'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole "any-group": rules[0].resources contains "*"; fix: list the resources CI needs explicitly',
        'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole "any-group": rules[0].apiGroups contains "*"; fix: list the apiGroups CI needs explicitly',
      ],
    });
  });
});

describe('required-tags', () => {
  it('catches taggable AWS resources and Kubernetes objects without the required tags and labels, and leaves untaggable types alone', async () => {
    const found = await violations('required-tags', (aws, k8s) => {
      new aws.s3.Bucket('untagged', {});
      new aws.s3.Bucket('half-tagged', { tags: { service: 'cycle-assistant', environment: 'prod' } });
      new aws.s3.Bucket('tagged', { tags: TAGS });
      new aws.iam.RolePolicy('untaggable', { role: 'r', policy: document({ Action: 's3:GetObject' }) });
      new k8s.core.v1.ConfigMap('unlabelled', {
        metadata: { labels: { 'app.kubernetes.io/name': 'genai' } },
        data: {},
      });
      new k8s.core.v1.ConfigMap('labelled', { metadata: { labels: LABELS }, data: {} });
    });
    expect(found).toEqual({
      untagged: [
        'aws:s3/bucket:Bucket "untagged": tags lacks service, environment, cost-centre; fix: add tags { "service": …, "environment": …, "cost-centre": … }',
      ],
      'half-tagged': ['aws:s3/bucket:Bucket "half-tagged": tags lacks cost-centre; fix: add tags { "cost-centre": … }'],
      unlabelled: [
        'kubernetes:core/v1:ConfigMap "unlabelled": metadata.labels lacks genai.dev/service, genai.dev/environment, genai.dev/cost-centre; fix: add labels { "genai.dev/service": …, "genai.dev/environment": …, "genai.dev/cost-centre": … }',
      ],
    });
  });

  it('reads the tag keys from the requiredTags setting', async () => {
    const found = await violations('required-tags', (aws) => new aws.s3.Bucket('tagged', { tags: TAGS }), {
      requiredTags: ['service', 'owner'],
    });
    expect(found.tagged).toEqual(['aws:s3/bucket:Bucket "tagged": tags lacks owner; fix: add tags { "owner": … }']);
  });
});

describe('deletion-protection-in-production', () => {
  const declare = (aws: typeof Aws) => {
    const cluster = { engine: 'aurora-postgresql', storageEncrypted: true, masterUsername: 'genai' };
    new aws.rds.Cluster('unprotected', { ...cluster, skipFinalSnapshot: true });
    new aws.rds.Cluster('protected', { ...cluster, deletionProtection: true, finalSnapshotIdentifier: 'genai-final' });
    new aws.lb.LoadBalancer('fragile-alb', { internal: true, subnets: ['subnet-a', 'subnet-b'] });
    new aws.lb.LoadBalancer('sturdy-alb', {
      internal: true,
      subnets: ['subnet-a', 'subnet-b'],
      enableDeletionProtection: true,
    });
  };

  it('catches a cluster without deletion protection or final snapshot and a load balancer without deletion protection in prod', async () => {
    const found = await violations('deletion-protection-in-production', declare);
    expect(found).toEqual({
      unprotected: [
        'aws:rds/cluster:Cluster "unprotected": deletionProtection is not true; fix: set deletionProtection: true',
        'aws:rds/cluster:Cluster "unprotected": skipFinalSnapshot is true; fix: set skipFinalSnapshot: false and a finalSnapshotIdentifier',
      ],
      'fragile-alb': [
        'aws:lb/loadBalancer:LoadBalancer "fragile-alb": enableDeletionProtection is not true; fix: set enableDeletionProtection: true',
      ],
    });
  });

  it('does not apply outside production', async () => {
    expect(await violations('deletion-protection-in-production', declare, { ...PROD, production: false })).toEqual({});
  });
});

describe('allowed-regions', () => {
  it("catches a provider outside the allowed regions, a provider without a region and a resource's own region override", async () => {
    const found = await violations('allowed-regions', (aws) => {
      new aws.Provider('eu', { region: 'eu-west-1' });
      new aws.Provider('us', { region: 'us-east-1' });
      new aws.Provider('unset', {});
      new aws.s3.Bucket('moved', { region: 'us-west-2', tags: TAGS });
      new aws.s3.Bucket('kept', { region: 'eu-central-1', tags: TAGS });
      new aws.s3.Bucket('inherits', { tags: TAGS });
    });
    expect(found).toEqual({
      us: ['pulumi:providers:aws "us": region is us-east-1; fix: use one of eu-west-1, eu-central-1'],
      unset: ['pulumi:providers:aws "unset": region is not set; fix: set region to one of eu-west-1, eu-central-1'],
      moved: ['aws:s3/bucket:Bucket "moved": region is us-west-2; fix: use one of eu-west-1, eu-central-1'],
    });
  });

  it('does not apply when no regions are configured', async () => {
    const found = await violations('allowed-regions', (aws) => new aws.Provider('us', { region: 'us-east-1' }), {
      regions: [],
    });
    expect(found).toEqual({});
  });
});

describe('data-class-protection', () => {
  const declare = (aws: typeof Aws, k8s: typeof K8s) => {
    new aws.lb.LoadBalancer('public-alb', { subnets: ['subnet-a', 'subnet-b'] });
    new aws.lb.LoadBalancer('private-alb', { internal: true, subnets: ['subnet-a', 'subnet-b'] });
    new aws.cloudwatch.LogGroup('forever', {});
    new aws.cloudwatch.LogGroup('one-year', { retentionInDays: 365 });
    new aws.cloudwatch.LogGroup('three-years', { retentionInDays: 1096 });
    new aws.cloudwatch.LogGroup('ten-years', { retentionInDays: 3653 });
    const rule = {
      host: 'assistant.example.org',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] },
    };
    new k8s.networking.v1.Ingress('plain-ingress', { spec: { rules: [rule] } });
    new k8s.networking.v1.Ingress('tls-ingress', {
      spec: { tls: [{ hosts: ['assistant.example.org'], secretName: 'tls' }], rules: [rule] },
    });
    new k8s.networking.v1.Ingress('half-tls', { spec: { tls: [{ hosts: ['other.example.org'] }], rules: [rule] } });
    new k8s.core.v1.Service('public-service', { spec: { type: 'LoadBalancer', ports: [{ port: 443 }] } });
    new k8s.core.v1.Service('internal-service', {
      metadata: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
    });
  };

  it('for pii: catches an internet-facing ALB, unbounded or over-365-day log retention, Ingresses without TLS and a public LoadBalancer Service', async () => {
    const found = await violations('data-class-protection', declare, { ...PROD, dataClass: 'pii' });
    expect(Object.keys(found).sort()).toEqual([
      'forever',
      'half-tls',
      'plain-ingress',
      'public-alb',
      'public-service',
      'ten-years',
      'three-years',
    ]);
    expect(found.forever).toEqual([
      'aws:cloudwatch/logGroup:LogGroup "forever": retentionInDays is not set (logs kept forever); fix: set retentionInDays to at most 365 for pii',
    ]);
    expect(found['public-alb']?.[0]).toContain('internal is not true (data class pii); fix: set internal: true');
    expect(found['half-tls']?.[0]).toContain('spec.tls[].hosts lacks assistant.example.org');
  });

  it('for phi: bounds retention at 2192 days', async () => {
    const found = await violations('data-class-protection', declare, { ...PROD, dataClass: 'phi' });
    expect(found['three-years']).toBeUndefined();
    expect(found['ten-years']).toEqual([
      'aws:cloudwatch/logGroup:LogGroup "ten-years": retentionInDays is 3653; fix: set retentionInDays to at most 2192 for phi',
    ]);
  });

  it('does not apply to public or internal data', async () => {
    expect(await violations('data-class-protection', declare, { ...PROD, dataClass: 'internal' })).toEqual({});
  });
});

describe('data-class-invocation-logging', () => {
  const guardrail = (aws: typeof Aws) =>
    new aws.bedrock.Guardrail('guardrail', {
      blockedInputMessaging: 'Sorry.',
      blockedOutputsMessaging: 'Sorry.',
      tags: TAGS,
    });

  it('catches a stack that uses Bedrock without invocation logging, or logs to a log group it does not declare', async () => {
    expect(await violations('data-class-invocation-logging', guardrail)).toEqual({
      guardrail: [
        'aws:bedrock/guardrail:Guardrail "guardrail": model invocation logging is not configured (data class phi); fix: declare an aws.bedrockmodel.InvocationLoggingConfiguration with cloudwatchConfig to a KMS-encrypted log group',
      ],
    });
    const elsewhere = await violations('data-class-invocation-logging', (aws) => {
      guardrail(aws);
      new aws.bedrockmodel.InvocationLoggingConfiguration('logging', {
        loggingConfig: {
          cloudwatchConfig: { logGroupName: '/somewhere/else', roleArn: 'arn:aws:iam::123456789012:role/x' },
        },
      });
    });
    expect(elsewhere.logging?.[0]).toContain(
      'loggingConfig.cloudwatchConfig.logGroupName names no log group of this stack',
    );
  });

  it('passes logging to a declared log group, and does not apply to internal data', async () => {
    const logged = (aws: typeof Aws) => {
      guardrail(aws);
      const logs = new aws.cloudwatch.LogGroup('invocations', {
        name: '/genai/bedrock',
        kmsKeyId: KEY,
        retentionInDays: 365,
      });
      new aws.bedrockmodel.InvocationLoggingConfiguration('logging', {
        loggingConfig: { cloudwatchConfig: { logGroupName: logs.name, roleArn: 'arn:aws:iam::123456789012:role/x' } },
      });
    };
    expect(await violations('data-class-invocation-logging', logged)).toEqual({});
    expect(await violations('data-class-invocation-logging', guardrail, { dataClass: 'internal' })).toEqual({});
  });
});

describe('the whole pack', () => {
  it('finds nothing in a small governed stack (prod, phi, EU regions)', async () => {
    const resources = await record((aws, k8s) => {
      const provider = new aws.Provider('eu', { region: 'eu-west-1' });
      const opts = { provider };
      const key = new aws.kms.Key('key', { enableKeyRotation: true, tags: TAGS }, opts);
      const bucket = new aws.s3.Bucket('corpus', { tags: TAGS }, opts);
      new aws.s3.BucketServerSideEncryptionConfiguration(
        'corpus-sse',
        {
          bucket: bucket.id,
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn } }],
        },
        opts,
      );
      new aws.s3.BucketPublicAccessBlock(
        'corpus-block',
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        opts,
      );
      new aws.rds.Cluster(
        'vectors',
        {
          engine: 'aurora-postgresql',
          storageEncrypted: true,
          kmsKeyId: key.arn,
          deletionProtection: true,
          finalSnapshotIdentifier: 'vectors-final',
          masterUsername: 'genai',
          manageMasterUserPassword: true,
          tags: TAGS,
        },
        opts,
      );
      const logs = new aws.cloudwatch.LogGroup(
        'invocations',
        { name: '/genai/bedrock', kmsKeyId: key.arn, retentionInDays: 2192, tags: TAGS },
        opts,
      );
      new aws.bedrockmodel.InvocationLoggingConfiguration(
        'logging',
        {
          loggingConfig: { cloudwatchConfig: { logGroupName: logs.name, roleArn: 'arn:aws:iam::123456789012:role/x' } },
        },
        opts,
      );
      new aws.bedrock.Guardrail(
        'guardrail',
        { blockedInputMessaging: 'Sorry.', blockedOutputsMessaging: 'Sorry.', tags: TAGS },
        opts,
      );
      new aws.iam.Role(
        'task',
        {
          assumeRolePolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          }),
          tags: TAGS,
        },
        opts,
      );
      new aws.lb.LoadBalancer(
        'alb',
        { internal: true, enableDeletionProtection: true, subnets: ['subnet-a', 'subnet-b'], tags: TAGS },
        opts,
      );
      new k8s.core.v1.Service('pgvector', {
        metadata: { labels: LABELS },
        spec: { clusterIP: 'None', ports: [{ port: 5432 }] },
      });
      new k8s.rbac.v1.Role('deployer', {
        metadata: { labels: LABELS },
        rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'patch'] }],
      });
    });
    expect(resources.map((r) => r.type)).toContain(
      'aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration',
    );
    expect(resources).toHaveLength(13);
    expect(await runPolicies(resources, PROD)).toEqual([]);
  });

  it('names every violation by policy, resource and URN', async () => {
    const found = await runPolicies(await record((aws) => new aws.sns.Topic('alerts', {})), PROD);
    expect(found.map((v) => [v.policy, v.name, v.urn])).toEqual([
      ['encryption-at-rest', 'alerts', 'urn:pulumi:test::genai::aws:sns/topic:Topic::alerts'],
      ['required-tags', 'alerts', 'urn:pulumi:test::genai::aws:sns/topic:Topic::alerts'],
    ]);
    expect(messagesOf(found, 'encryption-at-rest')).toEqual([
      'aws:sns/topic:Topic "alerts": kmsMasterKeyId is not set; fix: set kmsMasterKeyId to a KMS key id or alias',
    ]);
  });
});

describe('allowed-regions and the default provider', () => {
  it("checks the region of the engine's default AWS provider, which the program never declares", async () => {
    const { allowedRegions } = await import('../../../stacks/policies/policies.js');
    const reported: string[] = [];
    const validate = allowedRegions.validateResource as unknown as (args: unknown, report: (m: string) => void) => void;
    const args = (region: string) => ({
      type: 'aws:s3/bucket:Bucket',
      name: 'corpus',
      urn: 'urn:pulumi:prod::genai::aws:s3/bucket:Bucket::corpus',
      props: {},
      provider: { type: 'pulumi:providers:aws', name: 'default_7_48_0', urn: 'urn:p', props: { region } },
      getConfig: () => ({ regions: ['eu-west-1'] }),
      notApplicable: () => {
        throw new Error('not applicable');
      },
    });
    validate(args('us-east-1'), (m) => reported.push(m));
    validate(args('eu-west-1'), (m) => reported.push(m));
    expect(reported).toEqual([
      'aws:s3/bucket:Bucket "corpus": provider region is us-east-1; fix: use one of eu-west-1',
    ]);
  });
});

describe('the harness', () => {
  it('hands a resource its provider when the recording names one (URN::ID)', async () => {
    const resources = [
      { type: 'pulumi:providers:aws', name: 'default_7_48_0', inputs: { region: 'us-east-1' }, custom: true },
      {
        type: 'aws:sns/topic:Topic',
        name: 'alerts',
        inputs: { kmsMasterKeyId: KEY, tags: TAGS },
        custom: true,
        provider: 'urn:pulumi:prod::genai::pulumi:providers:aws::default_7_48_0::default-id',
      },
    ];
    const found = await runPolicies(resources, { regions: ['eu-west-1'] });
    expect(found.map((v) => [v.name, v.message])).toEqual([
      ['default_7_48_0', 'pulumi:providers:aws "default_7_48_0": region is us-east-1; fix: use one of eu-west-1'],
      ['alerts', 'aws:sns/topic:Topic "alerts": provider region is us-east-1; fix: use one of eu-west-1'],
    ]);
  });
});
