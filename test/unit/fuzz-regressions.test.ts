/** Inputs the fuzzer (bench/fuzz.ts) found crashing or hanging the core, kept as regressions. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest, runChecks } from '../../src/core';

test('KSD101 with a workload template that carries every selector label but has no pods does not crash', () => {
  const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;
  const f = loadManifest('t.yaml', text);
  const diags = runChecks({ state: buildClusterState(f.objects), files: [f] });
  assert.deepEqual(
    diags.filter((d) => d.code === 'KSD000'),
    [],
  );
});
