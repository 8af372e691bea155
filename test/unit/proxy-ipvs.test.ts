/** The IPVS renderer (virtual servers, ipsets, iptables helper rules) and IPVS-mode traces. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpvsadm, formatIpvsRendered, parseIpvsadm, renderIpvs, traceIpvs, type ClusterState, type IpvsRendered, type Protocol, type TraceDetail } from '../../src/core';
import { docs, service, slice, stateOf } from './proxy-helpers';
import { FAKE_NODE } from './proxy-nft-helpers';

function ipvsState(extraConfig: Record<string, unknown>, ...objects: string[]): ClusterState {
  const config = JSON.stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'ipvs', clusterCIDR: '10.0.0.0/8', ...extraConfig });
  return stateOf(docs(FAKE_NODE, config, ...objects), { serviceCIDRs: ['172.30.0.0/16'] });
}

const P80 = [{ name: 'p80', port: 80, protocol: 'TCP' }];

function lbState(extra: Record<string, unknown> = {}, eps = [{ addresses: ['10.180.0.1'], nodeName: 'test-node' }, { addresses: ['10.180.2.1'], nodeName: 'host2' }]): ClusterState {
  return ipvsState(
    { ipvs: { scheduler: 'lc' } },
    service(
      'ns1',
      'svc1',
      { type: 'LoadBalancer', clusterIP: '172.30.0.41', externalIPs: ['192.168.99.33'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } }, ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30001 }], ...extra },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    ),
    slice('ns1', 'svc1', eps, P80),
  );
}

const vsList = (r: IpvsRendered) => r.table.virtualServers.map((v) => `${v.protocol} ${v.address}:${v.port} ${v.scheduler}${v.persistent !== undefined ? ` persistent ${v.persistent}` : ''} -> ${v.realServers.map((s) => `${s.address}:${s.port}/${s.weight}`).join(',')}`);

test('virtual servers: cluster IP, external IP, LB IP and the NodePort on every node address; scheduler and persistence from the config', () => {
  const r = renderIpvs(lbState());
  assert.equal(r.scheduler, 'lc');
  assert.deepEqual(vsList(r).sort(), [
    'TCP 1.2.3.4:80 lc persistent 300 -> 10.180.0.1:80/1,10.180.2.1:80/1',
    'TCP 127.0.0.1:30001 lc persistent 300 -> 10.180.0.1:80/1,10.180.2.1:80/1',
    'TCP 172.30.0.41:80 lc persistent 300 -> 10.180.0.1:80/1,10.180.2.1:80/1',
    'TCP 192.168.0.2:30001 lc persistent 300 -> 10.180.0.1:80/1,10.180.2.1:80/1',
    'TCP 192.168.1.2:30001 lc persistent 300 -> 10.180.0.1:80/1,10.180.2.1:80/1',
    'TCP 192.168.99.11:30001 lc persistent 300 -> 10.180.0.1:80/1,10.180.2.1:80/1',
    'TCP 192.168.99.33:80 lc persistent 300 -> 10.180.0.1:80/1,10.180.2.1:80/1',
  ]);
  const sets = (n: string) => [...r.sets.entries.get(n)!].sort();
  assert.deepEqual(sets('KUBE-CLUSTER-IP'), ['172.30.0.41,tcp:80']);
  assert.deepEqual(sets('KUBE-EXTERNAL-IP'), ['192.168.99.33,tcp:80']);
  assert.deepEqual(sets('KUBE-LOAD-BALANCER'), ['1.2.3.4,tcp:80']);
  assert.deepEqual(sets('KUBE-NODE-PORT-TCP'), ['30001']);
  assert.deepEqual(sets('KUBE-LOOP-BACK'), ['10.180.0.1,tcp:80,10.180.0.1']);
  assert.deepEqual(sets('KUBE-IPVS-IPS'), ['1.2.3.4', '172.30.0.41', '192.168.99.33']);
  assert.deepEqual(sets('KUBE-NODE-PORT-LOCAL-TCP'), []);
  // nodePortAddresses narrows the NodePort virtual servers and drops loopback.
  const narrowed = renderIpvs(ipvsState({ nodePortAddresses: ['192.168.0.0/24'] }, service('ns1', 'np', { type: 'NodePort', clusterIP: '172.30.0.42', ports: [{ port: 80, nodePort: 30002 }] })));
  assert.deepEqual(narrowed.table.virtualServers.map((v) => `${v.address}:${v.port} ${v.scheduler}`), ['172.30.0.42:80 rr', '192.168.0.2:30002 rr']);
});

test('externalTrafficPolicy Local: local real servers for external addresses, cluster ones as a fallback; Local ipsets', () => {
  const r = renderIpvs(lbState({ externalTrafficPolicy: 'Local', sessionAffinity: 'None' }));
  const by = (a: string) => r.table.virtualServers.find((v) => `${v.address}:${v.port}` === a)!.realServers.map((s) => s.address);
  assert.deepEqual(by('172.30.0.41:80'), ['10.180.0.1', '10.180.2.1']);
  assert.deepEqual(by('1.2.3.4:80'), ['10.180.0.1']);
  assert.deepEqual(by('192.168.0.2:30001'), ['10.180.0.1']);
  assert.deepEqual([...r.sets.entries.get('KUBE-LOAD-BALANCER-LOCAL')!], ['1.2.3.4,tcp:80']);
  assert.deepEqual([...r.sets.entries.get('KUBE-NODE-PORT-LOCAL-TCP')!], ['30001']);
  assert.deepEqual([...r.sets.entries.get('KUBE-EXTERNAL-IP-LOCAL')!], ['192.168.99.33,tcp:80']);
  const none = renderIpvs(lbState({ externalTrafficPolicy: 'Local' }, [{ addresses: ['10.180.2.1'], nodeName: 'host2' }]));
  assert.deepEqual(none.table.virtualServers.find((v) => v.address === '1.2.3.4')!.realServers.map((s) => s.address), ['10.180.2.1']);
});

test('iptables helper rules: masquerade by pod CIDR, external IPs, node ports, postrouting order', () => {
  const r = renderIpvs(lbState({ loadBalancerSourceRanges: ['203.0.113.0/25'] }));
  const lines = r.iptables.split('\n');
  assert.equal(lines[0], '*nat');
  for (const want of [
    '-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN',
    '-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ',
    '-A KUBE-SERVICES -m comment --comment "Kubernetes service external ip + port for masquerade and filter purpose" -m set --match-set KUBE-EXTERNAL-IP dst,dst -j KUBE-MARK-MASQ',
    '-A KUBE-PROXY-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port for load balancer with sourceRange" -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL',
    '-A KUBE-IPVS-OUT-FILTER -s 1.2.3.4 -m ipvs --vaddr 1.2.3.4 --vproto tcp --vport 80 -j DROP',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000',
  ]) assert.ok(lines.includes(want), `missing: ${want}`);
  const post = lines.filter((l) => l.startsWith('-A KUBE-POSTROUTING'));
  assert.deepEqual(post, [
    '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  ]);
  assert.match(formatIpvsRendered(r), /# ipset save\ncreate KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536 comment\nadd KUBE-LOOP-BACK 10.180.0.1,tcp:80,10.180.0.1/);
});

test('ipvsadm -Ln text round-trips through our parser', () => {
  const r = renderIpvs(lbState());
  const text = formatIpvsadm(r.table);
  assert.match(text, /^TCP  172\.30\.0\.41:80 lc persistent 300$/m);
  assert.match(text, /^ {2}-> 10\.180\.0\.1:80 {16}Masq {4}1 {6}0 {10}0$/m);
  const parsed = parseIpvsadm(text);
  assert.deepEqual(
    parsed.virtualServers.map((v) => [v.protocol, v.address, v.port, v.scheduler, v.persistent, v.realServers.map((s) => [s.address, s.port, s.weight])]),
    r.table.virtualServers.map((v) => [v.protocol, v.address, v.port, v.scheduler, v.persistent, v.realServers.map((s) => [s.address, s.port, s.weight])]),
  );
});

const NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11'];
function trace(r: IpvsRendered, from: string, to: string, port: number, protocol: Protocol = 'TCP'): TraceDetail {
  const helper = { has: (s: string, e: string) => r.sets.has(s, e), entriesOf: (s: string) => r.sets.entries.get(s) ?? [], masqueradeAll: r.masqueradeAll, detector: r.model.detector, owners: r.owners };
  return traceIpvs(r.table, { from, to, port, protocol }, { source: NODE_IPS.includes(from) ? 'node' : 'pod', localIPs: NODE_IPS, nodeName: 'test-node' }, helper);
}

test('IPVS traces: fan-out, masquerade per path, eTP Local keeps the client IP, hairpin, source ranges, no endpoints, unknown port', () => {
  const r = renderIpvs(lbState());
  const pod = trace(r, '10.0.0.2', '172.30.0.41', 80);
  assert.equal(pod.verdict, 'DNAT');
  assert.deepEqual(pod.endpoints, [{ ip: '10.180.0.1', port: 80, probability: 0.5 }, { ip: '10.180.2.1', port: 80, probability: 0.5 }]);
  assert.equal(pod.masquerade, false);
  assert.match(pod.explanation, /virtual server 172\.30\.0\.41:80 of Service port ns1\/svc1:p80 \(scheduler lc\).*go to the same real server until 300 s pass without one/);
  assert.equal(trace(r, '203.0.113.2', '192.168.0.2', 30001).masquerade, true);
  assert.equal(trace(r, '203.0.113.2', '172.30.0.41', 80).masquerade, true);
  assert.equal(trace(r, '203.0.113.2', '192.168.99.33', 80).masquerade, true);
  const hair = trace(r, '10.180.0.1', '172.30.0.41', 80);
  assert.deepEqual(hair.branches.map((b) => [b.dnat?.ip, b.masquerade]), [['10.180.0.1', true], ['10.180.2.1', false]]);
  const local = renderIpvs(lbState({ externalTrafficPolicy: 'Local' }));
  const ext = trace(local, '203.0.113.2', '1.2.3.4', 80);
  assert.deepEqual([ext.endpoints.map((e) => e.ip), ext.masquerade], [['10.180.0.1'], false]);
  const fw = renderIpvs(lbState({ loadBalancerSourceRanges: ['203.0.113.0/25'] }));
  assert.equal(trace(fw, '203.0.113.2', '1.2.3.4', 80).verdict, 'DNAT');
  assert.equal(trace(fw, '203.0.113.130', '1.2.3.4', 80).verdict, 'DROP');
  assert.equal(trace(fw, '192.168.0.2', '1.2.3.4', 80).verdict, 'DROP');
  const empty = renderIpvs(lbState({}, []));
  const rej = trace(empty, '10.0.0.2', '172.30.0.41', 80);
  assert.equal(rej.verdict, 'REJECT');
  assert.match(rej.explanation, /no usable real server/);
  assert.equal(trace(r, '10.0.0.2', '172.30.0.41', 443).verdict, 'REJECT');
  assert.equal(trace(r, '10.0.0.2', '8.8.8.8', 53, 'UDP').verdict, 'NONE');
});

test('traces through imported ipvsadm output: weights, drained servers, unknown masquerade', () => {
  const table = parseIpvsadm(`IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.96.0.10:53 wrr
  -> 10.244.0.2:53                Masq    3      0          0
  -> 10.244.0.3:53                Masq    1      0          0
  -> 10.244.0.4:53                Masq    0      5          0
TCP  10.96.0.20:80 rr
  -> 10.244.0.9:80                Masq    0      0          3
`);
  const ctx = { source: 'pod' as const, localIPs: ['192.168.0.2'] };
  const d = traceIpvs(table, { from: '10.244.1.1', to: '10.96.0.10', port: 53, protocol: 'TCP' }, ctx);
  assert.deepEqual(d.endpoints, [{ ip: '10.244.0.2', port: 53, probability: 0.75 }, { ip: '10.244.0.3', port: 53, probability: 0.25 }]);
  assert.equal(d.masquerade, false);
  assert.ok(d.warnings.some((w) => /weight 0/.test(w)));
  assert.ok(d.warnings.some((w) => /masqueraded cannot be told from ipvsadm output/.test(w)));
  assert.equal(traceIpvs(table, { from: '10.244.1.1', to: '10.96.0.20', port: 80, protocol: 'TCP' }, ctx).verdict, 'REJECT');
  assert.equal(traceIpvs(table, { from: '10.244.1.1', to: '10.96.0.10', port: 54, protocol: 'TCP' }, ctx).verdict, 'REJECT');
  assert.throws(() => traceIpvs(table, { from: 'x', to: '10.96.0.10', port: 53, protocol: 'TCP' }, ctx), /not an IP address/);
});

test('IPVS trace, externalTrafficPolicy Local with no endpoint on the node: DNAT to the other nodes\' pods, and the note that an outside client gets no reply', () => {
  const helperOf = (r: IpvsRendered) => ({ has: (s: string, e: string) => r.sets.has(s, e), entriesOf: (s: string) => r.sets.entries.get(s) ?? [], masqueradeAll: r.masqueradeAll, detector: r.model.detector, owners: r.owners });
  const run = (r: IpvsRendered, to: string, port: number, source: 'external' | 'pod') =>
    traceIpvs(r.table, { from: source === 'external' ? '203.0.113.2' : '10.0.0.2', to, port, protocol: 'TCP' }, { source, localIPs: NODE_IPS, nodeName: 'test-node' }, helperOf(r));
  const elsewhere = renderIpvs(lbState({ externalTrafficPolicy: 'Local', sessionAffinity: 'None' }, [{ addresses: ['10.180.2.1'], nodeName: 'host2' }]));
  const here = renderIpvs(lbState({ externalTrafficPolicy: 'Local', sessionAffinity: 'None' }));
  const lost = /no endpoint on this node: these real servers are on other nodes and the client IP is kept, so the pod answers the client directly, not through this node, and the client drops the reply/;
  // The load-balancer IP, the external IP and the node port: all three Local paths.
  for (const [to, port] of [['1.2.3.4', 80], ['192.168.99.33', 80], ['192.168.0.2', 30001]] as const) {
    const t = run(elsewhere, to, port, 'external');
    assert.equal(t.verdict, 'DNAT', to);
    assert.deepEqual([t.endpoints.map((e) => e.ip), t.masquerade], [['10.180.2.1'], false], to);
    assert.match(t.explanation, lost, to);
    // A pod on this node is what the fallback is for; a node with a local endpoint serves everyone.
    assert.doesNotMatch(run(elsewhere, to, port, 'pod').explanation, lost, to);
    assert.doesNotMatch(run(here, to, port, 'external').explanation, lost, to);
  }
  // The cluster IP is not external traffic.
  assert.doesNotMatch(run(elsewhere, '172.30.0.41', 80, 'external').explanation, lost);
});
