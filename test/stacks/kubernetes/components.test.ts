import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectorPorts, metrics } from '../../../stacks/kubernetes/index.js';
import { one, run, specFor } from './fixtures.js';

const sources = ['access', 'model-server', 'monitoring', 'service', 'vector-store'].map((file) => ({
  file,
  text: readFileSync(new URL(`../../../stacks/kubernetes/${file}.ts`, import.meta.url), 'utf8'),
}));

describe('components read like SST’s', () => {
  it.each(sources.map((s) => [s.file, s.text]))(
    '%s: every Args field has @example, every optional one @default',
    (_, text) => {
      const body = /export interface \w+Args \{\n([\s\S]*?)\n\}/.exec(text)?.[1];
      expect(body).toBeDefined();
      // Top-level fields: two-space indent, each after its JSDoc block.
      const fields = [...body!.matchAll(/(\/\*\*[\s\S]*?\*\/)\n {2}(\w+)(\??):/g)];
      const declared = [...body!.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
      expect(fields.map((f) => f[2])).toEqual(declared);
      for (const [, doc, name, optional] of fields) {
        expect(doc, name).toContain('@example');
        if (optional) expect(doc, name).toContain('@default');
      }
      expect(text).toMatch(/transform\?: \{/);
      expect(text).toMatch(/get nodes\(\)/);
    },
  );
});

describe('the collector turns the service’s telemetry into the metrics the alerts read', () => {
  it('receives OTLP on 4317/4318 and exports Prometheus on 8889, with spanmetrics named as the queries expect', async () => {
    const { resources } = await run(specFor('dev'));
    const config = JSON.parse(
      one(resources, 'ConfigMap', 'cycle-assistant-collector-config').inputs.data['config.yaml'],
    );
    expect(config.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: `0.0.0.0:${collectorPorts.otlpGrpc}` },
      http: { endpoint: `0.0.0.0:${collectorPorts.otlpHttp}` },
    });
    expect(config.exporters.prometheus.endpoint).toBe(`0.0.0.0:${collectorPorts.metrics}`);
    // Every component a pipeline names is defined.
    const defined = new Set(
      ['receivers', 'processors', 'exporters', 'connectors'].flatMap((section) => Object.keys(config[section] ?? {})),
    );
    for (const pipeline of Object.values(config.service.pipelines) as Record<string, string[]>[]) {
      for (const name of [...pipeline.receivers!, ...(pipeline.processors ?? []), ...pipeline.exporters!]) {
        expect(defined, name).toContain(name);
      }
    }
    // spanmetrics' namespace genai.spans becomes the genai_spans_ prefix in Prometheus.
    const prefix = `${config.connectors.spanmetrics.namespace.replace('.', '_')}_`;
    expect(metrics.calls.startsWith(prefix)).toBe(true);
    expect(metrics.duration.startsWith(`${prefix}duration_milliseconds`)).toBe(true);
    const collector = one(resources, 'Deployment', 'cycle-assistant-collector').inputs.spec.template.spec;
    expect(collector.volumes).toEqual([{ name: 'config', configMap: { name: 'cycle-assistant-collector-config' } }]);
    const ports = one(resources, 'NetworkPolicy', 'cycle-assistant-collector').inputs.spec.ingress;
    expect(ports[0].ports.map((p: { port: number }) => p.port)).toEqual([4317, 4318]);
    expect(ports[0].from[0].podSelector.matchLabels['app.kubernetes.io/component']).toBe('service');
  });
});
