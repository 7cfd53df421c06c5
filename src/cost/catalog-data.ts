import type { Price } from './price.js';

/**
 * Public on-demand list prices in US dollars, as data. Token prices are per 1M tokens (the Bedrock page
 * quotes per 1K: multiplied by 1,000 here). `checked` is the date of the public page the figure was
 * transcribed from; it was not re-fetched on a later date (the kit is built offline), so every figure
 * must be re-checked against its source before it backs a decision, and the report flags old ones.
 * Regions: a price applies to the region it names; a service priced the same everywhere by its vendor
 * (the OpenAI API) says `global`.
 */

const BEDROCK = 'https://aws.amazon.com/bedrock/pricing/';
const OPENAI = 'https://openai.com/api/pricing/';
const SAGEMAKER = 'https://aws.amazon.com/sagemaker/pricing/';
const EC2 = 'https://aws.amazon.com/ec2/pricing/on-demand/';
const AURORA = 'https://aws.amazon.com/rds/aurora/pricing/';
const OPENSEARCH = 'https://aws.amazon.com/opensearch-service/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const FARGATE = 'https://aws.amazon.com/fargate/pricing/';
const ELB = 'https://aws.amazon.com/elasticloadbalancing/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';

type Row = [id: string, region: string, unit: Price['unit'], usd: number, checked: string, note?: string];

function rows(source: string, list: Row[]): Price[] {
  return list.map(([id, region, unit, usd, checked, note]) => ({
    id,
    region,
    unit,
    usd,
    currency: 'USD' as const,
    source,
    checked,
    note,
  }));
}

const tokens = '1M tokens' as const;

export const CATALOG_PRICES: readonly Price[] = [
  ...rows(BEDROCK, [
    ['bedrock:meta.llama3-1-8b-instruct-v1:0:input', 'us-west-2', tokens, 0.22, '2024-12-01'],
    ['bedrock:meta.llama3-1-8b-instruct-v1:0:output', 'us-west-2', tokens, 0.22, '2024-12-01'],
    ['bedrock:meta.llama3-1-70b-instruct-v1:0:input', 'us-west-2', tokens, 0.72, '2024-12-01'],
    ['bedrock:meta.llama3-1-70b-instruct-v1:0:output', 'us-west-2', tokens, 0.72, '2024-12-01'],
    ['bedrock:meta.llama3-1-405b-instruct-v1:0:input', 'us-west-2', tokens, 2.4, '2024-12-01'],
    ['bedrock:meta.llama3-1-405b-instruct-v1:0:output', 'us-west-2', tokens, 2.4, '2024-12-01'],
    ['bedrock:meta.llama3-3-70b-instruct-v1:0:input', 'us-west-2', tokens, 0.72, '2024-12-19'],
    ['bedrock:meta.llama3-3-70b-instruct-v1:0:output', 'us-west-2', tokens, 0.72, '2024-12-19'],
    ['bedrock:meta.llama3-8b-instruct-v1:0:input', 'us-east-1', tokens, 0.3, '2024-06-01'],
    ['bedrock:meta.llama3-8b-instruct-v1:0:output', 'us-east-1', tokens, 0.6, '2024-06-01'],
    ['bedrock:meta.llama3-70b-instruct-v1:0:input', 'us-east-1', tokens, 2.65, '2024-06-01'],
    ['bedrock:meta.llama3-70b-instruct-v1:0:output', 'us-east-1', tokens, 3.5, '2024-06-01'],
    ['bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0:input', 'us-east-1', tokens, 3, '2024-10-01'],
    ['bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0:output', 'us-east-1', tokens, 15, '2024-10-01'],
    ['bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0:input', 'eu-central-1', tokens, 3, '2024-10-01'],
    ['bedrock:anthropic.claude-3-5-sonnet-20240620-v1:0:output', 'eu-central-1', tokens, 15, '2024-10-01'],
    ['bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0:input', 'us-west-2', tokens, 3, '2024-11-01'],
    ['bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0:output', 'us-west-2', tokens, 15, '2024-11-01'],
    ['bedrock:anthropic.claude-3-7-sonnet-20250219-v1:0:input', 'us-east-1', tokens, 3, '2025-03-01'],
    ['bedrock:anthropic.claude-3-7-sonnet-20250219-v1:0:output', 'us-east-1', tokens, 15, '2025-03-01'],
    [
      'bedrock:anthropic.claude-3-7-sonnet-20250219-v1:0:cached-input',
      'us-east-1',
      tokens,
      0.3,
      '2025-04-07',
      'cache read',
    ],
    ['bedrock:anthropic.claude-3-5-haiku-20241022-v1:0:input', 'us-west-2', tokens, 0.8, '2024-12-01'],
    ['bedrock:anthropic.claude-3-5-haiku-20241022-v1:0:output', 'us-west-2', tokens, 4, '2024-12-01'],
    [
      'bedrock:anthropic.claude-3-5-haiku-20241022-v1:0:cached-input',
      'us-west-2',
      tokens,
      0.08,
      '2025-04-07',
      'cache read',
    ],
    ['bedrock:anthropic.claude-3-haiku-20240307-v1:0:input', 'us-east-1', tokens, 0.25, '2024-10-01'],
    ['bedrock:anthropic.claude-3-haiku-20240307-v1:0:output', 'us-east-1', tokens, 1.25, '2024-10-01'],
    ['bedrock:anthropic.claude-3-haiku-20240307-v1:0:input', 'eu-central-1', tokens, 0.25, '2024-10-01'],
    ['bedrock:anthropic.claude-3-haiku-20240307-v1:0:output', 'eu-central-1', tokens, 1.25, '2024-10-01'],
    ['bedrock:mistral.mistral-large-2402-v1:0:input', 'us-east-1', tokens, 4, '2024-06-01'],
    ['bedrock:mistral.mistral-large-2402-v1:0:output', 'us-east-1', tokens, 12, '2024-06-01'],
    ['bedrock:mistral.mistral-large-2407-v1:0:input', 'us-west-2', tokens, 2, '2024-10-01'],
    ['bedrock:mistral.mistral-large-2407-v1:0:output', 'us-west-2', tokens, 6, '2024-10-01'],
    ['bedrock:amazon.nova-micro-v1:0:input', 'us-east-1', tokens, 0.035, '2024-12-03'],
    ['bedrock:amazon.nova-micro-v1:0:output', 'us-east-1', tokens, 0.14, '2024-12-03'],
    ['bedrock:amazon.nova-micro-v1:0:cached-input', 'us-east-1', tokens, 0.00875, '2025-04-07', 'cache read'],
    ['bedrock:amazon.nova-lite-v1:0:input', 'us-east-1', tokens, 0.06, '2024-12-03'],
    ['bedrock:amazon.nova-lite-v1:0:output', 'us-east-1', tokens, 0.24, '2024-12-03'],
    ['bedrock:amazon.nova-lite-v1:0:cached-input', 'us-east-1', tokens, 0.015, '2025-04-07', 'cache read'],
    ['bedrock:amazon.nova-pro-v1:0:input', 'us-east-1', tokens, 0.8, '2024-12-03'],
    ['bedrock:amazon.nova-pro-v1:0:output', 'us-east-1', tokens, 3.2, '2024-12-03'],
    ['bedrock:amazon.nova-pro-v1:0:cached-input', 'us-east-1', tokens, 0.2, '2025-04-07', 'cache read'],
    ['bedrock:amazon.titan-text-express-v1:input', 'us-east-1', tokens, 0.2, '2024-06-01'],
    ['bedrock:amazon.titan-text-express-v1:output', 'us-east-1', tokens, 0.6, '2024-06-01'],
    ['bedrock:amazon.titan-text-express-v1:provisioned-no-commit', 'us-east-1', 'model-unit-hour', 20.5, '2024-06-01'],
    ['bedrock:amazon.titan-text-express-v1:provisioned-1-month', 'us-east-1', 'model-unit-hour', 18.4, '2024-06-01'],
    ['bedrock:amazon.titan-text-express-v1:provisioned-6-month', 'us-east-1', 'model-unit-hour', 14.8, '2024-06-01'],
    ['bedrock:amazon.titan-embed-text-v2:0:input', 'us-east-1', tokens, 0.02, '2024-10-01'],
    ['bedrock:amazon.titan-embed-text-v1:input', 'us-east-1', tokens, 0.1, '2024-06-01'],
    ['bedrock:cohere.embed-english-v3:input', 'us-east-1', tokens, 0.1, '2024-06-01'],
    ['bedrock:cohere.embed-multilingual-v3:input', 'us-east-1', tokens, 0.1, '2024-06-01'],
    ['bedrock:cohere.embed-english-v3:provisioned-1-month', 'us-east-1', 'model-unit-hour', 7.12, '2024-06-01'],
    ['bedrock:cohere.embed-english-v3:provisioned-6-month', 'us-east-1', 'model-unit-hour', 6.76, '2024-06-01'],
    ['bedrock:cohere.embed-multilingual-v3:provisioned-1-month', 'us-east-1', 'model-unit-hour', 7.12, '2024-06-01'],
    ['bedrock:cohere.embed-multilingual-v3:provisioned-6-month', 'us-east-1', 'model-unit-hour', 6.76, '2024-06-01'],
  ]),
  ...rows(OPENAI, [
    ['openai:gpt-4o:input', 'global', tokens, 2.5, '2024-10-01'],
    ['openai:gpt-4o:output', 'global', tokens, 10, '2024-10-01'],
    ['openai:gpt-4o:cached-input', 'global', tokens, 1.25, '2024-10-01'],
    ['openai:gpt-4o-mini:input', 'global', tokens, 0.15, '2024-10-01'],
    ['openai:gpt-4o-mini:output', 'global', tokens, 0.6, '2024-10-01'],
    ['openai:gpt-4o-mini:cached-input', 'global', tokens, 0.075, '2024-10-01'],
    ['openai:gpt-4.1:input', 'global', tokens, 2, '2025-04-14'],
    ['openai:gpt-4.1:output', 'global', tokens, 8, '2025-04-14'],
    ['openai:gpt-4.1:cached-input', 'global', tokens, 0.5, '2025-04-14'],
    ['openai:gpt-4.1-mini:input', 'global', tokens, 0.4, '2025-04-14'],
    ['openai:gpt-4.1-mini:output', 'global', tokens, 1.6, '2025-04-14'],
    ['openai:gpt-4.1-mini:cached-input', 'global', tokens, 0.1, '2025-04-14'],
    ['openai:gpt-4.1-nano:input', 'global', tokens, 0.1, '2025-04-14'],
    ['openai:gpt-4.1-nano:output', 'global', tokens, 0.4, '2025-04-14'],
    ['openai:gpt-4.1-nano:cached-input', 'global', tokens, 0.025, '2025-04-14'],
    ['openai:text-embedding-3-small:input', 'global', tokens, 0.02, '2024-10-01'],
    ['openai:text-embedding-3-large:input', 'global', tokens, 0.13, '2024-10-01'],
    ['openai:text-embedding-ada-002:input', 'global', tokens, 0.1, '2024-10-01'],
  ]),
  ...rows(SAGEMAKER, [
    ['sagemaker:ml.g5.xlarge:hosting', 'us-east-1', 'instance-hour', 1.408, '2024-10-01', 'real-time inference'],
    ['sagemaker:ml.g5.2xlarge:hosting', 'us-east-1', 'instance-hour', 1.515, '2024-10-01', 'real-time inference'],
    ['sagemaker:ml.g5.12xlarge:hosting', 'us-east-1', 'instance-hour', 7.09, '2024-10-01', 'real-time inference'],
    ['sagemaker:ml.g5.48xlarge:hosting', 'us-east-1', 'instance-hour', 20.36, '2024-10-01', 'real-time inference'],
    ['sagemaker:ml.p4d.24xlarge:hosting', 'us-east-1', 'instance-hour', 37.688, '2024-10-01', 'real-time inference'],
  ]),
  ...rows(EC2, [
    ['ec2:g5.xlarge:on-demand', 'us-east-1', 'instance-hour', 1.006, '2024-10-01', 'Linux'],
    ['ec2:g5.2xlarge:on-demand', 'us-east-1', 'instance-hour', 1.212, '2024-10-01', 'Linux'],
    ['ec2:g5.12xlarge:on-demand', 'us-east-1', 'instance-hour', 5.672, '2024-10-01', 'Linux'],
    ['ec2:g5.48xlarge:on-demand', 'us-east-1', 'instance-hour', 16.288, '2024-10-01', 'Linux'],
    ['ec2:g6e.12xlarge:on-demand', 'us-east-1', 'instance-hour', 10.493, '2024-10-01', 'Linux'],
    ['ec2:p4d.24xlarge:on-demand', 'us-east-1', 'instance-hour', 32.7726, '2024-10-01', 'Linux'],
    ['ec2:m6i.xlarge:on-demand', 'us-east-1', 'instance-hour', 0.192, '2024-10-01', 'Linux, 4 vCPU'],
    ['ec2:m6i.xlarge:on-demand', 'eu-west-1', 'instance-hour', 0.214, '2024-10-01', 'Linux, 4 vCPU'],
  ]),
  ...rows(AURORA, [
    ['aurora:serverless-v2:acu', 'us-east-1', 'ACU-hour', 0.12, '2024-10-01', 'Aurora PostgreSQL, Aurora Standard'],
    ['aurora:storage:standard', 'us-east-1', 'GB-month', 0.1, '2024-10-01'],
    ['aurora:storage:standard', 'eu-west-1', 'GB-month', 0.11, '2024-10-01'],
  ]),
  ...rows(OPENSEARCH, [
    ['opensearch:serverless:ocu', 'us-east-1', 'OCU-hour', 0.24, '2024-10-01', 'indexing and search OCUs alike'],
    ['opensearch:serverless:storage', 'us-east-1', 'GB-month', 0.024, '2024-10-01', 'managed storage'],
  ]),
  ...rows(S3, [
    ['s3vectors:vectors:storage', 'us-east-1', 'GB-month', 0.06, '2025-07-15', 'S3 Vectors, preview pricing'],
    ['s3vectors:vectors:put', 'us-east-1', 'GB', 0.2, '2025-07-15', 'logical data uploaded'],
    ['s3vectors:vectors:query-requests', 'us-east-1', '1M requests', 2.5, '2025-07-15'],
    [
      's3vectors:vectors:query-data',
      'us-east-1',
      'TB',
      0.004,
      '2025-07-15',
      'data processed, first 100K vectors per index tier',
    ],
  ]),
  ...rows(FARGATE, [
    ['fargate:linux-x86:vcpu', 'us-east-1', 'vCPU-hour', 0.04048, '2024-10-01'],
    ['fargate:linux-x86:memory', 'us-east-1', 'GB-hour', 0.004445, '2024-10-01'],
    ['fargate:linux-x86:vcpu', 'eu-west-1', 'vCPU-hour', 0.04048, '2024-10-01'],
    ['fargate:linux-x86:memory', 'eu-west-1', 'GB-hour', 0.004445, '2024-10-01'],
    ['fargate:linux-x86:vcpu', 'eu-central-1', 'vCPU-hour', 0.04656, '2024-10-01'],
    ['fargate:linux-x86:memory', 'eu-central-1', 'GB-hour', 0.00511, '2024-10-01'],
  ]),
  ...rows(ELB, [
    ['alb:application:hour', 'us-east-1', 'ALB-hour', 0.0225, '2024-10-01'],
    ['alb:application:lcu', 'us-east-1', 'LCU-hour', 0.008, '2024-10-01'],
    ['alb:application:hour', 'eu-west-1', 'ALB-hour', 0.0252, '2024-10-01'],
    ['alb:application:lcu', 'eu-west-1', 'LCU-hour', 0.008, '2024-10-01'],
  ]),
  ...rows(CLOUDWATCH, [
    ['cloudwatch:logs:ingest', 'us-east-1', 'GB', 0.5, '2024-10-01', 'standard log class'],
    ['cloudwatch:logs:storage', 'us-east-1', 'GB-month', 0.03, '2024-10-01'],
    ['cloudwatch:metrics:custom', 'us-east-1', 'metric-month', 0.3, '2024-10-01', 'first 10,000 metrics'],
    ['cloudwatch:alarms:standard', 'us-east-1', 'alarm-month', 0.1, '2024-10-01'],
    ['cloudwatch:dashboards:dashboard', 'us-east-1', 'dashboard-month', 3, '2024-10-01'],
    ['cloudwatch:logs:ingest', 'eu-west-1', 'GB', 0.57, '2024-10-01', 'standard log class'],
    ['cloudwatch:logs:storage', 'eu-west-1', 'GB-month', 0.03, '2024-10-01'],
    ['cloudwatch:metrics:custom', 'eu-west-1', 'metric-month', 0.3, '2024-10-01', 'first 10,000 metrics'],
    ['cloudwatch:alarms:standard', 'eu-west-1', 'alarm-month', 0.1, '2024-10-01'],
    ['cloudwatch:dashboards:dashboard', 'eu-west-1', 'dashboard-month', 3, '2024-10-01'],
  ]),
];
