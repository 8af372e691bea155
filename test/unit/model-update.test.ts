/**
 * updateClusterState against buildClusterState: random clusters (nodes with and without pod CIDRs, a pod
 * network small enough that addresses collide, given Pods, host-network pods, every simulated workload
 * kind) and random in-place workload edits; the derived state must deep-equal a build from scratch.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest, updateClusterState, type ClusterState, type LoadedObject } from '../../src/core';
import { rng } from '../../bench/fuzz-mutators';

interface Work {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet';
  name: string;
  ns: string;
  app: string;
  replicas: number;
  hostNetwork: boolean;
}

function workload(w: Work): string {
  return [
    `apiVersion: apps/v1`,
    `kind: ${w.kind}`,
    `metadata: {name: ${w.name}, namespace: ${w.ns}}`,
    `spec:`,
    ...(w.kind === 'DaemonSet' ? [] : [`  replicas: ${w.replicas}`]),
    ...(w.kind === 'StatefulSet' ? [`  serviceName: ${w.name}`] : []),
    `  selector: {matchLabels: {app: ${w.app}}}`,
    `  template:`,
    `    metadata: {labels: {app: ${w.app}}}`,
    `    spec:`,
    ...(w.hostNetwork ? ['      hostNetwork: true'] : []),
    `      containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]`,
  ].join('\n');
}

function load(text: string, file: string): LoadedObject[] {
  return loadManifest(file, text).objects;
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function cluster(r: () => number): { fixed: LoadedObject[]; works: Work[] } {
  const docs: string[] = [];
  // A /27 pod network (30 addresses): simulated pods collide and probe.
  if (r() < 0.7) docs.push('apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\nclusterCIDR: 10.9.0.0/27');
  const nodes = pick(r, [0, 1, 1, 3]);
  for (let i = 0; i < nodes; i++) {
    const cidr = r() < 0.5 ? `\n  podCIDR: 10.8.${i}.0/28` : '';
    const ready = r() < 0.85 ? 'True' : 'False';
    docs.push(`apiVersion: v1\nkind: Node\nmetadata: {name: node-${i}}\nspec:${cidr || ' {}'}\nstatus:\n  addresses: [{type: InternalIP, address: 192.168.0.${i + 1}}]\n  conditions: [{type: Ready, status: '${ready}'}]`);
  }
  for (let i = 0; i < 3; i++) if (r() < 0.5) docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: given-${i}, namespace: ${pick(r, ['a', 'b'])}, labels: {app: ${pick(r, ['x', 'y', 'z'])}}}\nspec: {containers: [{name: c, image: i}]}`);
  docs.push('apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a}\nspec: {selector: {app: x}, ports: [{port: 80}]}');
  const works: Work[] = [];
  const n = 2 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    works.push({ kind: pick(r, ['Deployment', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'] as const), name: `w${i}`, ns: pick(r, ['a', 'b']), app: pick(r, ['x', 'y', 'z', 'q']), replicas: Math.floor(r() * 5), hostNetwork: r() < 0.15 });
  }
  return { fixed: load(docs.join('\n---\n'), 'fixed.yaml'), works };
}

test('updateClusterState equals buildClusterState after random in-place workload edits', () => {
  let fast = 0;
  let full = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed);
    const { fixed, works } = cluster(r);
    let objs = works.map((w, i) => load(workload(w), `w${i}.yaml`)[0]!);
    let prev: ClusterState = buildClusterState([...fixed, ...objs]);
    for (let step = 0; step < 12; step++) {
      const i = Math.floor(r() * works.length);
      const w = works[i]!;
      const what = r();
      if (what < 0.6) w.replicas = Math.floor(r() * 6);
      else if (what < 0.8) w.app = pick(r, ['x', 'y', 'z', 'q']);
      else if (what < 0.9) w.hostNetwork = !w.hostNetwork;
      // else: the same text loaded again (a new object, same content).
      const old = objs[i]!;
      const now = load(workload(w), `w${i}.yaml`)[0]!;
      objs = objs.map((o, k) => (k === i ? now : o));
      const objects = [...fixed, ...objs];
      const next = updateClusterState(prev, objects, [old], [now]);
      if (next.services === prev.services) fast++;
      else full++;
      assert.deepStrictEqual(next, buildClusterState(objects), `seed ${seed} step ${step}`);
      prev = next;
    }
  }
  // Both paths ran: most edits are derived, some (collisions, node round-robin shifts) fall back.
  assert.ok(fast > full, `fast ${fast}, full ${full}`);
  assert.ok(full > 0, `fast ${fast}, full ${full}`);
});

test('updateClusterState builds anew for anything but one workload edited in place', () => {
  const a = load('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1, selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: i}]}}}', 'a.yaml');
  const svc = load('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: x}, ports: [{port: 80}]}', 's.yaml');
  const prev = buildClusterState([...a, ...svc]);
  const svc2 = load('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: y}, ports: [{port: 80}]}', 's.yaml');
  const next = updateClusterState(prev, [...a, ...svc2], svc, svc2);
  assert.notEqual(next.services, prev.services);
  assert.deepStrictEqual(next, buildClusterState([...a, ...svc2]));
  // Renamed: a different workload, built anew.
  const b = load('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: e}\nspec: {replicas: 2, selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: i}]}}}', 'a.yaml');
  const renamed = updateClusterState(prev, [...b, ...svc], a, b);
  assert.notEqual(renamed.services, prev.services);
  assert.deepStrictEqual(renamed, buildClusterState([...b, ...svc]));
  // Other options than the previous build's: built anew with the new options.
  const c = load('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 3, selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: i}]}}}', 'a.yaml');
  const opts = { clusterCIDRs: ['10.7.0.0/16'] };
  const withOptions = updateClusterState(prev, [...c, ...svc], a, c, opts);
  assert.deepStrictEqual(withOptions, buildClusterState([...c, ...svc], opts));
  // The same edit with the same options is derived.
  const derived = updateClusterState(prev, [...c, ...svc], a, c);
  assert.equal(derived.services, prev.services);
  assert.equal(derived.pods.length, 3);
  assert.deepStrictEqual(derived, buildClusterState([...c, ...svc]));
});
