import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';

/** The Pulumi type prefix of every component of the AWS target. */
export const componentPrefix = 'genai:aws';

/** Tags as every taggable resource of the target takes them. */
export type Tags = Record<string, string>;

/** One statement of an IAM policy document, written out (never a wildcard action). */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  /** Absent only in trust policies, which name a principal instead. */
  Resource?: pulumi.Input<string>[] | '*';
  Principal?: Record<string, pulumi.Input<string> | pulumi.Input<string>[]>;
  Condition?: Record<string, Record<string, pulumi.Input<string> | pulumi.Input<string>[]>>;
}

/** An IAM policy document as JSON, outputs inside it resolved. */
export function policyDocument(statements: pulumi.Input<PolicyStatement>[]): pulumi.Output<string> {
  return pulumi.output(statements).apply((resolved) => JSON.stringify({ Version: '2012-10-17', Statement: resolved }));
}

/** A role trust policy for an AWS service principal, bound to this account (confused-deputy guard). */
export function serviceTrust(service: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
  return policyDocument([
    {
      Effect: 'Allow',
      Action: ['sts:AssumeRole'],
      Principal: { Service: service },
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    },
  ]);
}

/** The account, region and partition a component runs in, read through its provider. */
export function identity(parent: pulumi.Resource) {
  const caller = aws.getCallerIdentityOutput({}, { parent });
  const region = aws.getRegionOutput({}, { parent });
  const partition = aws.getPartitionOutput({}, { parent });
  return { accountId: caller.accountId, region: region.region, partition: partition.partition };
}

/** Administration of a customer managed key by its account, spelled out action by action. */
export const keyAdministrationActions = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListGrants',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** What an AWS service needs of a key to encrypt the data it keeps for us. */
export const keyUseActions = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

export interface KeyOptions {
  parent: pulumi.Resource;
  name: string;
  description: string;
  tags: Tags;
  production: boolean;
  /** Service principals (e.g. `logs.eu-west-1.amazonaws.com`) that encrypt with the key on our behalf. */
  services?: pulumi.Input<string>[];
  transform?: Transform<aws.kms.KeyArgs> | undefined;
}

/**
 * A customer managed KMS key with yearly rotation. Its policy gives the account the administration
 * actions (listed, not `kms:*`) and the named services the use actions, for this account only. In a key
 * policy `Resource: "*"` means the key itself.
 */
export function encryptionKey(options: KeyOptions): aws.kms.Key {
  const { parent, name, production } = options;
  const id = identity(parent);
  const statements: pulumi.Input<PolicyStatement>[] = [
    {
      Sid: 'AccountAdministers',
      Effect: 'Allow',
      Principal: { AWS: pulumi.interpolate`arn:${id.partition}:iam::${id.accountId}:root` },
      Action: keyAdministrationActions,
      Resource: '*',
    },
  ];
  if (options.services?.length) {
    statements.push({
      Sid: 'ServicesEncrypt',
      Effect: 'Allow',
      Principal: { Service: options.services },
      Action: keyUseActions,
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': id.accountId } },
    });
  }
  return new aws.kms.Key(
    ...transform(
      options.transform,
      name,
      {
        description: options.description,
        enableKeyRotation: true,
        rotationPeriodInDays: 365,
        deletionWindowInDays: production ? 30 : 7,
        policy: policyDocument(statements),
        tags: options.tags,
      },
      { parent },
    ),
  );
}

/** The i-th subnet of `newBits` more bits inside an IPv4 CIDR, e.g. (10.0.0.0/16, 4, 2) → 10.0.32.0/20. */
export function subnetCidr(cidr: string, newBits: number, index: number): string {
  const [address, prefixText] = cidr.split('/');
  const prefix = Number(prefixText);
  const octets = (address ?? '').split('.').map(Number);
  if (
    octets.length !== 4 ||
    octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) ||
    !(prefix >= 0 && prefix <= 32)
  ) {
    throw new Error(`vpcCidr "${cidr}" is not an IPv4 CIDR; fix: write it like 10.0.0.0/16`);
  }
  const size = prefix + newBits;
  if (size > 28 || index >= 2 ** newBits) {
    throw new Error(`vpcCidr "${cidr}" is too small for ${2 ** newBits} subnets; fix: use a /16 to /20 block`);
  }
  const base = octets.reduce((n, o) => n * 256 + o, 0);
  const start = base + index * 2 ** (32 - size);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256).join('.')}/${size}`;
}

/** A DNS-label-safe name of at most `max` characters, for resources whose names AWS limits. */
export function physicalName(parts: string[], max: number): string {
  const joined = parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  return joined.length <= max ? joined : joined.slice(0, max).replace(/-+$/, '');
}

/** The ECR repository ARN of an image reference, or undefined when it lives in another registry. */
export function ecrRepositoryArn(image: string, partition: pulumi.Input<string>): pulumi.Output<string> | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  return match ? pulumi.interpolate`arn:${partition}:ecr:${match[2]}:${match[1]}:repository/${match[3]}` : undefined;
}
