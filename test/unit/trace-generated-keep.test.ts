/**
 * GeneratedIPTables keeps only the Services of its last few traces: a dropped Service leaves no chain,
 * rule, index entry or affinity timeout behind, and a Service traced again after it was dropped is
 * rendered again and traces exactly as before (and as a tracer that keeps every Service).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { chainsByKey, GeneratedIPTables, type ClusterState, type TraceContext, type TracePacket } from '../../src/core';
import { generatedState } from './proxy-generated-state';
import { docs, node, service, slice, stateOf } from './proxy-helpers';

const LOCAL = ['192.168.0.2'];
const pod: TraceContext = { source: 'pod', localIPs: LOCAL, nodeName: 'node-1' };
const self: TraceContext = { source: 'node', localIPs: LOCAL, nodeName: 'node-1' };
const outside: TraceContext = { source: 'external', localIPs: LOCAL, nodeName: 'node-1' };

interface Flow {
  packet: TracePacket;
  ctx: TraceContext;
}

/** A pod, the node and an outside client to every Service port (and node port) of the state. */
function flows(state: ClusterState): Flow[] {
  const out: Flow[] = [];
  state.services.forEach((svc, i) => {
    for (const p of svc.ports) {
      const protocol = p.protocol;
      out.push({ packet: { from: `10.244.${i & 255}.7`, to: svc.clusterIP!, port: p.port, protocol }, ctx: pod });
      out.push({ packet: { from: LOCAL[0]!, to: svc.clusterIP!, port: p.port, protocol }, ctx: self });
      if (p.nodePort) out.push({ packet: { from: '198.18.0.1', to: LOCAL[0]!, port: p.nodePort, protocol }, ctx: outside });
      for (const ing of svc.loadBalancerIngress) if (ing.ip) out.push({ packet: { from: '203.0.113.50', to: ing.ip, port: p.port, protocol }, ctx: outside });
    }
  });
  return out;
}

/** What a tracer holds: its chains by `table/name` with their rule counts, and its affinity timeouts. */
function holdings(g: GeneratedIPTables): { chains: Map<string, number>; affinity: number; indexed: number } {
  const chains = new Map<string, number>();
  let indexed = 0;
  for (const [k, c] of chainsByKey(g.compiled)) {
    chains.set(k, c.chain.rules.length);
    for (const list of c.byKey.values()) indexed += list.length;
    indexed += c.key === 'none' ? 0 : c.unkeyed.length;
  }
  return { chains, affinity: g.compiled.affinitySeconds.size, indexed };
}

const state = generatedState(40, 6);

test('a tracer that keeps 0, 1 or 3 Services traces every flow byte-identically to one that keeps all, also when flows come back', () => {
  const all = flows(state);
  assert.ok(all.length > 80);
  const keepAll = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4', keep: Infinity });
  const want = all.map((f) => JSON.stringify(keepAll.trace(f.packet, f.ctx)));
  assert.equal(keepAll.renderedServices, state.services.length);
  for (const [keep, keepWords] of [[0, undefined], [1, 0], [3, 50]] as const) {
    // keepWords 0: the shapes and shared matches start afresh after every trace.
    const g = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4', keep, keepWords });
    // Forwards, then backwards and forwards again: each Service is dropped and rendered again.
    for (const pass of [0, 1, 2]) {
      const order = pass === 1 ? [...all.keys()].reverse() : [...all.keys()];
      for (const i of order) assert.equal(JSON.stringify(g.trace(all[i]!.packet, all[i]!.ctx)), want[i], `keep ${keep}, pass ${pass}, flow ${i}`);
      assert.ok(g.renderedServices <= Math.max(keep, 1), `keep ${keep}: ${g.renderedServices} Services rendered`);
    }
  }
});

test('a dropped Service leaves nothing behind: the tracer holds what it held before its first trace', () => {
  const g = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4', keep: 0 });
  const before = holdings(g);
  // Service 0: session affinity (an affinity timeout per endpoint), NodePort with eTP Local, external IP.
  const svc = state.services[0]!;
  assert.equal(svc.sessionAffinity, 'ClientIP');
  const d = g.trace({ from: '10.244.3.3', to: svc.clusterIP!, port: 80, protocol: 'TCP' }, pod);
  assert.equal(d.verdict, 'DNAT');
  assert.equal(g.renderedServices, 0);
  assert.deepEqual(holdings(g), before);
  // The same tracer keeping everything holds more after the same trace (the check above can fail).
  const kept = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4', keep: 1 });
  kept.trace({ from: '10.244.3.3', to: svc.clusterIP!, port: 80, protocol: 'TCP' }, pod);
  const after = holdings(kept);
  assert.equal(kept.renderedServices, 1);
  assert.ok(after.chains.size > before.chains.size);
  assert.ok(after.affinity > 0);
  assert.ok(after.indexed > before.indexed);
});

test('the least recently traced Service is the one dropped', () => {
  const to = (i: number): TracePacket => ({ from: '10.244.3.3', to: state.services[i]!.clusterIP!, port: 80, protocol: 'TCP' });
  const svcChains = (t: GeneratedIPTables) => [...chainsByKey(t.compiled).keys()].filter((k) => k.startsWith('nat/KUBE-SVC-')).sort();
  /** The service chains of a tracer that traced only these Services. */
  const only = (...services: number[]) => {
    const t = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4', keep: Infinity });
    for (const i of services) t.trace(to(i), pod);
    return svcChains(t);
  };
  const g = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4', keep: 2 });
  g.trace(to(2), pod);
  g.trace(to(3), pod);
  assert.deepEqual(svcChains(g), only(2, 3));
  // Service 2 is used again, so Service 3 is the least recently used when Service 6 comes.
  g.trace(to(2), pod);
  g.trace(to(6), pod);
  assert.equal(g.renderedServices, 2);
  assert.deepEqual(svcChains(g), only(2, 6));
  assert.notDeepEqual(only(2, 6), only(3, 6));
});

test('a DNAT to another Service keeps both for the trace, then drops both', () => {
  const two = stateOf(
    docs(
      node('node-1', LOCAL),
      service('default', 'svc-a', { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] }),
      slice('default', 'svc-a', [{ addresses: ['10.96.0.20'], conditions: { ready: true } }], [{ port: 8080, protocol: 'TCP' }]),
      service('default', 'svc-b', { clusterIP: '10.96.0.20', selector: { app: 'none' }, ports: [{ port: 8080 }] }),
    ),
  );
  const packet: TracePacket = { from: '10.244.1.1', to: '10.96.0.10', port: 80, protocol: 'TCP' };
  const none = new GeneratedIPTables({ state: two, node: 'node-1', family: 'IPv4', keep: 0 });
  const before = holdings(none);
  const got = none.trace(packet, pod);
  assert.equal(got.verdict, 'REJECT');
  assert.equal(JSON.stringify(got), JSON.stringify(new GeneratedIPTables({ state: two, node: 'node-1', family: 'IPv4' }).trace(packet, pod)));
  assert.deepEqual(holdings(none), before);
});

test('Services sharing chain names (the same Service twice) are rendered and dropped together', () => {
  const dup = stateOf(
    docs(
      node('node-1', LOCAL),
      service('default', 'a', { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080 }] }),
      service('default', 'a', { clusterIP: '10.96.0.11', ports: [{ port: 80, targetPort: 8080 }] }),
      slice('default', 'a', [{ addresses: ['10.244.0.5'], conditions: { ready: true } }], [{ port: 8080, protocol: 'TCP' }]),
    ),
  );
  assert.equal(dup.services.length, 2);
  const g = new GeneratedIPTables({ state: dup, node: 'node-1', family: 'IPv4', keep: 1 });
  const before = holdings(g);
  const first = JSON.stringify(g.trace({ from: '10.244.1.1', to: '10.96.0.10', port: 80, protocol: 'TCP' }, pod));
  assert.equal(g.renderedServices, 2);
  // Keep 1 counts renders: the pair is one, so it stays; a tracer keeping nothing drops both.
  const none = new GeneratedIPTables({ state: dup, node: 'node-1', family: 'IPv4', keep: 0 });
  assert.equal(JSON.stringify(none.trace({ from: '10.244.1.1', to: '10.96.0.10', port: 80, protocol: 'TCP' }, pod)), first);
  assert.equal(none.renderedServices, 0);
  assert.deepEqual(holdings(none), before);
  // The second copy's cluster IP, traced after the pair was dropped, renders the pair again.
  const second = none.trace({ from: '10.244.1.1', to: '10.96.0.11', port: 80, protocol: 'TCP' }, pod);
  assert.equal(second.verdict, 'DNAT');
  assert.equal(JSON.stringify(second), JSON.stringify(g.trace({ from: '10.244.1.1', to: '10.96.0.11', port: 80, protocol: 'TCP' }, pod)));
});

test('a render that fails part-way is taken out whole, and the next trace to that Service fails the same way', () => {
  const g = new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4', keep: 3 });
  const before = holdings(g);
  const svc = state.services[2]!;
  const packet: TracePacket = { from: '10.244.3.3', to: svc.clusterIP!, port: 80, protocol: 'TCP' };
  // The third rule a render adds fails (as a rule the reader refused would).
  const inner = g as unknown as { add: (...a: unknown[]) => void };
  const add = inner.add.bind(g);
  let calls = 0;
  inner.add = (...a: unknown[]) => {
    if (++calls === 3) throw new Error('generated rules do not parse (test)');
    add(...a);
  };
  assert.throws(() => g.trace(packet, pod), /do not parse \(test\)/);
  assert.equal(g.renderedServices, 0);
  assert.deepEqual(holdings(g), before);
  calls = 0;
  assert.throws(() => g.trace(packet, pod), /do not parse \(test\)/);
  assert.deepEqual(holdings(g), before);
  // With the reader working again, the Service renders whole and traces as a fresh tracer does.
  inner.add = add;
  assert.equal(JSON.stringify(g.trace(packet, pod)), JSON.stringify(new GeneratedIPTables({ state, node: 'node-1', family: 'IPv4' }).trace(packet, pod)));
  assert.equal(g.renderedServices, 1);
});
