/**
 * updateClusterState against buildClusterState: random clusters (nodes with and without pod CIDRs, a pod
 * network small enough that addresses collide, given Pods, host-network pods, every simulated workload
 * kind; a service network and node-port range small enough that written and assigned addresses collide)
 * and random in-place edits of workloads, Services, Pods and listed-only objects; the derived state must
 * deep-equal a build from scratch.
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
  let resimulated = 0;
  let kept = 0;
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
      // Another workload's pod that moved: every workload was simulated again (collisions, round-robin shifts).
      const before = new Map(prev.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
      const others = next.pods.filter((p) => p.owner && p.owner.name !== w.name && before.has(`${p.namespace}/${p.name}`));
      if (others.some((p) => before.get(`${p.namespace}/${p.name}`)!.ips.join() !== p.ips.join())) {
        resimulated++;
        // Even then, the others' pods that came out alike stay the same objects.
        kept += others.filter((p) => before.get(`${p.namespace}/${p.name}`) === p).length;
      }
      assert.deepStrictEqual(next, buildClusterState(objects), `seed ${seed} step ${step}`);
      prev = next;
    }
  }
  // Every workload edit is derived (no full build); some needed every workload simulated again.
  assert.equal(full, 0, `fast ${fast}, full ${full}`);
  assert.ok(resimulated > 0 && resimulated < fast / 4, `resimulated ${resimulated} of ${fast}`);
  assert.ok(kept > 0, `kept ${kept}`);
});

/** A Service, a Pod or a listed-only object, as random edits change them. */
interface Svc {
  name: string;
  ns: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  app: string;
  clusterIP?: string;
  ports: { port: number; nodePort?: number }[];
  local: boolean;
  /** false: selectorless (an Endpoints object of its name is mirrored). */
  selector: boolean;
}
interface Pod {
  name: string;
  ns: string;
  app: string;
  /** A pod IP, 'pending' (a status without addresses), or undefined (no status: assumed running). */
  status?: string;
  nodeName?: string;
  hostNetwork: boolean;
  gate: boolean;
}

function service(s: Svc): string {
  const ports = s.ports.map((p, i) => `{name: p${i}, port: ${p.port}${p.nodePort ? `, nodePort: ${p.nodePort}` : ''}}`).join(', ');
  const ip = s.clusterIP ? `, clusterIP: ${s.clusterIP}` : '';
  const etp = s.local ? ', externalTrafficPolicy: Local' : '';
  const selector = s.selector ? `selector: {app: ${s.app}}, ` : '';
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${s.name}, namespace: ${s.ns}}\nspec: {type: ${s.type}, ${selector}ports: [${ports}]${ip}${etp}}`;
}

function pod(p: Pod): string {
  const spec = [`containers: [{name: c, image: i}]`, ...(p.nodeName ? [`nodeName: ${p.nodeName}`] : []), ...(p.hostNetwork ? ['hostNetwork: true'] : []), ...(p.gate ? ['readinessGates: [{conditionType: example.com/lb}]'] : [])];
  const status = p.status === 'pending' ? '\nstatus: {phase: Pending}' : p.status ? `\nstatus: {phase: Running, podIP: ${p.status}, podIPs: [{ip: ${p.status}}], conditions: [{type: Ready, status: 'True'}]}` : '';
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${p.name}, namespace: ${p.ns}, labels: {app: ${p.app}}}\nspec: {${spec.join(', ')}}${status}`;
}

function mutateService(r: () => number, s: Svc): void {
  const what = r();
  if (what < 0.2) s.app = pick(r, ['x', 'y', 'z']);
  else if (what < 0.35) s.type = pick(r, ['ClusterIP', 'NodePort', 'LoadBalancer'] as const);
  else if (what < 0.5) s.clusterIP = pick(r, [undefined, undefined, '10.96.0.5', '10.96.0.9', '10.96.0.3']);
  else if (what < 0.65) s.ports = s.ports.map((p) => ({ ...p, nodePort: pick(r, [undefined, undefined, 30001, 30002, 30005]) }));
  else if (what < 0.75) s.ports = pick(r, [[{ port: 80 }], [{ port: 80 }, { port: 443 }], [{ port: 80 }, { port: 81, nodePort: 30003 }]]);
  else if (what < 0.8) s.local = !s.local;
  else if (what < 0.9) s.selector = !s.selector;
  else s.ports = s.ports.map((p) => ({ ...p, port: p.port + 1 }));
}

function mutatePod(r: () => number, p: Pod): void {
  const what = r();
  if (what < 0.35) p.app = pick(r, ['x', 'y', 'z', 'q']);
  else if (what < 0.5) p.status = pick(r, [undefined, '10.9.0.3', '10.9.0.20', 'pending']);
  else if (what < 0.65) p.nodeName = pick(r, [undefined, 'node-0', 'node-1']);
  else if (what < 0.75) p.hostNetwork = !p.hostNetwork;
  else if (what < 0.9) p.gate = !p.gate;
}

test('updateClusterState equals buildClusterState after random in-place Service, Pod and other edits', () => {
  const derived = { service: 0, pod: 0, other: 0 };
  const rebuilt = { service: 0, pod: 0, other: 0 };
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed);
    const { fixed, works } = cluster(r);
    // A /28 service network and (sometimes) eight node ports: written and assigned addresses collide.
    const head = load('apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata: {name: small}\nspec: {cidrs: [10.96.0.0/28]}', 'cidr.yaml');
    const options = r() < 0.5 ? { nodePortRange: { min: 30000, max: 30007 } } : {};
    const svcs: Svc[] = Array.from({ length: 2 + Math.floor(r() * 6) }, (_, i) => ({ name: `s${i}`, ns: pick(r, ['a', 'b']), type: pick(r, ['ClusterIP', 'NodePort', 'LoadBalancer'] as const), app: pick(r, ['x', 'y', 'z']), clusterIP: r() < 0.2 ? '10.96.0.5' : undefined, ports: [{ port: 80, nodePort: r() < 0.2 ? 30001 : undefined }], local: r() < 0.3, selector: r() < 0.7 }));
    const pods: Pod[] = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => ({ name: `p${i}`, ns: pick(r, ['a', 'b']), app: pick(r, ['x', 'y', 'z', 'q']), status: r() < 0.3 ? '10.9.0.3' : undefined, nodeName: r() < 0.3 ? 'node-0' : undefined, hostNetwork: r() < 0.1, gate: r() < 0.2 }));
    // Sometimes an Endpoints object for a Service's name (mirroring reads that Service), and listed-only objects.
    const extra = load([r() < 0.3 ? 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: s0, namespace: a}\nsubsets: [{addresses: [{ip: 10.1.1.1}], ports: [{port: 80}]}]' : 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\ndata: {k: v}', 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: a}\nspec: {podSelector: {}}', 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: in, namespace: a}\nspec: {defaultBackend: {service: {name: s0, port: {number: 80}}}}'].join('\n---\n'), 'extra.yaml');
    const works0 = works.map((w, i) => load(workload(w), `w${i}.yaml`)[0]!);
    let svcObjs = svcs.map((x, i) => load(service(x), `s${i}.yaml`)[0]!);
    let podObjs = pods.map((x, i) => load(pod(x), `p${i}.yaml`)[0]!);
    let extraObjs = extra;
    const all = () => [...head, ...fixed, ...svcObjs, ...podObjs, ...works0, ...extraObjs];
    let prev: ClusterState = buildClusterState(all(), options);
    for (let step = 0; step < 12; step++) {
      const which = r();
      let old: LoadedObject;
      let now: LoadedObject;
      let kind: keyof typeof derived;
      if (which < 0.45) {
        const i = Math.floor(r() * svcs.length);
        mutateService(r, svcs[i]!);
        old = svcObjs[i]!;
        now = load(service(svcs[i]!), `s${i}.yaml`)[0]!;
        svcObjs = svcObjs.map((o, k) => (k === i ? now : o));
        kind = 'service';
      } else if (which < 0.85) {
        const i = Math.floor(r() * pods.length);
        mutatePod(r, pods[i]!);
        old = podObjs[i]!;
        now = load(pod(pods[i]!), `p${i}.yaml`)[0]!;
        podObjs = podObjs.map((o, k) => (k === i ? now : o));
        kind = 'pod';
      } else {
        const i = Math.floor(r() * extraObjs.length);
        old = extraObjs[i]!;
        now = { ...old, object: { ...old.object, metadata: { ...(old.object['metadata'] as object), labels: { edit: String(step) } } } };
        extraObjs = extraObjs.map((o, k) => (k === i ? now : o));
        kind = 'other';
      }
      const objects = all();
      const next = updateClusterState(prev, objects, [old], [now], options);
      const kept = kind === 'service' ? next.pods === prev.pods : next.services === prev.services;
      if (kept) derived[kind]++;
      else rebuilt[kind]++;
      assert.deepStrictEqual(next, buildClusterState(objects, options), `seed ${seed} step ${step} (${kind})`);
      prev = next;
    }
  }
  // Both paths ran for Services and Pods; listed-only objects derive unless they are read (Endpoints).
  for (const k of ['service', 'pod'] as const) {
    assert.ok(derived[k] * 3 > derived[k] + rebuilt[k], `${k}: derived ${derived[k]}, rebuilt ${rebuilt[k]}`);
    assert.ok(rebuilt[k] > 0, `${k}: derived ${derived[k]}, rebuilt ${rebuilt[k]}`);
  }
  assert.ok(derived.other > 0 && rebuilt.other > 0, `other: derived ${derived.other}, rebuilt ${rebuilt.other}`);
});

test('updateClusterState derives a Service edited in place, builds anew for a rename or other options', () => {
  const a = load('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 1, selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: c, image: i}]}}}', 'a.yaml');
  const svc = load('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: x}, ports: [{port: 80}]}', 's.yaml');
  const prev = buildClusterState([...a, ...svc]);
  const svc2 = load('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: y}, ports: [{port: 80}]}', 's.yaml');
  const next = updateClusterState(prev, [...a, ...svc2], svc, svc2);
  assert.notEqual(next.services, prev.services);
  assert.equal(next.pods, prev.pods, 'derived: the pods are kept');
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

/** A given EndpointSlice, as random edits change it: its Service label, its endpoints' addresses and readiness. */
interface Slice {
  name: string;
  service?: string;
  endpoints: { ip: string; ready: boolean }[];
}

function endpointSlice(s: Slice): string {
  const labels = s.service ? `, labels: {kubernetes.io/service-name: ${s.service}}` : '';
  const endpoints = s.endpoints.map((e) => `{addresses: [${e.ip}], conditions: {ready: ${e.ready}}}`).join(', ');
  return `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${s.name}, namespace: a${labels}}\naddressType: IPv4\nports: [{name: p0, port: 80}]\nendpoints: [${endpoints}]`;
}

test('updateClusterState equals buildClusterState after random in-place EndpointSlice edits', () => {
  let derived = 0;
  let rebuilt = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed);
    const { fixed } = cluster(r);
    // Selectorless s0 and s1; sometimes an Endpoints object for s0 (mirrored only while no slice is labelled s0).
    const svcs = ['s0', 's1'].map((n) => `apiVersion: v1\nkind: Service\nmetadata: {name: ${n}, namespace: a}\nspec: {ports: [{name: p0, port: 80}]}`);
    if (r() < 0.6) svcs.push('apiVersion: v1\nkind: Endpoints\nmetadata: {name: s0, namespace: a}\nsubsets: [{addresses: [{ip: 10.1.1.1}], ports: [{name: p0, port: 80}]}]');
    const head = load(svcs.join('\n---\n'), 'svc.yaml');
    const slices: Slice[] = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, i) => ({ name: `e${i}`, service: pick(r, ['s0', 's1', undefined]), endpoints: [{ ip: '10.2.0.1', ready: true }, { ip: '10.2.0.2', ready: r() < 0.5 }] }));
    let sliceObjs = slices.map((s, i) => load(endpointSlice(s), `e${i}.yaml`)[0]!);
    const all = () => [...fixed, ...head, ...sliceObjs];
    let prev = buildClusterState(all());
    for (let step = 0; step < 12; step++) {
      const i = Math.floor(r() * slices.length);
      const s = slices[i]!;
      const what = r();
      const e = pick(r, s.endpoints);
      if (what < 0.6) e.ready = !e.ready;
      else if (what < 0.8) e.ip = pick(r, ['10.2.0.1', '10.2.0.3', '10.2.0.4']);
      else s.service = pick(r, ['s0', 's1', undefined]);
      const old = sliceObjs[i]!;
      const now = load(endpointSlice(s), `e${i}.yaml`)[0]!;
      sliceObjs = sliceObjs.map((o, k) => (k === i ? now : o));
      const objects = all();
      const next = updateClusterState(prev, objects, [old], [now]);
      if (next.services === prev.services) derived++;
      else rebuilt++;
      assert.deepStrictEqual(next, buildClusterState(objects), `seed ${seed} step ${step}`);
      prev = next;
    }
  }
  // Condition and address edits are derived; a changed Service label builds anew.
  assert.ok(derived > rebuilt * 3 && rebuilt > 0, `derived ${derived}, rebuilt ${rebuilt}`);
});
