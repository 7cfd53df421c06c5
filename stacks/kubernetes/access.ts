import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { transform, type Transform } from '../transform.js';
import { componentLabels, type Labels } from './labels.js';

type PolicyRule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const manage = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const read = ['get', 'list', 'watch'];

/**
 * What CI may do in its namespace: manage exactly the kinds of object the stack declares, and read pods,
 * logs and events to follow a rollout. No wildcard, no `escalate`, `bind` or `impersonate`: the API
 * server's escalation check keeps CI from granting itself more than this Role holds.
 */
export const ciDeployRules: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'serviceaccounts'], verbs: manage },
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: read },
  { apiGroups: [''], resources: ['pods', 'pods/log', 'events'], verbs: read },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: manage },
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: read },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: manage },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: manage },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: manage },
  { apiGroups: ['monitoring.coreos.com'], resources: ['prometheusrules', 'servicemonitors'], verbs: manage },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: manage },
];

export interface AccessArgs {
  /**
   * Namespace of every object, and the only one CI gets rights in.
   * @example 'cycle-assistant-prod'
   */
  namespace: pulumi.Input<string>;
  /**
   * Name of CI's ServiceAccount.
   * @example 'genai-ci'
   */
  serviceAccount: string;
  /**
   * Labels put on every object, besides `app.kubernetes.io/component: access`.
   * @default {}
   * @example { 'genai.dev/environment': 'prod' }
   */
  labels?: Labels;
  /**
   * The Role's rules.
   * @default ciDeployRules: the stack's own kinds, explicit verbs, no wildcard
   * @example [...ciDeployRules, { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'create'] }]
   */
  rules?: PolicyRule[];
  /**
   * Changes to the child resources' arguments.
   * @default {}
   * @example { serviceAccount: { metadata: { name: 'ci', annotations: { 'iam.gke.io/gcp-service-account': 'ci@p.iam.gserviceaccount.com' } } } }
   */
  transform?: {
    serviceAccount?: Transform<k8s.core.v1.ServiceAccountArgs>;
    role?: Transform<k8s.rbac.v1.RoleArgs>;
    roleBinding?: Transform<k8s.rbac.v1.RoleBindingArgs>;
  };
}

/**
 * CI's deploy rights: a ServiceAccount, a Role in the environment's namespace and the RoleBinding between
 * them. Namespaced only: no ClusterRole, so the namespace itself is created by a cluster admin's first
 * `genai up`, and CI's later runs change what lives inside it.
 */
export class Access extends pulumi.ComponentResource {
  /** CI's ServiceAccount. */
  readonly serviceAccountName: pulumi.Output<string>;
  private readonly children: {
    serviceAccount: k8s.core.v1.ServiceAccount;
    role: k8s.rbac.v1.Role;
    roleBinding: k8s.rbac.v1.RoleBinding;
  };

  constructor(name: string, args: AccessArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super('genai:kubernetes:Access', name, {}, opts);
    const labels = componentLabels(args.labels ?? {}, 'access');
    const namespace = pulumi.output(args.namespace);
    // Fresh options per child: a function transform may edit them.
    const child = (): pulumi.CustomResourceOptions => ({ parent: this });

    const serviceAccount = createServiceAccount();
    const role = createRole();
    const roleBinding = createRoleBinding();

    this.serviceAccountName = serviceAccount.metadata.name;
    this.children = { serviceAccount, role, roleBinding };
    this.registerOutputs({ serviceAccountName: this.serviceAccountName });

    function createServiceAccount() {
      return new k8s.core.v1.ServiceAccount(
        ...transform(
          args.transform?.serviceAccount,
          `${name}-ci`,
          { metadata: { name: args.serviceAccount, namespace, labels }, automountServiceAccountToken: false },
          child(),
        ),
      );
    }

    function createRole() {
      return new k8s.rbac.v1.Role(
        ...transform(
          args.transform?.role,
          `${name}-ci-deploy`,
          { metadata: { name: `${name}-ci-deploy`, namespace, labels }, rules: args.rules ?? ciDeployRules },
          child(),
        ),
      );
    }

    function createRoleBinding() {
      return new k8s.rbac.v1.RoleBinding(
        ...transform(
          args.transform?.roleBinding,
          `${name}-ci-deploy`,
          {
            metadata: { name: `${name}-ci-deploy`, namespace, labels },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
            subjects: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace }],
          },
          child(),
        ),
      );
    }
  }

  /** The underlying Kubernetes objects. */
  get nodes() {
    return this.children;
  }
}
