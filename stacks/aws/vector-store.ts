import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';
import { componentPrefix, encryptionKey, physicalName, type PolicyStatement, type Tags } from './common.js';

/** The vector stores the AWS target provisions; Qdrant runs on the kubernetes target only. */
export const awsVectorStoreKinds = ['pgvector', 'opensearch', 's3vectors'] as const;
export type AwsVectorStoreKind = (typeof awsVectorStoreKinds)[number];

/** Aurora PostgreSQL major.minor the cluster runs (pgvector 0.8 is part of it). */
export const defaultPostgresVersion = '16.6';
/** Name of the database the service's migration creates its tables (and the vector extension) in. */
export const defaultDatabaseName = 'genai';

export interface VectorStoreArgs {
  /**
   * Which store: Aurora PostgreSQL Serverless v2 with pgvector (the same SQL as PGlite locally),
   * an OpenSearch Serverless vector collection, or S3 Vectors.
   * @default "pgvector"
   * @example "opensearch"
   */
  kind: string;
  /**
   * Name the stack's store resources carry, a DNS label.
   * @default `${spec.project}-${spec.env}`
   * @example "cycle-assistant-prod"
   */
  storeName: string;
  /**
   * VPC of the store (pgvector, opensearch).
   * @default the Network's VPC
   * @example vpc.id
   */
  vpcId: pulumi.Input<string>;
  /**
   * Private subnets the store lives in; never public ones.
   * @default the Network's private subnets
   * @example network.privateSubnets.map((s) => s.id)
   */
  subnetIds: pulumi.Input<string>[];
  /**
   * The only security group that may reach the store (the service's tasks).
   * @default the Network's service security group
   * @example serviceSecurityGroup.id
   */
  clientSecurityGroupId: pulumi.Input<string>;
  /**
   * Embedding dimensions (S3 Vectors index; the other stores take them from the service's migration).
   * @default spec.embeddings.dimensions
   * @example 1024
   */
  dimensions: number;
  /**
   * Deletion protection, a final snapshot, longer backups, two database instances, standby replicas.
   * @default spec.production
   * @example true
   */
  production: boolean;
  /**
   * Aurora Serverless v2 capacity range in ACUs (pgvector).
   * @default { min: 0.5, max: 4 }, in production { min: 1, max: 16 }
   * @example { min: 2, max: 32 }
   */
  capacity?: { min: number; max: number };
  /**
   * Days automated backups are kept (pgvector).
   * @default 7, in production 14
   * @example 35
   */
  backupRetentionDays?: number;
  /**
   * Tags on every resource.
   * @default spec.tags
   * @example { service: "cycle-assistant", environment: "prod" }
   */
  tags: Tags;
  /**
   * Changes to the arguments of each child resource.
   * @default {}
   * @example { cluster: { preferredBackupWindow: "02:00-03:00" } }
   */
  transform?: {
    key?: Transform<aws.kms.KeyArgs>;
    subnetGroup?: Transform<aws.rds.SubnetGroupArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    cluster?: Transform<aws.rds.ClusterArgs>;
    instance?: Transform<aws.rds.ClusterInstanceArgs>;
    encryptionPolicy?: Transform<aws.opensearch.ServerlessSecurityPolicyArgs>;
    networkPolicy?: Transform<aws.opensearch.ServerlessSecurityPolicyArgs>;
    vpcEndpoint?: Transform<aws.opensearch.ServerlessVpcEndpointArgs>;
    collection?: Transform<aws.opensearch.ServerlessCollectionArgs>;
    accessPolicy?: Transform<aws.opensearch.ServerlessAccessPolicyArgs>;
    vectorBucket?: Transform<aws.s3.VectorsVectorBucketArgs>;
    vectorIndex?: Transform<aws.s3.VectorsIndexArgs>;
  };
}

/**
 * The vector store of one environment, encrypted with its own rotating key, reachable only from the
 * service: Aurora PostgreSQL Serverless v2 (pgvector; the service's migration creates the extension at
 * start), an OpenSearch Serverless VECTORSEARCH collection behind a VPC endpoint, or an S3 Vectors bucket
 * and index reached through IAM.
 */
export class VectorStore extends pulumi.ComponentResource {
  readonly kind: AwsVectorStoreKind;
  readonly key: aws.kms.Key;
  /** Where the service finds the store: postgres://host:5432/db, https://collection, s3vectors://bucket/index. */
  readonly url: pulumi.Output<string>;
  /** The Secrets Manager secret with the database credentials (pgvector: the cluster's managed master secret). */
  readonly secretArn: pulumi.Output<string> | undefined;
  /** What the service's task role needs to use the store. */
  readonly statements: pulumi.Output<PolicyStatement[]>;
  readonly cluster: aws.rds.Cluster | undefined;
  readonly instances: aws.rds.ClusterInstance[] = [];
  readonly securityGroup: aws.ec2.SecurityGroup | undefined;
  readonly collection: aws.opensearch.ServerlessCollection | undefined;
  readonly vectorBucket: aws.s3.VectorsVectorBucket | undefined;
  readonly vectorIndex: aws.s3.VectorsIndex | undefined;
  private readonly name: string;
  private readonly args: VectorStoreArgs;

  constructor(name: string, args: VectorStoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(`${componentPrefix}:VectorStore`, name, {}, opts);
    this.kind = checkVectorStoreKind(args.kind);
    this.name = name;
    this.args = args;
    // The children's inner functions below take the component as their parent (SST's pattern).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const parent = this;
    const t = args.transform ?? {};
    const { tags, production } = args;

    const key = encryptionKey({
      parent,
      name: `${name}-key`,
      description: `${args.storeName} vector store`,
      tags,
      production,
      transform: t.key,
    });
    this.key = key;

    if (this.kind === 'pgvector') {
      const securityGroup = createSecurityGroup();
      const subnetGroup = createSubnetGroup();
      const cluster = createCluster(subnetGroup, securityGroup);
      this.securityGroup = securityGroup;
      this.cluster = cluster;
      this.instances = range(production ? 2 : 1).map((i) => createInstance(cluster, i));
      this.url = pulumi.interpolate`postgres://${cluster.endpoint}:5432/${defaultDatabaseName}`;
      this.secretArn = cluster.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn ?? '');
      this.statements = pulumi.output([]);
    } else if (this.kind === 'opensearch') {
      const collectionName = physicalName([args.storeName], 32);
      const encryption = createEncryptionPolicy(collectionName);
      const securityGroup = createSecurityGroup(443);
      const endpoint = createVpcEndpoint(collectionName, securityGroup);
      createNetworkPolicy(collectionName, endpoint);
      const collection = createCollection(collectionName, encryption);
      this.securityGroup = securityGroup;
      this.collection = collection;
      this.url = collection.collectionEndpoint;
      this.secretArn = undefined;
      this.statements = pulumi.output([
        {
          Sid: 'VectorCollection',
          Effect: 'Allow' as const,
          Action: ['aoss:APIAccessAll'],
          Resource: [collection.arn],
        },
      ]);
    } else {
      const bucketName = physicalName([args.storeName, 'vectors'], 63);
      const bucket = createVectorBucket(bucketName);
      const index = createVectorIndex(bucket);
      this.vectorBucket = bucket;
      this.vectorIndex = index;
      this.url = pulumi.interpolate`s3vectors://${bucket.vectorBucketName}/${index.indexName}`;
      this.secretArn = undefined;
      this.statements = pulumi.output([
        {
          Sid: 'VectorIndex',
          Effect: 'Allow' as const,
          Action: [
            's3vectors:GetVectors',
            's3vectors:PutVectors',
            's3vectors:QueryVectors',
            's3vectors:DeleteVectors',
            's3vectors:ListVectors',
            's3vectors:GetIndex',
          ],
          Resource: [index.indexArn],
        },
        {
          Sid: 'VectorKey',
          Effect: 'Allow' as const,
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: [key.arn],
        },
      ]);
    }
    this.registerOutputs({ url: this.url });

    function createSecurityGroup(port = 5432) {
      return new aws.ec2.SecurityGroup(
        ...transform(
          t.securityGroup,
          `${name}-sg`,
          {
            vpcId: args.vpcId,
            description: `Vector store: port ${port} from the service only`,
            ingress: [
              {
                protocol: 'tcp',
                fromPort: port,
                toPort: port,
                securityGroups: [args.clientSecurityGroupId],
                description: 'From the service tasks',
              },
            ],
            egress: [],
            tags,
          },
          { parent },
        ),
      );
    }

    function createSubnetGroup() {
      return new aws.rds.SubnetGroup(
        ...transform(
          t.subnetGroup,
          `${name}-subnets`,
          { description: `${args.storeName}: private subnets`, subnetIds: args.subnetIds, tags },
          { parent },
        ),
      );
    }

    function createCluster(subnetGroup: aws.rds.SubnetGroup, securityGroup: aws.ec2.SecurityGroup) {
      const capacity = args.capacity ?? (production ? { min: 1, max: 16 } : { min: 0.5, max: 4 });
      const identifier = physicalName([args.storeName], 63);
      return new aws.rds.Cluster(
        ...transform(
          t.cluster,
          `${name}-cluster`,
          {
            clusterIdentifier: identifier,
            engine: 'aurora-postgresql',
            engineMode: 'provisioned',
            engineVersion: defaultPostgresVersion,
            databaseName: defaultDatabaseName,
            masterUsername: 'genai_admin',
            // Secrets Manager keeps and rotates the password; the task definition reads it from there.
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: key.keyId,
            iamDatabaseAuthenticationEnabled: true,
            serverlessv2ScalingConfiguration: { minCapacity: capacity.min, maxCapacity: capacity.max },
            storageEncrypted: true,
            kmsKeyId: key.arn,
            dbSubnetGroupName: subnetGroup.name,
            vpcSecurityGroupIds: [securityGroup.id],
            backupRetentionPeriod: args.backupRetentionDays ?? (production ? 14 : 7),
            preferredBackupWindow: '01:00-02:00',
            copyTagsToSnapshot: true,
            deletionProtection: production,
            skipFinalSnapshot: !production,
            ...(production ? { finalSnapshotIdentifier: `${identifier}-final` } : {}),
            enabledCloudwatchLogsExports: ['postgresql'],
            applyImmediately: !production,
            tags,
          },
          { parent },
        ),
      );
    }

    function createInstance(cluster: aws.rds.Cluster, i: number) {
      return new aws.rds.ClusterInstance(
        ...transform(
          t.instance,
          `${name}-instance-${i + 1}`,
          {
            clusterIdentifier: cluster.id,
            instanceClass: 'db.serverless',
            engine: 'aurora-postgresql',
            engineVersion: cluster.engineVersion,
            publiclyAccessible: false,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: key.arn,
            autoMinorVersionUpgrade: true,
            tags,
          },
          { parent },
        ),
      );
    }

    function createEncryptionPolicy(collectionName: string) {
      return new aws.opensearch.ServerlessSecurityPolicy(
        ...transform(
          t.encryptionPolicy,
          `${name}-encryption`,
          {
            name: physicalName([collectionName, 'enc'], 32),
            type: 'encryption',
            description: 'Encrypt the collection with the stack key',
            policy: pulumi.jsonStringify({
              Rules: [{ ResourceType: 'collection', Resource: [`collection/${collectionName}`] }],
              AWSOwnedKey: false,
              KmsARN: key.arn,
            }),
          },
          { parent },
        ),
      );
    }

    function createVpcEndpoint(collectionName: string, securityGroup: aws.ec2.SecurityGroup) {
      return new aws.opensearch.ServerlessVpcEndpoint(
        ...transform(
          t.vpcEndpoint,
          `${name}-endpoint`,
          {
            name: physicalName([collectionName, 'vpce'], 32),
            vpcId: args.vpcId,
            subnetIds: args.subnetIds,
            securityGroupIds: [securityGroup.id],
          },
          { parent },
        ),
      );
    }

    function createNetworkPolicy(collectionName: string, endpoint: aws.opensearch.ServerlessVpcEndpoint) {
      return new aws.opensearch.ServerlessSecurityPolicy(
        ...transform(
          t.networkPolicy,
          `${name}-network`,
          {
            name: physicalName([collectionName, 'net'], 32),
            type: 'network',
            description: 'The collection is reachable through the VPC endpoint only',
            policy: pulumi.jsonStringify([
              {
                Rules: [
                  { ResourceType: 'collection', Resource: [`collection/${collectionName}`] },
                  { ResourceType: 'dashboard', Resource: [`collection/${collectionName}`] },
                ],
                AllowFromPublic: false,
                SourceVPCEs: [endpoint.id],
              },
            ]),
          },
          { parent },
        ),
      );
    }

    function createCollection(collectionName: string, encryption: aws.opensearch.ServerlessSecurityPolicy) {
      return new aws.opensearch.ServerlessCollection(
        ...transform(
          t.collection,
          `${name}-collection`,
          {
            name: collectionName,
            type: 'VECTORSEARCH',
            description: `${args.storeName} vectors`,
            standbyReplicas: production ? 'ENABLED' : 'DISABLED',
            tags,
          },
          { parent, dependsOn: [encryption] },
        ),
      );
    }

    function createVectorBucket(bucketName: string) {
      return new aws.s3.VectorsVectorBucket(
        ...transform(
          t.vectorBucket,
          `${name}-vectors`,
          {
            vectorBucketName: bucketName,
            encryptionConfigurations: [{ sseType: 'aws:kms', kmsKeyArn: key.arn }],
            forceDestroy: !production,
            tags,
          },
          { parent },
        ),
      );
    }

    function createVectorIndex(bucket: aws.s3.VectorsVectorBucket) {
      return new aws.s3.VectorsIndex(
        ...transform(
          t.vectorIndex,
          `${name}-index`,
          {
            vectorBucketName: bucket.vectorBucketName,
            indexName: 'chunks',
            dataType: 'float32',
            dimension: args.dimensions,
            distanceMetric: 'cosine',
            encryptionConfigurations: [{ sseType: 'aws:kms', kmsKeyArn: key.arn }],
            tags,
          },
          { parent },
        ),
      );
    }
  }

  /**
   * Gives principals (the service's task role) read and write access to the collection's indexes
   * (OpenSearch Serverless data-access policy); the other stores grant access through IAM and the
   * security group, and this does nothing for them.
   */
  allowDataAccess(principals: pulumi.Input<string>[]): aws.opensearch.ServerlessAccessPolicy | undefined {
    if (!this.collection) return undefined;
    const collectionName = this.collection.name;
    return new aws.opensearch.ServerlessAccessPolicy(
      ...transform(
        this.args.transform?.accessPolicy,
        `${this.name}-access`,
        {
          name: physicalName([this.args.storeName, 'data'], 32),
          type: 'data',
          description: 'The service reads and writes the vector indexes',
          policy: pulumi.jsonStringify([
            {
              Rules: [
                {
                  ResourceType: 'index',
                  Resource: [pulumi.interpolate`index/${collectionName}/*`],
                  Permission: [
                    'aoss:CreateIndex',
                    'aoss:DescribeIndex',
                    'aoss:UpdateIndex',
                    'aoss:ReadDocument',
                    'aoss:WriteDocument',
                  ],
                },
                {
                  ResourceType: 'collection',
                  Resource: [pulumi.interpolate`collection/${collectionName}`],
                  Permission: ['aoss:DescribeCollectionItems'],
                },
              ],
              Principal: principals,
            },
          ]),
        },
        { parent: this },
      ),
    );
  }

  /** The underlying resources of the chosen kind. */
  get nodes() {
    return {
      key: this.key,
      cluster: this.cluster,
      instances: this.instances,
      securityGroup: this.securityGroup,
      collection: this.collection,
      vectorBucket: this.vectorBucket,
      vectorIndex: this.vectorIndex,
    };
  }
}

/** The kind as the AWS target knows it; throws a one-line error with a fix for any other. */
export function checkVectorStoreKind(kind: string): AwsVectorStoreKind {
  if ((awsVectorStoreKinds as readonly string[]).includes(kind)) return kind as AwsVectorStoreKind;
  if (kind === 'qdrant') {
    throw new Error(
      'vectorStore.kind qdrant is not available on the aws target; fix: choose pgvector, opensearch or s3vectors, or run this environment on the kubernetes target',
    );
  }
  throw new Error(
    `vectorStore.kind ${kind} is unknown on the aws target; fix: choose ${awsVectorStoreKinds.join(', ')}`,
  );
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
