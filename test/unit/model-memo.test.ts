import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest, type ClusterOptions, type ClusterState, type LoadedObject } from '../../src/core';
import { node, service } from './helpers';

// A NodePort Service and a LoadBalancer with Local policy (addresses, node ports and a health-check port are
// allocated), a status-less Pod (assumed running: IP, node, conditions filled in), a Deployment (simulated
// pods), a given EndpointSlice and a Node.
const yaml = [
  service({ name: 'np', type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }, { port: 80, protocol: 'UDP' }] }),
  'apiVersion: v1\nkind: Service\nmetadata: {name: lb}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local, selector: {app: api}, ports: [{port: 443}]}\n---\n',
  'apiVersion: v1\nkind: Pod\nmetadata: {name: bare, labels: {app: web}}\nspec: {readinessGates: [{conditionType: x}], containers: [{name: c, image: i}]}\n---\n',
  'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: api}}\n  template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: i}]}}\n---\n',
  'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ext-1, namespace: other, labels: {kubernetes.io/service-name: ext}}\naddressType: IPv4\nendpoints: [{addresses: [10.9.9.9]}]\nports: [{port: 80}]\n---\n',
  node('n1', { podCIDR: '10.244.1.0/24' }),
].join('');

const load = (): LoadedObject[] => loadManifest('m.yaml', yaml).objects;
/** What a build computed, without back-references to loaded objects. */
const snapshot = (s: ClusterState) => JSON.stringify({ services: s.services, pods: s.pods, slices: s.slices.map((g) => g.slice), workloads: s.workloads.length, nodes: s.nodes }, (k, v: unknown) => (k === 'loaded' ? undefined : v));

const optionsA: ClusterOptions = {};
const optionsB: ClusterOptions = { serviceCIDRs: ['10.200.0.0/16'], clusterCIDRs: ['10.50.0.0/16'], nodePortRange: { min: 31000, max: 31999 } };

test('repeated builds from the same objects equal fresh builds, whatever the options', () => {
  const objects = load();
  const a1 = buildClusterState(objects, optionsA);
  const b1 = buildClusterState(objects, optionsB);
  const a2 = buildClusterState(objects, optionsA);
  assert.equal(snapshot(a1), snapshot(buildClusterState(load(), optionsA)));
  assert.equal(snapshot(b1), snapshot(buildClusterState(load(), optionsB)));
  assert.equal(snapshot(a2), snapshot(a1));
  // The allocations really differ between the option sets, so a shared model would have shown.
  assert.notEqual(a1.services[0]!.clusterIP, b1.services[0]!.clusterIP);
  assert.ok(b1.services.every((s) => s.ports.every((p) => !p.nodePort || (p.nodePort >= 31000 && p.nodePort <= 31999))));
});

test('a later build never changes the models of an earlier state', () => {
  const objects = load();
  const first = buildClusterState(objects, optionsA);
  const before = snapshot(first);
  const bare = first.pods.find((p) => p.name === 'bare')!;
  assert.equal(bare.simulated, true);
  assert.equal(bare.conditions.length, 2);
  buildClusterState(objects, optionsB);
  buildClusterState(objects, { ...optionsB, simulatePods: false });
  assert.equal(snapshot(first), before);
  // Without simulation the status-less pod stays as written: nothing leaked in from earlier builds.
  const plain = buildClusterState(objects, { simulatePods: false }).pods.find((p) => p.name === 'bare')!;
  assert.equal(plain.simulated, false);
  assert.deepEqual(plain.ips, []);
  assert.equal(plain.nodeName, undefined);
});

test('builds share unchanged read-only models and convert a replaced object afresh', () => {
  const objects = load();
  const first = buildClusterState(objects);
  const again = buildClusterState(objects);
  assert.equal(again.workloads[0], first.workloads[0]);
  assert.equal(again.nodes[0], first.nodes[0]);
  assert.notEqual(again.services[0], first.services[0]);
  assert.notEqual(again.services[0]!.ports[0], first.services[0]!.ports[0]);
  // An edit replaces the object (the loader never mutates one): the new content shows.
  const i = objects.findIndex((o) => o.kind === 'Deployment');
  const edited = structuredClone(objects[i]!.object) as { spec: { replicas: number } };
  edited.spec.replicas = 5;
  objects[i] = { ...objects[i]!, object: edited as unknown as Record<string, unknown> };
  const after = buildClusterState(objects);
  assert.equal(after.workloads[0]!.replicas, 5);
  assert.equal(after.pods.filter((p) => p.owner?.name === 'api').length, 5);
  assert.equal(first.pods.filter((p) => p.owner?.name === 'api').length, 2);
});
