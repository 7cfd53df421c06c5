import { describe, expect, test } from 'vitest';
import type { AwsTransforms } from '../../../stacks/aws/index.js';
import { specFor } from './fixtures.js';
import { runAws } from './run.js';

describe("a project's transforms change the children it names, and nothing else", () => {
  test('object form: fields merge over the component arguments', async () => {
    const transforms: AwsTransforms = {
      vectorStore: { cluster: { backupRetentionPeriod: 35, preferredBackupWindow: '03:00-04:00' } },
      monitoring: { latencyAlarm: { evaluationPeriods: 5 } },
    };
    const run = await runAws(specFor('staging'), transforms);
    const cluster = run.one('aws:rds/cluster:Cluster').inputs;
    expect(cluster).toMatchObject({ backupRetentionPeriod: 35, preferredBackupWindow: '03:00-04:00' });
    // The rest of the component's arguments stay.
    expect(cluster).toMatchObject({ storageEncrypted: true, deletionProtection: false, engine: 'aurora-postgresql' });
    const alarms = run.all('aws:cloudwatch/metricAlarm:MetricAlarm');
    expect(alarms.find((a) => a.name.endsWith('latency-p95'))!.inputs.evaluationPeriods).toBe(5);
    expect(alarms.find((a) => a.name.endsWith('judge-score'))!.inputs.evaluationPeriods).toBe(1);
  });

  test('function form: edits arguments and options in place, and sees the child name', async () => {
    const seen: string[] = [];
    const transforms: AwsTransforms = {
      service: {
        taskDefinition: (args, _opts, name) => {
          seen.push(name);
          args.cpu = '2048';
          args.memory = '4096';
        },
        loadBalancer: (args) => {
          args.idleTimeout = 30;
        },
      },
    };
    const run = await runAws(specFor('dev'), transforms);
    expect(seen).toEqual(['cycle-assistant-dev-service-task']);
    expect(run.one('aws:ecs/taskDefinition:TaskDefinition').inputs).toMatchObject({ cpu: '2048', memory: '4096' });
    expect(run.one('aws:lb/loadBalancer:LoadBalancer').inputs.idleTimeout).toBe(30);
    const untouched = await runAws(specFor('dev'));
    expect(untouched.one('aws:ecs/taskDefinition:TaskDefinition').inputs).toMatchObject({
      cpu: '1024',
      memory: '2048',
    });
    expect(untouched.one('aws:lb/loadBalancer:LoadBalancer').inputs.idleTimeout).toBe(120);
  });
});
