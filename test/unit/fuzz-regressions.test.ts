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

test('generated pod names are cut as the API server cuts them, so a 60,000-character workload name stays cheap', () => {
  // The fuzzer's slowest input (52 s): replicas 1e20 (1,000 simulated pods then; now rejected as the API
  // server rejects it, KSD403) and a name of 60,000 digits made 1,000 pod names of 60 KB; strings that long all hash alike in a Map, so every index lookup compared them.
  const long = '9'.repeat(60_000);
  const text = (kind: string, name: string) => `apiVersion: apps/v1
kind: ${kind}
metadata: {name: "${name}"}
spec:
  replicas: 2000000000
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}
`;
  const state = buildClusterState(loadManifest('t.yaml', text('Deployment', long) + '---\n' + text('ReplicaSet', 'r'.repeat(70))).objects);
  const pods = state.pods.filter((p) => p.simulated);
  assert.equal(pods.length, 2000);
  for (const p of pods) assert.ok(p.name.length <= 63, `${p.name.length} characters`);
  // generateName: the base ("<name>-<pod-template-hash>-" or "<name>-") cut to 58 characters, then 5 random ones.
  assert.ok(pods.every((p) => p.name.startsWith('9'.repeat(58)) || p.name.startsWith('r'.repeat(58))));
  assert.equal(new Set(pods.map((p) => p.name)).size, 2000);
  const short = buildClusterState(loadManifest('s.yaml', text('Deployment', 'web')).objects).pods.find((p) => p.simulated)!;
  assert.match(short.name, /^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
});
