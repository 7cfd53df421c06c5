/* eslint-disable @typescript-eslint/no-explicit-any -- recorded inputs are untyped JSON */
import { describe, expect, it } from 'vitest';
import { find, kindCounts, objects, one, run, specFor, vllmSpecFor, type Env } from './fixtures.js';
import { validateObject } from './openapi.js';

const envs: Env[] = ['dev', 'staging', 'prod'];
const variants = [
  { name: 'default (pgvector, external model)', spec: specFor },
  { name: 'vLLM', spec: vllmSpecFor },
  { name: 'Qdrant', spec: (env: Env) => specFor(env, { vectorStore: { kind: 'qdrant' } }) },
];

describe('every Kubernetes object validates against the OpenAPI schema', () => {
  for (const env of envs) {
    for (const variant of variants) {
      it(`${env}, ${variant.name}`, async () => {
        const { resources } = await run(variant.spec(env));
        const recorded = objects(resources);
        expect(recorded.length).toBeGreaterThanOrEqual(19);
        for (const r of recorded) await expect(validateObject(r), `${r.type} ${r.name}`).resolves.toBeUndefined();
        // The run is the one the counts describe: every kind the program declares was validated.
        expect(Object.keys(kindCounts(resources))).toEqual(
          expect.arrayContaining(['Deployment', 'StatefulSet', 'PrometheusRule', 'Role', 'NetworkPolicy']),
        );
      });
    }
  }
});

describe('the validators catch a broken object', () => {
  it('a Deployment whose container port is a string', async () => {
    const { resources } = await run(specFor('dev'));
    const deployment = structuredClone(one(resources, 'Deployment', 'cycle-assistant'));
    deployment.inputs.spec.template.spec.containers[0].ports[0].containerPort = '8080';
    await expect(validateObject(deployment)).rejects.toThrow(/containerPort must be integer/);
  });

  it('an HPA without maxReplicas', async () => {
    const { resources } = await run(specFor('dev'));
    const hpa = structuredClone(one(resources, 'HorizontalPodAutoscaler'));
    delete hpa.inputs.spec.maxReplicas;
    await expect(validateObject(hpa)).rejects.toThrow(/maxReplicas/);
  });

  it('a PrometheusRule with a bad duration, a misspelt field, or both alert and record', async () => {
    const { resources } = await run(specFor('dev'));
    const rule = one(resources, 'PrometheusRule');
    const broken = [
      (r: any) => (r.spec.groups[0].rules[0].for = '10 minutes'),
      (r: any) => (r.spec.groups[0].rules[0].expresion = 'up'),
      (r: any) => (r.spec.groups[0].rules[0].record = 'x:y'),
      (r: any) => delete r.spec.groups[0].name,
    ];
    for (const breakIt of broken) {
      const copy = structuredClone(rule);
      breakIt(copy.inputs);
      await expect(validateObject(copy)).rejects.toThrow(/PrometheusRule/);
    }
  });

  it('a ServiceMonitor without a selector', async () => {
    const { resources } = await run(specFor('dev'));
    const monitor = structuredClone(find(resources, 'ServiceMonitor')[0]!);
    delete monitor.inputs.spec.selector;
    await expect(validateObject(monitor)).rejects.toThrow(/selector/);
  });
});
