import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';
import { componentPrefix, identity, policyDocument, type PolicyStatement, type Tags } from './common.js';

/** GitHub Actions' OIDC issuer. */
export const githubOidcHost = 'token.actions.githubusercontent.com';
/** The audience GitHub's aws-actions/configure-aws-credentials asks for. */
export const githubOidcAudience = 'sts.amazonaws.com';

export interface AccessArgs {
  /**
   * GitHub repository (owner/name) whose workflows may assume the deploy role.
   * @default spec.ciRepository
   * @example "acme/cycle-assistant"
   */
  repository: string;
  /**
   * GitHub environment the workflow job must run in (`sub` = repo:OWNER/NAME:environment:ENV), so a
   * branch without the environment's protection rules cannot deploy.
   * @default spec.env
   * @example "prod"
   */
  environment: string;
  /**
   * Create the account's GitHub OIDC provider (one per account: only one stack of an account does), or
   * use the one that exists.
   * @default false
   * @example true
   */
  createOidcProvider?: boolean;
  /**
   * Name of the deploy role.
   * @default `${spec.project}-${spec.env}-deploy`
   * @example "cycle-assistant-prod-deploy"
   */
  roleName: string;
  /**
   * What a release deploy touches: the image repository, the ECS cluster and service, and the two roles
   * the task definition hands to ECS.
   * @default the Service's
   * @example { repositoryArn, clusterArn, serviceArn, passRoleArns: [taskRole.arn, executionRole.arn] }
   */
  deploy: {
    repositoryArn: pulumi.Input<string>;
    clusterArn: pulumi.Input<string>;
    serviceArn: pulumi.Input<string>;
    passRoleArns: pulumi.Input<string>[];
  };
  /**
   * Tags on every resource.
   * @default spec.tags
   * @example { service: "cycle-assistant", environment: "prod" }
   */
  tags: Tags;
  /**
   * Changes to the arguments of each child resource.
   * @default {}
   * @example { role: { maxSessionDuration: 7200 } }
   */
  transform?: {
    oidcProvider?: Transform<aws.iam.OpenIdConnectProviderArgs>;
    role?: Transform<aws.iam.RoleArgs>;
    policy?: Transform<aws.iam.RolePolicyArgs>;
  };
}

/**
 * The CI deploy role of one environment: assumable only through GitHub's OIDC provider, by workflows of
 * one repository running in this GitHub environment; allowed to push the image and roll the service to a
 * new task definition, action by action.
 */
export class Access extends pulumi.ComponentResource {
  readonly role: aws.iam.Role;
  readonly oidcProvider: aws.iam.OpenIdConnectProvider | undefined;

  constructor(name: string, args: AccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(`${componentPrefix}:Access`, name, {}, opts);
    // The children's inner functions below take the component as their parent (SST's pattern).
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const parent = this;
    const t = args.transform ?? {};
    const { tags } = args;
    const id = identity(parent);
    checkRepository(args.repository);

    const oidcProvider = args.createOidcProvider ? createOidcProvider() : undefined;
    const providerArn =
      oidcProvider?.arn ?? pulumi.interpolate`arn:${id.partition}:iam::${id.accountId}:oidc-provider/${githubOidcHost}`;
    this.oidcProvider = oidcProvider;
    const role = createRole(providerArn);
    createPolicy(role);
    this.role = role;
    this.registerOutputs({ roleArn: role.arn });

    function createOidcProvider() {
      return new aws.iam.OpenIdConnectProvider(
        ...transform(
          t.oidcProvider,
          `${name}-github`,
          { url: `https://${githubOidcHost}`, clientIdLists: [githubOidcAudience], tags },
          { parent },
        ),
      );
    }

    function createRole(federated: pulumi.Input<string>) {
      return new aws.iam.Role(
        ...transform(
          t.role,
          `${name}-deploy`,
          {
            name: args.roleName.slice(0, 64),
            description: `Deploys ${args.environment} from GitHub Actions (${args.repository})`,
            maxSessionDuration: 3600,
            assumeRolePolicy: policyDocument([
              {
                Sid: 'GithubEnvironment',
                Effect: 'Allow',
                Action: ['sts:AssumeRoleWithWebIdentity'],
                Principal: { Federated: federated },
                Condition: {
                  StringEquals: {
                    [`${githubOidcHost}:aud`]: githubOidcAudience,
                    [`${githubOidcHost}:sub`]: `repo:${args.repository}:environment:${args.environment}`,
                  },
                },
              },
            ]),
            tags,
          },
          { parent },
        ),
      );
    }

    function createPolicy(role: aws.iam.Role) {
      const statements: PolicyStatement[] = [
        // ECR issues registry tokens for the account only; the action takes no resource.
        { Sid: 'RegistryToken', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' },
        {
          Sid: 'PushImage',
          Effect: 'Allow',
          Action: [
            'ecr:BatchCheckLayerAvailability',
            'ecr:BatchGetImage',
            'ecr:CompleteLayerUpload',
            'ecr:DescribeImages',
            'ecr:InitiateLayerUpload',
            'ecr:PutImage',
            'ecr:UploadLayerPart',
          ],
          Resource: [args.deploy.repositoryArn],
        },
        // Task definitions are registered before they have an ARN: ECS cannot scope these two.
        {
          Sid: 'RegisterTaskDefinition',
          Effect: 'Allow',
          Action: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'],
          Resource: '*',
        },
        {
          Sid: 'RollService',
          Effect: 'Allow',
          Action: ['ecs:DescribeServices', 'ecs:UpdateService'],
          Resource: [args.deploy.serviceArn],
        },
        {
          Sid: 'ReadCluster',
          Effect: 'Allow',
          Action: ['ecs:DescribeClusters'],
          Resource: [args.deploy.clusterArn],
        },
        {
          Sid: 'PassTaskRoles',
          Effect: 'Allow',
          Action: ['iam:PassRole'],
          Resource: args.deploy.passRoleArns,
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
      ];
      new aws.iam.RolePolicy(
        ...transform(t.policy, `${name}-deploy`, { role: role.id, policy: policyDocument(statements) }, { parent }),
      );
    }
  }

  /** The underlying resources. */
  get nodes() {
    return { role: this.role, oidcProvider: this.oidcProvider };
  }
}

/** Throws a one-line error with a fix unless the repository reads OWNER/NAME. */
export function checkRepository(repository: string): void {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository)) {
    throw new Error(`ciRepository "${repository}" is not OWNER/NAME; fix: write it like acme/cycle-assistant`);
  }
}
