import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { compileRules, parseRules, traceRules, traceResult, type SourceKind, type TraceDetail } from '../../src/core';

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../../test/fixtures/rules', name), 'utf8');
// The upstream fake proxier: node test-node with IP 192.168.0.2, local detector by cluster CIDR 10.0.0.0/8.
const upstream = compileRules(parseRules(fixture('upstream-overall.restore')));
const trace = (from: string, to: string, port: number, source: SourceKind, protocol: 'TCP' | 'UDP' = 'TCP'): TraceDetail =>
  traceRules(upstream, { from, to, port, protocol }, { source, localIPs: ['192.168.0.2'], nodeName: 'test-node' });
const eps = (d: TraceDetail) => d.endpoints.map((e) => `${e.ip}:${e.port}@${e.probability}`);

test('pod to ClusterIP: DNAT to the only endpoint, no masquerade, steps from the hook down to the SEP', () => {
  const d = trace('10.0.0.2', '172.30.0.41', 80, 'pod');
  assert.equal(d.verdict, 'DNAT');
  assert.deepEqual(eps(d), ['10.180.0.1:80@1']);
  assert.equal(d.masquerade, false);
  const nat = d.steps.filter((s) => s.table === 'nat').map((s) => `${s.chain}: ${s.effect}`);
  assert.deepEqual(nat.slice(0, 4), ['PREROUTING: jump to KUBE-SERVICES', 'KUBE-SERVICES: jump to KUBE-SVC-XPGD46QRK7WJZT7O', 'KUBE-SVC-XPGD46QRK7WJZT7O: jump to KUBE-SEP-SXIVWICOYRO3J4NJ', 'KUBE-SEP-SXIVWICOYRO3J4NJ: DNAT to 10.180.0.1:80']);
  assert.ok(d.steps.some((s) => s.table === 'filter' && s.chain === 'FORWARD'), 'forwarded traffic runs the filter FORWARD hook');
  assert.ok(d.steps.findIndex((s) => s.table === 'filter') < d.steps.findIndex((s) => s.chain === 'POSTROUTING'));
  assert.match(d.explanation, /ns1\/svc1:p80 \(ClusterIP\).*10\.180\.0\.1:80 \(100%\).*no masquerade/);
  assert.match(d.warnings[0]!, /lack the built-in chains/);
});

test('node to ClusterIP: nat OUTPUT, masqueraded because the source is outside the pod CIDR', () => {
  const d = trace('192.168.0.2', '172.30.0.41', 80, 'node');
  assert.equal(d.verdict, 'DNAT');
  assert.equal(d.masquerade, true);
  assert.equal(d.steps[0]!.chain, 'OUTPUT');
  assert.ok(d.steps.some((s) => s.chain === 'KUBE-POSTROUTING' && /MASQUERADE/.test(s.effect)));
  assert.ok(!d.steps.some((s) => s.chain === 'PREROUTING'));
});

test('external to NodePort on the node: EXT chain masquerades, DNAT to the endpoint', () => {
  const d = trace('203.0.113.9', '192.168.0.2', 3003, 'external');
  assert.equal(d.verdict, 'DNAT');
  assert.deepEqual(eps(d), ['10.180.0.3:80@1']);
  assert.equal(d.masquerade, true);
  assert.ok(d.steps.some((s) => s.chain === 'KUBE-NODEPORTS'));
  assert.match(d.explanation, /NodePort/);
});

test('NodePort on another address of the node is not matched (addrtype LOCAL)', () => {
  const d = trace('203.0.113.9', '192.168.0.3', 3003, 'external');
  assert.equal(d.verdict, 'NONE');
});

test('LoadBalancer IP with source ranges: inside is DNATed with affinity, outside (and pods) are dropped by KUBE-PROXY-FIREWALL', () => {
  const inside = trace('203.0.113.9', '5.6.7.8', 80, 'external');
  assert.equal(inside.verdict, 'DNAT');
  assert.deepEqual(eps(inside), ['10.180.0.3:80@1']);
  assert.equal(inside.masquerade, true);
  assert.match(inside.explanation, /Session affinity \(ClientIP\).*10800 s/);
  for (const [src, kind] of [['198.51.100.1', 'external'], ['10.0.0.9', 'pod']] as const) {
    const out = trace(src, '5.6.7.8', 80, kind);
    assert.equal(out.verdict, 'DROP');
    assert.deepEqual(out.endpoints, []);
    assert.ok(out.steps.some((s) => s.chain === 'KUBE-PROXY-FIREWALL' && s.effect === 'DROP'));
    assert.ok(out.steps.some((s) => s.chain === 'KUBE-FW-NUKIZ6OKUXPJNT4C' && /no target/.test(s.effect)));
    assert.match(out.explanation, /outside the loadBalancerSourceRanges of ns5\/svc5:p80/);
  }
});

test('externalIP: two endpoints at 1/2 each, masqueraded (eTP Cluster)', () => {
  const d = trace('203.0.113.9', '192.168.99.33', 80, 'external');
  assert.deepEqual(eps(d), ['10.180.0.4:80@0.5', '10.180.0.5:80@0.5']);
  assert.equal(d.masquerade, true);
  assert.ok(d.steps.some((s) => /probability 0\.5/.test(s.effect)));
});

test('hairpin: a pod reaching itself through its Service is masqueraded only on that branch', () => {
  const d = trace('10.180.0.5', '172.30.0.44', 80, 'pod');
  assert.deepEqual(eps(d), ['10.180.0.4:80@0.5', '10.180.0.5:80@0.5']);
  assert.equal(d.masquerade, true);
  const hair = d.branches.filter((b) => b.masquerade);
  assert.deepEqual(hair.map((b) => b.dnat?.ip), ['10.180.0.5']);
  assert.match(d.explanation, /hairpin/);
  const other = trace('10.0.0.7', '172.30.0.44', 80, 'pod');
  assert.equal(other.masquerade, false);
});

test('session affinity on ClusterIP: --rcheck does not match the first packet, --set does', () => {
  const d = trace('10.0.0.2', '172.30.0.45', 80, 'pod');
  assert.equal(d.verdict, 'DNAT');
  const svcSteps = d.steps.filter((s) => s.chain === 'KUBE-SVC-NUKIZ6OKUXPJNT4C');
  assert.equal(svcSteps.length, 1, 'only the load-balancing rule matched, not the --rcheck one');
  assert.doesNotMatch(svcSteps[0]!.rule, /--rcheck/);
  assert.ok(d.branches[0]!.affinity);
});

test('no endpoints: REJECT in filter KUBE-SERVICES', () => {
  const d = trace('10.0.0.2', '172.30.0.46', 80, 'pod');
  assert.equal(d.verdict, 'REJECT');
  assert.ok(d.steps.some((s) => s.table === 'filter' && s.chain === 'KUBE-SERVICES' && s.effect === 'REJECT'));
  assert.match(d.explanation, /rejected.*ns6\/svc6:p80 has no endpoints/);
});

test('eTP Local without local endpoints: external NodePort and LB traffic dropped, pods and the node short-circuited', () => {
  for (const [to, port] of [['192.168.0.2', 3001], ['1.2.3.4', 80], ['192.168.99.22', 80]] as const) {
    const d = trace('203.0.113.9', to, port, 'external');
    assert.equal(d.verdict, 'DROP', `${to}:${port}`);
    assert.match(d.explanation, /externalTrafficPolicy is Local and node test-node has no ready endpoint for ns2\/svc2:p80/);
  }
  const pod = trace('10.0.0.2', '1.2.3.4', 80, 'pod');
  assert.equal(pod.verdict, 'DNAT');
  assert.deepEqual(eps(pod), ['10.180.0.2:80@1']);
  assert.equal(pod.masquerade, false);
  assert.match(pod.explanation, /short-circuited/);
  const node = trace('192.168.0.2', '1.2.3.4', 80, 'node');
  assert.equal(node.verdict, 'DNAT');
  assert.equal(node.masquerade, true);
});

test('health check node port is ACCEPTed in filter; localhost NodePort is DNATed', () => {
  const hc = trace('203.0.113.9', '192.168.0.2', 30000, 'external');
  assert.equal(hc.verdict, 'ACCEPT');
  assert.match(hc.explanation, /health check node port/);
  const lo = trace('127.0.0.1', '127.0.0.1', 3003, 'node');
  assert.equal(lo.verdict, 'DNAT');
  assert.ok(lo.steps.some((s) => /nfacct/.test(s.rule)));
});

test('wrong port or protocol: NONE', () => {
  assert.equal(trace('10.0.0.2', '172.30.0.41', 81, 'pod').verdict, 'NONE');
  assert.equal(trace('10.0.0.2', '172.30.0.41', 80, 'pod', 'UDP').verdict, 'NONE');
});

test('three endpoints through iptables-save probabilities (0.33333333349) come out as exactly 1/3 each', () => {
  const rules = compileRules(parseRules(fixture('node-save.txt')));
  const d = traceRules(rules, { from: '10.244.1.4', to: '10.96.31.4', port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: ['192.168.49.2'] });
  assert.deepEqual(d.endpoints.map((e) => [e.ip, e.probability]), [['10.244.1.12', 1 / 3], ['10.244.1.7', 1 / 3], ['10.244.2.9', 1 / 3]]);
  assert.equal(d.warnings.length, 0, 'a full dump needs no synthesized hooks');
  const rej = traceRules(rules, { from: '10.244.1.4', to: '10.96.200.7', port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: ['192.168.49.2'] });
  assert.equal(rej.verdict, 'REJECT');
});

test('listing (nat + filter): kube-dns UDP fan-out and the dashboard NodePort', () => {
  const rules = compileRules(parseRules(fixture('classic-nat.listing') + fixture('classic-filter.listing')));
  const ctx = { source: 'pod' as const, localIPs: ['192.168.49.2'] };
  const dns = traceRules(rules, { from: '10.244.0.8', to: '10.96.0.10', port: 53, protocol: 'UDP' }, ctx);
  assert.deepEqual(dns.endpoints.map((e) => `${e.ip}:${e.port}@${e.probability}`), ['10.244.0.2:53@0.5', '10.244.0.3:53@0.5']);
  assert.equal(dns.masquerade, false);
  const np = traceRules(rules, { from: '198.51.100.7', to: '192.168.49.2', port: 30443, protocol: 'TCP' }, { ...ctx, source: 'external' });
  assert.deepEqual(np.endpoints.map((e) => e.ip), ['10.244.0.5']);
  assert.equal(np.masquerade, true);
  const orphan = traceRules(rules, { from: '10.244.0.8', to: '10.111.5.9', port: 80, protocol: 'TCP' }, ctx);
  assert.equal(orphan.verdict, 'REJECT');
});

test('IPv6 trace and the contract shape', () => {
  const rules = parseRules(`*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-V6 - [0:0]\n:KUBE-SEP-V6 - [0:0]\n-A KUBE-SERVICES -m comment --comment "ns/v6:http cluster IP" -m tcp -p tcp -d fd00:96::10 --dport 80 -j KUBE-SVC-V6\n-A KUBE-SVC-V6 -j KUBE-SEP-V6\n-A KUBE-SEP-V6 -m tcp -p tcp -j DNAT --to-destination [fd00:10::5]:8080\nCOMMIT\n`);
  const d = traceRules(rules, { from: 'fd00:10::9', to: 'fd00:96::10', port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: [] });
  assert.deepEqual(traceResult(d).endpoints, [{ ip: 'fd00:10::5', port: 8080, probability: 1 }]);
  assert.deepEqual(Object.keys(traceResult(d)), ['verdict', 'endpoints', 'masquerade', 'steps', 'explanation']);
  assert.throws(() => traceRules(rules, { from: '10.0.0.1', to: 'fd00:96::10', port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: [] }), /different IP families/);
});

test('marks set earlier in the trace are seen; unknown matches never match; loops end', () => {
  const rules = parseRules(`*nat\n:PREROUTING ACCEPT [0:0]\n:A - [0:0]\n:LOOP - [0:0]\n-A PREROUTING -j MARK --set-xmark 0x10/0x10\n-A PREROUTING -m physdev --physdev-is-in -j DNAT --to-destination 10.9.9.9:1\n-A PREROUTING -m mark --mark 0x10/0x10 -j A\n-A A -j LOOP\n-A LOOP -j A\n-A A -j DNAT --to-destination 10.1.1.1:99\nCOMMIT\n`);
  const d = traceRules(rules, { from: '10.0.0.1', to: '10.2.2.2', port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: [] });
  assert.deepEqual(eps(d), ['10.1.1.1:99@1']);
  assert.ok(d.warnings.some((w) => /physdev/.test(w)));
  assert.ok(d.warnings.some((w) => /loop/.test(w)));
  const noMark = parseRules(`*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m mark --mark 0x10/0x10 -j DNAT --to-destination 10.1.1.1:99\nCOMMIT\n`);
  assert.equal(traceRules(noMark, { from: '10.0.0.1', to: '10.2.2.2', port: 80, protocol: 'TCP' }, { source: 'pod', localIPs: [] }).verdict, 'NONE');
});

test('interfaces: -i matches only when the interface is known', () => {
  const rules = parseRules(`*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -i cni+ -j DNAT --to-destination 10.1.1.1:99\nCOMMIT\n`);
  const pkt = { from: '10.0.0.1', to: '10.2.2.2', port: 80, protocol: 'TCP' as const };
  assert.equal(traceRules(rules, pkt, { source: 'pod', localIPs: [], inInterface: 'cni0' }).verdict, 'DNAT');
  assert.equal(traceRules(rules, pkt, { source: 'pod', localIPs: [], inInterface: 'eth0' }).verdict, 'NONE');
  const unknown = traceRules(rules, pkt, { source: 'pod', localIPs: [] });
  assert.equal(unknown.verdict, 'NONE');
  assert.ok(unknown.warnings.some((w) => /interface unknown/.test(w)));
});
