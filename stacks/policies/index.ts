/**
 * The policy pack the Pulumi CLI runs with `--policy-pack <kit>/dist/stacks/policies` (docs/architecture.md §4).
 * Constructing a `PolicyPack` starts the analyzer's gRPC server and prints its port, so nothing but the CLI
 * imports this file: the driver passes its folder, and the tests import `policies.ts`. Configure it with
 * `--policy-pack-config`, a file built by `policyPackConfig` (settings.ts).
 */
import { PolicyPack } from '@pulumi/policy';
import { PACK_NAME, policies } from './policies.js';

new PolicyPack(PACK_NAME, {
  policies,
  enforcementLevel: 'mandatory',
  displayName: 'genai-kit governance',
  description:
    'Encryption at rest, no public data stores, no wildcard actions, required tags, deletion protection in production, allowed regions and data-class rules for the stacks of genai-kit.',
  provider: 'aws',
  tags: ['aws', 'kubernetes', 'security', 'compliance'],
});
