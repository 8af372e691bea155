import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest, type LoadedObject } from '../../src/core';

const NODES = ['b-node', 'a-node']
  .map((n, i) => `apiVersion: v1\nkind: Node\nmetadata: {name: ${n}}\nspec: {podCIDR: 10.244.${i + 1}.0/24}\nstatus:\n  conditions: [{type: Ready, status: "True"}]\n`)
  .join('---\n');
const deploy = (name: string, replicas: number) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec:\n  replicas: ${replicas}\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}}}\n    spec: {containers: [{name: c, image: x}]}\n`;
const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, labels: {app: bare}}\nspec: {containers: [{name: c, image: x}]}\n`;

function placement(objects: LoadedObject[]): string[] {
  return buildClusterState(objects)
    .pods.map((p) => `${p.namespace}/${p.name} ${p.nodeName} ${p.ip}`)
    .sort();
}

test('simulated pods get the same names, nodes and IPs whatever order the files are read in', () => {
  const files = [loadManifest('nodes.yaml', NODES), loadManifest('a.yaml', deploy('alpha', 1)), loadManifest('z.yaml', deploy('zulu', 2)), loadManifest('p.yaml', pod('p1') + '---\n' + pod('p0'))];
  const forward = placement(files.flatMap((f) => f.objects));
  const backward = placement([...files].reverse().flatMap((f) => [...f.objects].reverse()));
  assert.equal(forward.length, 5);
  assert.deepEqual(backward, forward);
  // Spread over both nodes, in name order.
  assert.ok(forward.some((l) => l.includes(' a-node ')) && forward.some((l) => l.includes(' b-node ')));
});
