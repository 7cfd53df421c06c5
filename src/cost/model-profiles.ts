/**
 * How an open-weight model could be self-hosted, for the on-demand / provisioned / self-hosted comparison.
 * Throughputs are planning assumptions (vLLM with continuous batching, FP16 weights), not measurements:
 * the report labels them as such and `cost.model.selfHosted` replaces any of them with a measured figure.
 */
export interface SelfHostProfile {
  /** Family name for the report. */
  family: string;
  sagemakerInstance: string;
  ec2Instance: string;
  /** Output tokens per second one instance generates across its batch. */
  outputTokensPerSecond: number;
  /** Prompt (prefill) tokens per second one instance processes. */
  inputTokensPerSecond: number;
}

const PROFILES: Array<{ pattern: RegExp; profile: SelfHostProfile }> = [
  {
    pattern: /llama-?3(\.\d|-\d)?-8b|llama3(-1)?-8b/i,
    profile: {
      family: 'Llama 3 8B',
      sagemakerInstance: 'ml.g5.2xlarge',
      ec2Instance: 'g5.2xlarge',
      outputTokensPerSecond: 1000,
      inputTokensPerSecond: 10_000,
    },
  },
  {
    pattern: /llama-?3(\.\d|-\d)?-70b|llama3(-[13])?-70b/i,
    profile: {
      family: 'Llama 3 70B',
      sagemakerInstance: 'ml.g5.48xlarge',
      ec2Instance: 'g5.48xlarge',
      outputTokensPerSecond: 500,
      inputTokensPerSecond: 5_000,
    },
  },
  {
    pattern: /mistral-large/i,
    profile: {
      family: 'Mistral Large (123B)',
      sagemakerInstance: 'ml.p4d.24xlarge',
      ec2Instance: 'p4d.24xlarge',
      outputTokensPerSecond: 400,
      inputTokensPerSecond: 4_000,
    },
  },
];

/** The profile of a model id, or undefined for closed models (Claude, GPT, Nova) that cannot be self-hosted. */
export function selfHostProfile(modelId: string): SelfHostProfile | undefined {
  return PROFILES.find((entry) => entry.pattern.test(modelId))?.profile;
}
