/**
 * Label sources (KSD101's candidates) are made once per model: a state derived by an edit lists the same
 * source objects for the workloads and pods it kept, and a kept Pod whose owner is now another model gets a
 * source naming the new one.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest, updateClusterState } from '../../src/core';
import { labelSources } from '../../src/core/checks/scope';

const deploy = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: main
        image: ${name}
`;
const pod = `apiVersion: v1
kind: Pod
metadata:
  name: web-7d9f-abcde
  labels:
    app: web
  ownerReferences:
  - apiVersion: apps/v1
    kind: ReplicaSet
    name: web-7d9f
spec:
  containers:
  - name: main
    image: web
`;

test('a derived state lists the same label sources for kept models, and a fresh one for a pod whose owner changed', () => {
  const before = loadManifest('a.yaml', [deploy('web', 1), deploy('api', 1), pod].join('---\n')).objects;
  const edited = loadManifest('a.yaml', deploy('web', 2)).objects[0]!;
  const prev = buildClusterState(before);
  const next = updateClusterState(prev, [edited, before[1]!, before[2]!], [before[0]!], [edited]);
  const a = labelSources(prev, 'default');
  const b = labelSources(next, 'default');
  const api = (list: typeof a) => list.find((s) => s.describe === 'Deployment "api"');
  const given = (list: typeof a) => list.find((s) => s.describe === 'Pod "web-7d9f-abcde"');
  assert.ok(api(a) && api(b));
  assert.equal(api(b), api(a), 'the unchanged workload keeps its source object');
  assert.equal(labelSources(next).find((s) => s.describe === 'Deployment "api"'), api(a), 'across namespaces too');
  const web = next.workloads.find((w) => w.name === 'web')!;
  assert.notEqual(web, prev.workloads.find((w) => w.name === 'web'));
  assert.equal(given(a)!.workload, prev.workloads.find((w) => w.name === 'web'));
  assert.equal(given(b)!.workload, web, "the kept Pod's source names its new owner");
  assert.deepEqual({ ...given(b), workload: undefined }, { ...given(a), workload: undefined });
});
