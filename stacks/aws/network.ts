import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';
import { componentPrefix, subnetCidr, type Tags } from './common.js';

/** Availability zones the network spans. */
export const defaultZoneCount = 2;

export interface NetworkArgs {
  /**
   * The VPC's IPv4 block; each zone gets a public and a private /20 inside it.
   * @default spec.vpcCidr
   * @example "10.20.0.0/16"
   */
  cidr: string;
  /**
   * Availability zones to spread the subnets over.
   * @default 2
   * @example 3
   */
  zones?: number;
  /**
   * Whether the load balancer faces the internet. Internal (reachable only inside the VPC) is the rule
   * for pii and phi data (DESIGN: "phi/pii: no public endpoint").
   * @default true for public and internal data, false for pii and phi
   * @example false
   */
  publicLoadBalancer?: boolean;
  /**
   * One NAT gateway per zone (survives a zone outage) or one for the whole VPC (cheaper).
   * @default "per-zone" in production, "single" elsewhere
   * @example "single"
   */
  nat?: 'per-zone' | 'single';
  /**
   * Port the service's container listens on; the only port the load balancer may reach.
   * @default 8080
   * @example 3000
   */
  servicePort?: number;
  /**
   * Tags on every resource.
   * @default spec.tags
   * @example { service: "cycle-assistant", environment: "prod", "cost-centre": "health" }
   */
  tags: Tags;
  /** Whether this is the production environment. @default spec.production @example true */
  production: boolean;
  /**
   * Changes to the arguments of each child resource.
   * @default {}
   * @example { vpc: { enableDnsHostnames: true } }
   */
  transform?: {
    vpc?: Transform<aws.ec2.VpcArgs>;
    publicSubnet?: Transform<aws.ec2.SubnetArgs>;
    privateSubnet?: Transform<aws.ec2.SubnetArgs>;
    natGateway?: Transform<aws.ec2.NatGatewayArgs>;
    loadBalancerSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    serviceSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    flowLog?: Transform<aws.ec2.FlowLogArgs>;
  };
}

/**
 * A VPC with a public and a private subnet per zone: the load balancer and the NAT gateways sit in the
 * public subnets, everything that holds or serves data in the private ones (no public IPs). Two security
 * groups: the load balancer's, and the service's, which accepts traffic from the load balancer only.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpc: aws.ec2.Vpc;
  readonly publicSubnets: aws.ec2.Subnet[];
  readonly privateSubnets: aws.ec2.Subnet[];
  readonly loadBalancerSecurityGroup: aws.ec2.SecurityGroup;
  readonly serviceSecurityGroup: aws.ec2.SecurityGroup;
  readonly natGateways: aws.ec2.NatGateway[];
  readonly publicLoadBalancer: boolean;

  constructor(name: string, args: NetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(`${componentPrefix}:Network`, name, {}, opts);
    // The children's inner functions below take the component as their parent (SST's pattern).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const parent = this;
    const t = args.transform ?? {};
    const tags = args.tags;
    const zoneCount = args.zones ?? defaultZoneCount;
    const nat = args.nat ?? (args.production ? 'per-zone' : 'single');
    const servicePort = args.servicePort ?? 8080;
    this.publicLoadBalancer = args.publicLoadBalancer ?? true;
    const zones = aws.getAvailabilityZonesOutput({ state: 'available' }, { parent });

    const vpc = createVpc();
    const internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags }, { parent });
    const publicSubnets = range(zoneCount).map((i) => createSubnet('public', i));
    const privateSubnets = range(zoneCount).map((i) => createSubnet('private', i));
    createPublicRoutes();
    const natGateways = range(nat === 'per-zone' ? zoneCount : 1).map(createNatGateway);
    privateSubnets.forEach((subnet, i) => createPrivateRoutes(subnet, i));
    createFlowLog();
    const loadBalancerSecurityGroup = createLoadBalancerSecurityGroup();
    const serviceSecurityGroup = createServiceSecurityGroup();

    this.vpc = vpc;
    this.publicSubnets = publicSubnets;
    this.privateSubnets = privateSubnets;
    this.loadBalancerSecurityGroup = loadBalancerSecurityGroup;
    this.serviceSecurityGroup = serviceSecurityGroup;
    this.natGateways = natGateways;
    this.registerOutputs({ vpcId: vpc.id });

    function createVpc() {
      return new aws.ec2.Vpc(
        ...transform(
          t.vpc,
          `${name}-vpc`,
          { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags },
          { parent },
        ),
      );
    }

    function createSubnet(kind: 'public' | 'private', i: number) {
      // Public subnets take the first zoneCount /20s, private ones the next.
      const index = kind === 'public' ? i : zoneCount + i;
      return new aws.ec2.Subnet(
        ...transform(
          kind === 'public' ? t.publicSubnet : t.privateSubnet,
          `${name}-${kind}-${i + 1}`,
          {
            vpcId: vpc.id,
            cidrBlock: subnetCidr(args.cidr, 4, index),
            availabilityZone: zones.names.apply((names) => names[i % names.length]!),
            mapPublicIpOnLaunch: false,
            tags: { ...tags, tier: kind },
          },
          { parent },
        ),
      );
    }

    function createPublicRoutes() {
      const table = new aws.ec2.RouteTable(`${name}-public-routes`, { vpcId: vpc.id, tags }, { parent });
      new aws.ec2.Route(
        `${name}-public-default`,
        { routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: internetGateway.id },
        { parent },
      );
      publicSubnets.forEach(
        (subnet, i) =>
          new aws.ec2.RouteTableAssociation(
            `${name}-public-${i + 1}`,
            { subnetId: subnet.id, routeTableId: table.id },
            { parent },
          ),
      );
      return table;
    }

    function createNatGateway(i: number) {
      const eip = new aws.ec2.Eip(`${name}-nat-${i + 1}`, { domain: 'vpc', tags }, { parent });
      return new aws.ec2.NatGateway(
        ...transform(
          t.natGateway,
          `${name}-nat-${i + 1}`,
          { allocationId: eip.id, subnetId: publicSubnets[i]!.id, tags },
          { parent, dependsOn: [internetGateway] },
        ),
      );
    }

    function createPrivateRoutes(subnet: aws.ec2.Subnet, i: number) {
      const table = new aws.ec2.RouteTable(`${name}-private-routes-${i + 1}`, { vpcId: vpc.id, tags }, { parent });
      new aws.ec2.Route(
        `${name}-private-default-${i + 1}`,
        {
          routeTableId: table.id,
          destinationCidrBlock: '0.0.0.0/0',
          natGatewayId: natGateways[i % natGateways.length]!.id,
        },
        { parent },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${i + 1}`,
        { subnetId: subnet.id, routeTableId: table.id },
        { parent },
      );
    }

    function createFlowLog() {
      // Rejected traffic is what an incident review asks for; kept in the VPC's own flow log store.
      new aws.ec2.FlowLog(
        ...transform(
          t.flowLog,
          `${name}-flow-log`,
          {
            vpcId: vpc.id,
            trafficType: 'REJECT',
            logDestinationType: 's3',
            logDestination: flowLogBucket().arn,
            maxAggregationInterval: 600,
            tags,
          },
          { parent },
        ),
      );
    }

    function flowLogBucket() {
      const bucket = new aws.s3.Bucket(`${name}-flow-logs`, { forceDestroy: !args.production, tags }, { parent });
      new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-flow-logs`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
        { parent },
      );
      new aws.s3.BucketPublicAccessBlock(
        `${name}-flow-logs`,
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        { parent },
      );
      return bucket;
    }

    function createLoadBalancerSecurityGroup() {
      const from = parent.publicLoadBalancer ? ['0.0.0.0/0'] : [args.cidr];
      return new aws.ec2.SecurityGroup(
        ...transform(
          t.loadBalancerSecurityGroup,
          `${name}-lb`,
          {
            vpcId: vpc.id,
            description: parent.publicLoadBalancer
              ? 'Load balancer: HTTP(S) from anywhere'
              : 'Load balancer: HTTP(S) from the VPC',
            ingress: [
              { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: from, description: 'HTTPS' },
              {
                protocol: 'tcp',
                fromPort: 80,
                toPort: 80,
                cidrBlocks: from,
                description: 'HTTP (redirected when HTTPS is on)',
              },
            ],
            egress: [
              {
                protocol: 'tcp',
                fromPort: servicePort,
                toPort: servicePort,
                cidrBlocks: [args.cidr],
                description: 'To the service',
              },
            ],
            tags,
          },
          { parent },
        ),
      );
    }

    function createServiceSecurityGroup() {
      return new aws.ec2.SecurityGroup(
        ...transform(
          t.serviceSecurityGroup,
          `${name}-service`,
          {
            vpcId: vpc.id,
            description: 'Service tasks: traffic from the load balancer only',
            ingress: [
              {
                protocol: 'tcp',
                fromPort: servicePort,
                toPort: servicePort,
                securityGroups: [loadBalancerSecurityGroup.id],
                description: 'From the load balancer',
              },
            ],
            // Bedrock, ECR, Secrets Manager and CloudWatch are HTTPS APIs; the database is inside the VPC.
            egress: [
              {
                protocol: 'tcp',
                fromPort: 443,
                toPort: 443,
                cidrBlocks: ['0.0.0.0/0'],
                description: 'AWS APIs over HTTPS',
              },
              {
                protocol: 'tcp',
                fromPort: 5432,
                toPort: 5432,
                cidrBlocks: [args.cidr],
                description: 'PostgreSQL in the VPC',
              },
            ],
            tags,
          },
          { parent },
        ),
      );
    }
  }

  /** The underlying resources. */
  get nodes() {
    return {
      vpc: this.vpc,
      publicSubnets: this.publicSubnets,
      privateSubnets: this.privateSubnets,
      loadBalancerSecurityGroup: this.loadBalancerSecurityGroup,
      serviceSecurityGroup: this.serviceSecurityGroup,
      natGateways: this.natGateways,
    };
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
