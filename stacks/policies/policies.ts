/**
 * The kit's governance rules (DESIGN §4: encryption at rest, no public data stores, no wildcard actions,
 * tags everywhere, deletion protection in prod, data residency, data-class rules) as plain `@pulumi/policy`
 * objects. Importing this file starts nothing: `index.ts` hands the list to a `PolicyPack` (which starts the
 * analyzer's gRPC server) and the tests call the validations directly. Rules match on type tokens, so the
 * pack never loads a provider. Where a rule ports one of `@pulumi/awsguard`'s (written for @pulumi/aws 4), its
 * name is cited beside the check.
 */
import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from '@pulumi/policy';
import {
  POLICY_DOCUMENT_PROPS,
  coversCollection,
  serverlessEntries,
  serverlessRules,
  stringsOf,
  wildcardActions,
} from './documents.js';
import { LABEL_PREFIX, MAX_LOG_RETENTION_DAYS, configSchemaOf, settingsFrom } from './settings.js';
import type { PolicySettings, SettingName } from './settings.js';
import { awsTypeTakesTags } from './taggable.js';

export const PACK_NAME = 'genai-kit';

/** The type tokens the rules look at (@pulumi/aws 7, @pulumi/kubernetes 4). */
export const TYPES = {
  awsProvider: 'pulumi:providers:aws',
  rdsCluster: 'aws:rds/cluster:Cluster',
  rdsClusterInstance: 'aws:rds/clusterInstance:ClusterInstance',
  rdsInstance: 'aws:rds/instance:Instance',
  redshiftCluster: 'aws:redshift/cluster:Cluster',
  aossSecurityPolicy: 'aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy',
  aossAccessPolicy: 'aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy',
  aossCollection: 'aws:opensearch/serverlessCollection:ServerlessCollection',
  opensearchDomain: 'aws:opensearch/domain:Domain',
  s3Bucket: 'aws:s3/bucket:Bucket',
  s3Encryption: 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
  s3EncryptionV2: 'aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2',
  s3PublicAccessBlock: 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
  s3AccountPublicAccessBlock: 'aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock',
  s3VectorBucket: 'aws:s3/vectorsVectorBucket:VectorsVectorBucket',
  snsTopic: 'aws:sns/topic:Topic',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  ecrRepository: 'aws:ecr/repository:Repository',
  secret: 'aws:secretsmanager/secret:Secret',
  efsFileSystem: 'aws:efs/fileSystem:FileSystem',
  ebsVolume: 'aws:ebs/volume:Volume',
  ec2Instance: 'aws:ec2/instance:Instance',
  dynamodbTable: 'aws:dynamodb/table:Table',
  kmsKey: 'aws:kms/key:Key',
  iamRole: 'aws:iam/role:Role',
  iamRolePolicyAttachment: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  iamPolicyAttachment: 'aws:iam/policyAttachment:PolicyAttachment',
  lb: 'aws:lb/loadBalancer:LoadBalancer',
  alb: 'aws:alb/loadBalancer:LoadBalancer',
  invocationLogging: 'aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration',
  k8sService: 'kubernetes:core/v1:Service',
  k8sIngress: 'kubernetes:networking.k8s.io/v1:Ingress',
  k8sRole: 'kubernetes:rbac.authorization.k8s.io/v1:Role',
  k8sClusterRole: 'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole',
} as const;

/** Ports of the vector stores the Kubernetes target runs (Postgres, Qdrant HTTP and gRPC). */
const VECTOR_STORE_PORTS = new Set([5432, 6333, 6334]);
const VECTOR_STORE_WORDS = /pgvector|qdrant|postgres|vector/i;
/** AWS managed policies that grant every action (a wildcard by another name). */
const ADMIN_POLICY_ARNS = /^arn:aws[\w-]*:iam::aws:policy\/(AdministratorAccess|PowerUserAccess)$/;

/** Resource inputs as the engine hands them over (`ResourceValidationArgs.props`): untyped JSON, read defensively. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the engine's props are untyped JSON
type Inputs = Record<string, any>;

/** Reports one violation: the resource, the property and the fix, on one line. */
type Report = (property: string, problem: string, fix: string) => void;
type Check = (props: Inputs, report: Report, settings: PolicySettings, args: ResourceValidationArgs) => void;

/** A mandatory resource policy from a table of checks per type token, plus an optional check for every type. */
function resourcePolicy(
  spec: {
    name: string;
    description: string;
    settings?: SettingName[];
    appliesTo?: (s: PolicySettings) => string | undefined;
  },
  byType: Record<string, Check>,
  anyType?: Check,
): ResourceValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: 'mandatory',
    ...(spec.settings ? { configSchema: configSchemaOf(spec.settings) } : {}),
    validateResource: (args, reportViolation) => {
      const settings = settingsFrom(args.getConfig<Partial<PolicySettings>>());
      const notFor = spec.appliesTo?.(settings);
      if (notFor) args.notApplicable(notFor);
      const report: Report = (property, problem, fix) =>
        reportViolation(`${args.type} "${args.name}": ${property} ${problem}; fix: ${fix}`);
      byType[args.type]?.(args.props, report, settings, args);
      anyType?.(args.props, report, settings, args);
    },
  };
}

/** A mandatory stack policy; `report(resource, …)` names the resource the way resource policies do. */
function stackPolicy(
  spec: {
    name: string;
    description: string;
    settings?: SettingName[];
    appliesTo?: (s: PolicySettings) => string | undefined;
  },
  check: (
    resources: PolicyResource[],
    report: (r: PolicyResource, property: string, problem: string, fix: string) => void,
    settings: PolicySettings,
  ) => void,
): StackValidationPolicy {
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: 'mandatory',
    ...(spec.settings ? { configSchema: configSchemaOf(spec.settings) } : {}),
    validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
      const settings = settingsFrom(args.getConfig<Partial<PolicySettings>>());
      const notFor = spec.appliesTo?.(settings);
      if (notFor) args.notApplicable(notFor);
      check(
        args.resources,
        (r, property, problem, fix) =>
          reportViolation(`${r.type} "${r.name}": ${property} ${problem}; fix: ${fix}`, r.urn),
        settings,
      );
    },
  };
}

const sensitive = (s: PolicySettings) =>
  s.dataClass === 'pii' || s.dataClass === 'phi' ? undefined : `data class ${s.dataClass} is not pii or phi`;

// ── 1. Encryption at rest ────────────────────────────────────────────────────────────────────────────────

const storageEncrypted: Check = (props, report) => {
  // awsguard rds-storage-encrypted (aws.rds.Instance), extended to Aurora clusters; read replicas inherit the source's.
  if (props.replicateSourceDb || props.engineMode === 'serverless') return;
  if (props.storageEncrypted !== true) {
    report('storageEncrypted', 'is not true', 'set storageEncrypted: true (and kmsKeyId to a customer-managed key)');
  }
};

export const encryptionAtRest = resourcePolicy(
  {
    name: 'encryption-at-rest',
    description:
      'Data stores, topics, repositories, secrets and volumes are encrypted at rest: RDS/Aurora, OpenSearch, S3 and S3 Vectors, SNS, ECR, Secrets Manager, EFS, EBS, DynamoDB.',
  },
  {
    [TYPES.rdsCluster]: storageEncrypted,
    [TYPES.rdsInstance]: storageEncrypted,
    [TYPES.aossSecurityPolicy]: (props, report) => {
      if (props.type !== 'encryption') return;
      for (const entry of serverlessEntries(props.policy)) {
        if (entry.AWSOwnedKey === true) {
          report(
            'policy.AWSOwnedKey',
            'is true',
            'set "AWSOwnedKey": false and "KmsARN" to a customer-managed KMS key',
          );
        } else if (entry.AWSOwnedKey === false && typeof entry.KmsARN !== 'string') {
          report('policy.KmsARN', 'is missing', 'set "KmsARN" to the KMS key that encrypts the collections');
        }
      }
    },
    [TYPES.opensearchDomain]: (props, report) => {
      // awsguard elasticsearch-encrypted-at-rest, on aws.opensearch.Domain (aws.elasticsearch is gone in aws 7).
      if (props.encryptAtRest?.enabled !== true) {
        report('encryptAtRest.enabled', 'is not true', 'set encryptAtRest: { enabled: true, kmsKeyId }');
      }
    },
    [TYPES.s3Encryption]: (props, report) => s3EncryptionRules(props, report),
    [TYPES.s3EncryptionV2]: (props, report) => s3EncryptionRules(props, report),
    [TYPES.s3VectorBucket]: (props, report) => {
      const configs: Inputs[] = props.encryptionConfigurations ?? [];
      if (configs.length === 0 || configs.some((c) => !c?.sseType)) {
        report(
          'encryptionConfigurations',
          'is not set',
          'set encryptionConfigurations: [{ sseType: "aws:kms", kmsKeyArn }] (or sseType "AES256")',
        );
      }
    },
    [TYPES.snsTopic]: (props, report) => {
      if (!present(() => props.kmsMasterKeyId))
        report('kmsMasterKeyId', 'is not set', 'set kmsMasterKeyId to a KMS key id or alias');
    },
    [TYPES.ecrRepository]: (props, report) => {
      const configs: Inputs[] = props.encryptionConfigurations ?? [];
      if (configs.length === 0 || configs.some((c) => !c?.encryptionType)) {
        report(
          'encryptionConfigurations',
          'is not set',
          'set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey }] (or encryptionType "AES256")',
        );
      }
    },
    [TYPES.secret]: (props, report) => {
      if (!present(() => props.kmsKeyId))
        report('kmsKeyId', 'is not set', 'set kmsKeyId to a customer-managed KMS key');
    },
    [TYPES.efsFileSystem]: (props, report) => {
      // awsguard efs-encrypted (which asks for kmsKeyId; `encrypted` is what turns encryption on).
      if (props.encrypted !== true) report('encrypted', 'is not true', 'set encrypted: true (and kmsKeyId)');
    },
    [TYPES.ebsVolume]: (props, report) => {
      // awsguard encrypted-volumes.
      if (props.encrypted !== true) report('encrypted', 'is not true', 'set encrypted: true (and kmsKeyId)');
    },
    [TYPES.ec2Instance]: (props, report) => {
      // awsguard encrypted-volumes: the root device and every attached EBS device.
      if (props.rootBlockDevice?.encrypted !== true) {
        report('rootBlockDevice.encrypted', 'is not true', 'set rootBlockDevice: { encrypted: true }');
      }
      ((props.ebsBlockDevices as Inputs[]) ?? []).forEach((device, i) => {
        if (device?.encrypted !== true) {
          report(`ebsBlockDevices[${i}].encrypted`, 'is not true', 'set encrypted: true on every EBS block device');
        }
      });
    },
    [TYPES.dynamodbTable]: (props, report) => {
      // awsguard dynamodb-table-encryption-enabled: an explicit opt-out is the violation.
      if (props.serverSideEncryption?.enabled === false) {
        report('serverSideEncryption.enabled', 'is false', 'set serverSideEncryption: { enabled: true, kmsKeyArn }');
      }
    },
  },
);

function s3EncryptionRules(props: Inputs, report: Report): void {
  const rules: Inputs[] = props.rules ?? [];
  if (rules.length === 0 || rules.some((r) => !r?.applyServerSideEncryptionByDefault?.sseAlgorithm)) {
    report(
      'rules[].applyServerSideEncryptionByDefault.sseAlgorithm',
      'is not set',
      'set rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId } }]',
    );
  }
}

/**
 * Whether `from.props[prop]` refers to `to`. The engine's property dependencies decide when `prop` came from
 * other resources; a literal value (a bucket named in the program) is compared with `to`'s values. Stack policies
 * also run at the end of a preview, when outputs of new resources are unknown: an unknown value matches nothing.
 */
function refersTo(
  from: PolicyResource,
  prop: string,
  to: PolicyResource,
  values: (r: PolicyResource) => unknown[],
): boolean {
  const dependencies = from.propertyDependencies?.[prop] ?? [];
  if (dependencies.length > 0) return dependencies.some((d) => d.urn === to.urn);
  const value = known(() => from.props[prop]);
  return value !== undefined && values(to).some((v) => v !== undefined && v === value);
}

/** A value read from a resource's outputs, or `undefined` while a preview can't know it yet. */
function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (isUnknownValue(error)) return undefined;
    throw error;
  }
}

/** Whether a value is set; one a preview can't know yet (a key created in the same update) will be. */
function present(read: () => unknown): boolean {
  try {
    return Boolean(read());
  } catch (error) {
    if (isUnknownValue(error)) return true;
    throw error;
  }
}

/** What `@pulumi/policy`'s props proxy throws when a policy reads a value a preview can't know. */
function isUnknownValue(error: unknown): boolean {
  return error instanceof Error && error.constructor.name === 'UnknownValueError';
}

/** The values by which other resources name an S3 bucket. */
const bucketNames = (bucket: PolicyResource) => [known(() => bucket.props.bucket), known(() => bucket.props.id)];

const ofType = (resources: PolicyResource[], ...types: string[]) => resources.filter((r) => types.includes(r.type));

/** The log groups Bedrock writes invocation logs to (`group` absent: the stack declares no such log group). */
function invocationLogGroups(resources: PolicyResource[]): { config: PolicyResource; group?: PolicyResource }[] {
  const groups = ofType(resources, TYPES.logGroup);
  return ofType(resources, TYPES.invocationLogging)
    .filter((config) => known(() => config.props.loggingConfig?.cloudwatchConfig) !== undefined)
    .map((config) => {
      const dependencies = config.propertyDependencies?.loggingConfig ?? [];
      const name = known(() => config.props.loggingConfig.cloudwatchConfig.logGroupName);
      const group =
        groups.find((g) => dependencies.some((d) => d.urn === g.urn)) ??
        groups.find((g) => name !== undefined && known(() => g.props.name) === name);
      return group ? { config, group } : { config };
    });
}

export const encryptionAtRestLinks = stackPolicy(
  {
    name: 'encryption-at-rest-links',
    description:
      'Encryption set on a companion resource: every S3 bucket has a server-side encryption configuration, every OpenSearch Serverless collection an encryption policy, every invocation log group a KMS key.',
  },
  (resources, report) => {
    const sse = ofType(resources, TYPES.s3Encryption, TYPES.s3EncryptionV2);
    for (const bucket of ofType(resources, TYPES.s3Bucket)) {
      // Not the bucket's own serverSideEncryptionConfiguration: deprecated in aws 7, and as an output it shows
      // the SSE-S3 default AWS applies to every bucket, so it would pass any bucket once deployed.
      if (!sse.some((c) => refersTo(c, 'bucket', bucket, bucketNames))) {
        report(
          bucket,
          'server-side encryption',
          'has no aws.s3.BucketServerSideEncryptionConfiguration',
          'declare one with bucket: <this bucket>.id and sseAlgorithm "aws:kms"',
        );
      }
    }
    const encryptionPolicies = ofType(resources, TYPES.aossSecurityPolicy).filter((p) => p.props.type === 'encryption');
    for (const collection of ofType(resources, TYPES.aossCollection)) {
      const covered = encryptionPolicies.some((p) =>
        serverlessEntries(p.props.policy).some((e) => coversCollection(e, String(collection.props.name))),
      );
      if (!covered) {
        report(
          collection,
          'encryption policy',
          `has no aws.opensearch.ServerlessSecurityPolicy of type "encryption" naming collection/${collection.props.name}`,
          'declare one (with "AWSOwnedKey": false and "KmsARN") before the collection',
        );
      }
    }
    for (const { group } of invocationLogGroups(resources)) {
      if (group && !present(() => group.props.kmsKeyId)) {
        report(
          group,
          'kmsKeyId',
          'is not set on a log group that holds model invocation logs',
          'set kmsKeyId to a KMS key ARN',
        );
      }
    }
  },
);

/** awsguard cmk-backing-key-rotation-enabled: symmetric customer-managed keys rotate yearly. */
export const kmsKeyRotation = resourcePolicy(
  { name: 'kms-key-rotation', description: 'Symmetric customer-managed KMS keys have automatic rotation enabled.' },
  {
    [TYPES.kmsKey]: (props, report) => {
      const spec = props.customerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
      if (spec !== 'SYMMETRIC_DEFAULT' || (props.keyUsage ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT') return;
      if (props.enableKeyRotation !== true) report('enableKeyRotation', 'is not true', 'set enableKeyRotation: true');
    },
  },
);

// ── 2. No public data stores ─────────────────────────────────────────────────────────────────────────────

const notPublic: Check = (props, report) => {
  // awsguard rds-instance-public-access (aws.rds.Instance), also for Aurora cluster instances;
  // awsguard redshift-cluster-public-access.
  if (props.publiclyAccessible === true) report('publiclyAccessible', 'is true', 'set publiclyAccessible: false');
};

const PUBLIC_ACCESS_FLAGS = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'];
const allBlocked: Check = (props, report) => {
  const open = PUBLIC_ACCESS_FLAGS.filter((flag) => props[flag] !== true);
  if (open.length > 0) report(open.join(', '), 'not true', `set ${open.map((f) => `${f}: true`).join(', ')}`);
};

export const noPublicDataStores = resourcePolicy(
  {
    name: 'no-public-data-stores',
    description:
      'Databases, search collections, buckets and the Kubernetes vector store are not reachable from the internet.',
  },
  {
    [TYPES.rdsInstance]: notPublic,
    [TYPES.rdsClusterInstance]: notPublic,
    [TYPES.redshiftCluster]: notPublic,
    [TYPES.aossSecurityPolicy]: (props, report) => {
      if (props.type !== 'network') return;
      serverlessEntries(props.policy).forEach((entry, i) => {
        if (entry.AllowFromPublic === true) {
          report(
            `policy[${i}].AllowFromPublic`,
            'is true',
            'set "AllowFromPublic": false with "SourceVPCEs" of the VPC endpoint',
          );
        }
      });
    },
    [TYPES.opensearchDomain]: (props, report) => {
      // awsguard elasticsearch-in-vpc-only, on aws.opensearch.Domain.
      if (!props.vpcOptions)
        report('vpcOptions', 'is not set', 'set vpcOptions: { subnetIds: <private subnets>, securityGroupIds }');
    },
    [TYPES.s3PublicAccessBlock]: allBlocked,
    [TYPES.s3AccountPublicAccessBlock]: allBlocked,
    [TYPES.k8sService]: (props, report) => {
      const type = props.spec?.type;
      if ((type === 'LoadBalancer' || type === 'NodePort') && isVectorStoreService(props)) {
        report(
          'spec.type',
          `is ${type} for the vector store`,
          'set spec.type: ClusterIP (reach it from inside the cluster)',
        );
      }
    },
  },
);

/** A Kubernetes Service in front of the vector store: a database port, or a name or label that says so. */
function isVectorStoreService(props: Inputs): boolean {
  const ports: Inputs[] = props.spec?.ports ?? [];
  if (
    ports.some(
      (p) => VECTOR_STORE_PORTS.has(Number(p?.targetPort ?? p?.port)) || VECTOR_STORE_PORTS.has(Number(p?.port)),
    )
  ) {
    return true;
  }
  const labels: Record<string, unknown> = props.metadata?.labels ?? {};
  return [props.metadata?.name, labels['app.kubernetes.io/component'], labels['app.kubernetes.io/name']].some(
    (v) => typeof v === 'string' && VECTOR_STORE_WORDS.test(v),
  );
}

export const noPublicDataStoresLinks = stackPolicy(
  {
    name: 'no-public-data-stores-links',
    description: 'Every S3 bucket has a public access block (whose four flags no-public-data-stores checks).',
  },
  (resources, report) => {
    const blocks = ofType(resources, TYPES.s3PublicAccessBlock);
    for (const bucket of ofType(resources, TYPES.s3Bucket)) {
      if (!blocks.some((b) => refersTo(b, 'bucket', bucket, bucketNames))) {
        report(
          bucket,
          'public access block',
          'has no aws.s3.BucketPublicAccessBlock',
          'declare one with bucket: <this bucket>.id and all four flags true',
        );
      }
    }
  },
);

// ── 3. No wildcard actions ───────────────────────────────────────────────────────────────────────────────

export const noWildcardActions = resourcePolicy(
  {
    name: 'no-wildcard-actions',
    description:
      'IAM, bucket, key and OpenSearch policy documents name their actions (no "*", "s3:*" or "s3:Get*"); Kubernetes Roles and ClusterRoles name their verbs, resources and API groups.',
  },
  {
    [TYPES.iamRole]: (props, report) => {
      ((props.inlinePolicies as Inputs[]) ?? []).forEach((inline, i) => {
        for (const { where, action } of wildcardActions(inline?.policy)) {
          report(
            `inlinePolicies[${i}] (${inline?.name ?? 'unnamed'}) ${where}`,
            `is "${action}"`,
            'list the actions the role needs',
          );
        }
      });
      for (const arn of stringsOf(props.managedPolicyArns)) {
        if (ADMIN_POLICY_ARNS.test(arn))
          report('managedPolicyArns', `has ${arn}`, 'attach a policy that lists the actions the role needs');
      }
    },
    [TYPES.iamRolePolicyAttachment]: (props, report) => adminAttachment(props, report),
    [TYPES.iamPolicyAttachment]: (props, report) => adminAttachment(props, report),
    [TYPES.aossAccessPolicy]: (props, report) => {
      serverlessEntries(props.policy).forEach((entry, i) => {
        serverlessRules(entry).forEach((rule, j) => {
          for (const permission of stringsOf(rule.Permission)) {
            if (permission.includes('*')) {
              report(
                `policy[${i}].Rules[${j}].Permission`,
                `is "${permission}"`,
                'list the aoss: permissions the principal needs',
              );
            }
          }
        });
      });
    },
    [TYPES.k8sRole]: (props, report) => rbacRules(props, report),
    [TYPES.k8sClusterRole]: (props, report) => rbacRules(props, report),
  },
  (props, report, _settings, args) => {
    if (!args.type.startsWith('aws:')) return;
    for (const key of POLICY_DOCUMENT_PROPS) {
      for (const { where, action } of wildcardActions(props[key])) {
        report(`${key} ${where}`, `is "${action}"`, 'list the actions the principal needs');
      }
    }
  },
);

function adminAttachment(props: Inputs, report: Report): void {
  if (typeof props.policyArn === 'string' && ADMIN_POLICY_ARNS.test(props.policyArn)) {
    report('policyArn', `is ${props.policyArn}`, 'attach a policy that lists the actions the role needs');
  }
}

function rbacRules(props: Inputs, report: Report): void {
  ((props.rules as Inputs[]) ?? []).forEach((rule, i) => {
    for (const field of ['verbs', 'resources', 'apiGroups']) {
      if (stringsOf(rule?.[field]).includes('*')) {
        report(`rules[${i}].${field}`, 'contains "*"', `list the ${field} CI needs explicitly`);
      }
    }
  });
}

// ── 4. Required tags and labels ──────────────────────────────────────────────────────────────────────────

/** A Kubernetes object the API server stores (not a Helm/YAML/Kustomize component, a patch or a list). */
function isKubernetesObject(type: string): boolean {
  if (!/^kubernetes:[^:]+:[A-Za-z]+$/.test(type)) return false;
  if (/^kubernetes:(yaml|helm\.sh|kustomize)/.test(type)) return false;
  return !type.endsWith('Patch') && !type.endsWith('List');
}

export const requiredTags = resourcePolicy(
  {
    name: 'required-tags',
    description: `Every taggable AWS resource carries the required tags; every Kubernetes object the ${LABEL_PREFIX}TAG labels.`,
    settings: ['requiredTags'],
  },
  {},
  (props, report, settings, args) => {
    if (args.type.startsWith('aws:')) {
      const taggable = awsTypeTakesTags(args.type) ?? 'tags' in props;
      if (!taggable) return;
      const tags: Record<string, unknown> = props.tags ?? {};
      const missing = settings.requiredTags.filter((k) => typeof tags[k] !== 'string' || tags[k] === '');
      if (missing.length > 0) {
        report('tags', `lacks ${missing.join(', ')}`, `add tags { ${missing.map((k) => `"${k}": …`).join(', ')} }`);
      }
    } else if (isKubernetesObject(args.type)) {
      const labels: Record<string, unknown> = props.metadata?.labels ?? {};
      const missing = settings.requiredTags
        .map((k) => `${LABEL_PREFIX}${k}`)
        .filter((k) => typeof labels[k] !== 'string' || labels[k] === '');
      if (missing.length > 0) {
        report(
          'metadata.labels',
          `lacks ${missing.join(', ')}`,
          `add labels { ${missing.map((k) => `"${k}": …`).join(', ')} }`,
        );
      }
    }
  },
);

// ── 5. Deletion protection in production ─────────────────────────────────────────────────────────────────

const databaseProtected: Check = (props, report) => {
  if (props.deletionProtection !== true) report('deletionProtection', 'is not true', 'set deletionProtection: true');
  if (props.skipFinalSnapshot === true) {
    report('skipFinalSnapshot', 'is true', 'set skipFinalSnapshot: false and a finalSnapshotIdentifier');
  }
};

const loadBalancerProtected: Check = (props, report) => {
  // awsguard elb-deletion-protection-enabled (aws.lb / aws.alb LoadBalancer).
  if (props.enableDeletionProtection !== true) {
    report('enableDeletionProtection', 'is not true', 'set enableDeletionProtection: true');
  }
};

export const deletionProtectionInProduction = resourcePolicy(
  {
    name: 'deletion-protection-in-production',
    description:
      'In production, databases keep deletion protection and a final snapshot, and load balancers deletion protection.',
    settings: ['production'],
    appliesTo: (s) => (s.production ? undefined : 'not a production environment'),
  },
  {
    [TYPES.rdsCluster]: databaseProtected,
    [TYPES.rdsInstance]: databaseProtected,
    [TYPES.lb]: loadBalancerProtected,
    [TYPES.alb]: loadBalancerProtected,
  },
);

// ── 6. Regions ───────────────────────────────────────────────────────────────────────────────────────────

export const allowedRegions = resourcePolicy(
  {
    name: 'allowed-regions',
    description:
      "Every AWS provider's region and every resource's own region is one of the allowed regions (data residency).",
    settings: ['regions'],
    appliesTo: (s) => (s.regions.length > 0 ? undefined : 'no regions configured'),
  },
  {
    [TYPES.awsProvider]: (props, report, settings) => {
      if (!props.region) report('region', 'is not set', `set region to one of ${settings.regions.join(', ')}`);
    },
  },
  (props, report, settings, args) => {
    const allowed = settings.regions;
    const fix = `use one of ${allowed.join(', ')}`;
    if (
      (args.type === TYPES.awsProvider || args.type.startsWith('aws:')) &&
      props.region &&
      !allowed.includes(props.region)
    ) {
      report('region', `is ${props.region}`, fix);
    }
    // The engine's default provider is not declared by the program; its region comes from stack config (aws:region).
    const provider = args.provider;
    if (args.type.startsWith('aws:') && provider?.type === TYPES.awsProvider && provider.name.startsWith('default')) {
      const region = provider.props.region;
      if (!region) report('provider region', 'is not set', `set aws:region or an explicit provider; ${fix}`);
      else if (!allowed.includes(region)) report('provider region', `is ${region}`, fix);
    }
  },
);

// ── 7. Data class pii/phi ────────────────────────────────────────────────────────────────────────────────

const internalLoadBalancer: Check = (props, report, settings) => {
  if (props.internal !== true) {
    report(
      'internal',
      `is not true (data class ${settings.dataClass})`,
      'set internal: true and reach it through a VPN, VPC peering or a private link',
    );
  }
};

export const dataClassProtection = resourcePolicy(
  {
    name: 'data-class-protection',
    description:
      'For pii and phi: no internet-facing load balancer, log groups with a bounded retention, Kubernetes Ingresses with TLS.',
    settings: ['dataClass'],
    appliesTo: sensitive,
  },
  {
    [TYPES.lb]: internalLoadBalancer,
    [TYPES.alb]: internalLoadBalancer,
    [TYPES.logGroup]: (props, report, settings) => {
      const bound = MAX_LOG_RETENTION_DAYS[settings.dataClass] ?? Infinity;
      const days = props.retentionInDays;
      if (typeof days !== 'number' || days <= 0) {
        report(
          'retentionInDays',
          'is not set (logs kept forever)',
          `set retentionInDays to at most ${bound} for ${settings.dataClass}`,
        );
      } else if (days > bound) {
        report('retentionInDays', `is ${days}`, `set retentionInDays to at most ${bound} for ${settings.dataClass}`);
      }
    },
    [TYPES.k8sIngress]: (props, report) => {
      const tls: Inputs[] = props.spec?.tls ?? [];
      const covered = new Set(tls.flatMap((t) => stringsOf(t?.hosts)));
      const hosts = ((props.spec?.rules as Inputs[]) ?? [])
        .map((r) => r?.host)
        .filter((h): h is string => typeof h === 'string');
      if (tls.length === 0) {
        report('spec.tls', 'is not set', 'add spec.tls: [{ hosts: [<host>], secretName: <certificate secret> }]');
      } else {
        const plain = hosts.filter((h) => !covered.has(h));
        if (plain.length > 0)
          report('spec.tls[].hosts', `lacks ${plain.join(', ')}`, 'list every rule host under spec.tls');
      }
    },
    [TYPES.k8sService]: (props, report) => {
      if (props.spec?.type !== 'LoadBalancer') return;
      const annotations: Record<string, unknown> = props.metadata?.annotations ?? {};
      const internal =
        annotations['service.beta.kubernetes.io/aws-load-balancer-scheme'] === 'internal' ||
        annotations['service.beta.kubernetes.io/aws-load-balancer-internal'] === 'true' ||
        annotations['networking.gke.io/load-balancer-type'] === 'Internal' ||
        annotations['service.beta.kubernetes.io/azure-load-balancer-internal'] === 'true';
      if (!internal) {
        report(
          'spec.type',
          'is an internet-facing LoadBalancer',
          'use ClusterIP behind a TLS Ingress, or annotate the Service as an internal load balancer',
        );
      }
    },
  },
);

/** Types whose presence means the stack calls Bedrock models. */
const usesBedrock = (type: string) => type.startsWith('aws:bedrock/');

export const dataClassInvocationLogging = stackPolicy(
  {
    name: 'data-class-invocation-logging',
    description:
      'For pii and phi: a stack that uses Bedrock logs model invocations to a CloudWatch log group it declares (encrypted, see encryption-at-rest-links).',
    settings: ['dataClass'],
    appliesTo: sensitive,
  },
  (resources, report, settings) => {
    const bedrock = resources.find((r) => usesBedrock(r.type));
    if (!bedrock) return;
    const logs = invocationLogGroups(resources);
    if (logs.length === 0) {
      report(
        bedrock,
        'model invocation logging',
        `is not configured (data class ${settings.dataClass})`,
        'declare an aws.bedrockmodel.InvocationLoggingConfiguration with cloudwatchConfig to a KMS-encrypted log group',
      );
    }
    for (const { config, group } of logs) {
      if (!group) {
        report(
          config,
          'loggingConfig.cloudwatchConfig.logGroupName',
          'names no log group of this stack',
          'point it at a log group the stack declares (with kmsKeyId and retentionInDays)',
        );
      }
    }
  },
);

/** Every policy of the pack, in the order the report lists them. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  encryptionAtRest,
  encryptionAtRestLinks,
  kmsKeyRotation,
  noPublicDataStores,
  noPublicDataStoresLinks,
  noWildcardActions,
  requiredTags,
  deletionProtectionInProduction,
  allowedRegions,
  dataClassProtection,
  dataClassInvocationLogging,
];
