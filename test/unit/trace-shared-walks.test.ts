/**
 * The engine shares the walk after nat PREROUTING/OUTPUT between branches that provably take it alike.
 * Every trace here is compared with the same trace with sharing off (byte-identical JSON), and the cases
 * where sharing must not happen (a later rule reading the destination, a mark set in one branch, a
 * destination that is the node's own address, a destination-indexed chain with a rule for one endpoint)
 * are checked to come out differently per branch.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { compileRules, parseRules, traceCompiled, type TraceContext, type TraceDetail, type TracePacket } from '../../src/core';
import { generatedRules } from '../../src/cli/generatedRules';
import { generatedState } from './proxy-generated-state';

/** A Service 10.96.0.10:80 fanned out to the given endpoints (port 8080), plus kube-proxy's usual chains. */
function rules(endpoints: string[], extra: { filter?: string[]; nat?: string[] } = {}): string {
  const seps = endpoints.map((_, i) => `KUBE-SEP-E${i}`);
  const fan = endpoints.map((_, i) => {
    const left = endpoints.length - i;
    return left > 1 ? `-A KUBE-SVC-X -m statistic --mode random --probability ${(1 / left).toFixed(11)} -j ${seps[i]}` : `-A KUBE-SVC-X -j ${seps[i]}`;
  });
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':KUBE-FORWARD - [0:0]',
    ':KUBE-SERVICES - [0:0]',
    '-A INPUT -j KUBE-SERVICES',
    '-A FORWARD -j KUBE-FORWARD',
    '-A FORWARD -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-SERVICES',
    ...(extra.filter ?? []),
    '-A KUBE-FORWARD -m mark --mark 0x4000/0x4000 -j ACCEPT',
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-SVC-X - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ...seps.map((s) => `:${s} - [0:0]`),
    '-A PREROUTING -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-SERVICES',
    '-A POSTROUTING -j KUBE-POSTROUTING',
    '-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-X',
    ...fan,
    ...endpoints.flatMap((ip, i) => [`-A ${seps[i]} -s ${ip}/32 -j KUBE-MARK-MASQ`, `-A ${seps[i]} -p tcp -m tcp -j DNAT --to-destination ${ip}:8080`]),
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -j MASQUERADE',
    ...(extra.nat ?? []),
    'COMMIT',
    '',
  ].join('\n');
}

const POD: TraceContext = { source: 'pod', localIPs: ['192.168.0.2'], nodeName: 'node-1' };
const toService: TracePacket = { from: '10.244.5.5', to: '10.96.0.10', port: 80, protocol: 'TCP' };

/** Traces with sharing on and off: the JSON must be the same; returns the shared trace and how many branches reused a walk. */
function both(text: string, packet = toService, ctx = POD): { d: TraceDetail; reused: number } {
  const compiled = compileRules(parseRules(text));
  const stats = { reused: 0 };
  const d = traceCompiled(compiled, packet, ctx, { stats });
  const alone = traceCompiled(compiled, packet, ctx, { share: false });
  assert.equal(JSON.stringify(d), JSON.stringify(alone));
  return { d, reused: stats.reused };
}

const FIVE = ['10.244.1.1', '10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5'];

test('the branches of a fan-out share the filter and POSTROUTING walk when nothing there reads their destination', () => {
  const { d, reused } = both(rules(FIVE));
  assert.equal(d.verdict, 'DNAT');
  assert.equal(d.endpoints.length, 5);
  assert.equal(reused, 4);
  // Each step is listed once, the shared walk's included.
  assert.equal(d.steps.filter((s) => s.chain === 'KUBE-FORWARD').length, 0);
  assert.equal(d.steps.filter((s) => s.chain === 'KUBE-POSTROUTING').length, 1);
});

test('a rule after the DNAT that matches one endpoint\'s address: that branch walks on its own', () => {
  const { d, reused } = both(rules(FIVE, { filter: ['-A KUBE-SERVICES -d 10.244.1.3/32 -p tcp -j REJECT --reject-with icmp-port-unreachable'] }));
  assert.equal(d.verdict, 'DNAT');
  assert.deepEqual(d.endpoints.map((e) => e.ip), ['10.244.1.1', '10.244.1.2', '10.244.1.4', '10.244.1.5']);
  assert.ok(d.branches.some((b) => b.verdict === 'REJECT' && b.probability === 0.2));
  // The other four give the same answer to the `-d` match: three of them reuse the first one's walk.
  assert.equal(reused, 3);
});

test('a mark set in one branch (hairpin masquerade) is not shared with the others', () => {
  // The sender is itself the third endpoint: only its branch is marked, so only it is masqueraded.
  const { d, reused } = both(rules(FIVE), { ...toService, from: '10.244.1.3' });
  const masq = d.branches.filter((b) => b.masquerade).map((b) => b.dnat?.ip);
  assert.deepEqual(masq, ['10.244.1.3']);
  assert.match(d.explanation, /hairpin/);
  assert.equal(reused, 3);
});

test('a DNAT to the node\'s own address goes through INPUT, the others through FORWARD', () => {
  const { d, reused } = both(rules(['10.244.1.1', '192.168.0.2', '10.244.1.2'], { filter: ['-A INPUT -p tcp -m tcp --dport 8080 -j DROP'] }));
  assert.deepEqual(d.endpoints.map((e) => e.ip), ['10.244.1.1', '10.244.1.2']);
  assert.ok(d.branches.some((b) => b.verdict === 'DROP' && b.dnat?.ip === '192.168.0.2'));
  assert.equal(reused, 1);
});

test('a destination-indexed chain with a rule for one endpoint: that endpoint is not shared', () => {
  // Twelve or more rules keyed by address make filter KUBE-SERVICES an indexed chain.
  const filler = Array.from({ length: 14 }, (_, i) => `-A KUBE-SERVICES -d 10.97.0.${i + 1}/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable`);
  const { d, reused } = both(rules(FIVE, { filter: [...filler, '-A KUBE-SERVICES -d 10.244.1.5/32 -p tcp -m tcp --dport 9999 -j DROP'] }));
  // The rule for 10.244.1.5 does not match (another port), yet the chain offers that branch other rules: not shared.
  assert.equal(d.endpoints.length, 5);
  assert.equal(reused, 3);
});

test('a statistic match after the DNAT is never shared (the step quotes the branch\'s odds)', () => {
  const { d, reused } = both(rules(FIVE, { nat: ['-A POSTROUTING -m statistic --mode random --probability 0.50000000000 -j ACCEPT'] }));
  assert.equal(d.verdict, 'DNAT');
  assert.equal(reused, 0);
});

test('generated clusters: every flow traces the same with sharing on and off', () => {
  for (const [state, nodeName] of [[generatedState(40, 6), 'node-1'], [generatedState(60, 10), 'node-2']] as const) {
    const compiled = compileRules(generatedRules({ state, node: nodeName, family: 'IPv4', mode: 'iptables' }));
    const local = state.nodes.find((n) => n.name === nodeName)!.ips;
    const stats = { reused: 0 };
    let flows = 0;
    state.services.forEach((svc, i) => {
      for (const p of svc.ports) {
        const cases: [TracePacket, TraceContext][] = [
          [{ from: `10.244.${i & 255}.${(i * 7) & 255}`, to: svc.clusterIP!, port: p.port, protocol: p.protocol }, { source: 'pod', localIPs: local, nodeName }],
          [{ from: local[0]!, to: svc.clusterIP!, port: p.port, protocol: p.protocol }, { source: 'node', localIPs: local, nodeName }],
        ];
        if (p.nodePort) cases.push([{ from: '198.18.0.1', to: local[0]!, port: p.nodePort, protocol: p.protocol }, { source: 'external', localIPs: local, nodeName }]);
        for (const ing of svc.loadBalancerIngress) if (ing.ip) cases.push([{ from: '203.0.113.50', to: ing.ip, port: p.port, protocol: p.protocol }, { source: 'external', localIPs: local, nodeName }]);
        for (const [packet, ctx] of cases) {
          flows++;
          assert.equal(JSON.stringify(traceCompiled(compiled, packet, ctx, { stats })), JSON.stringify(traceCompiled(compiled, packet, ctx, { share: false })), `${packet.from} -> ${packet.to}:${packet.port}`);
        }
      }
    });
    assert.ok(flows > 100);
    assert.ok(stats.reused > flows, `walks were shared (${stats.reused} reused over ${flows} flows)`);
  }
});
