/**
 * The kube-proxy 1.36 nftables layout (kubernetes #135800 and #136499) against upstream's
 * TestOverallNFTablesRules as pkg/proxy/nftables/proxier_test.go has it at edca5633 (after both PRs,
 * before #140723 of 1.37), re-expressed as our fixtures; then traces through the rendered rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffNftRules, listNftTable, nftLayoutOf, nftProfile, parseNft, renderNftables, traceNft, type ClusterState, type TraceDetail } from '../../src/core';
import { docs, service, slice, stateOf } from './proxy-helpers';
import { FAKE_NODE, fakeDump, fakeState, overallState, sortTransaction } from './proxy-nft-helpers';

const v136 = nftProfile('1.36');

/** The fixed part of the table (upstream's baseRules at edca5633). */
export const BASE_136 = `
add table ip kube-proxy { comment "rules for kube-proxy" ; }
add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }
add set ip kube-proxy hairpin-connections { type ipv4_addr . ipv4_addr . inet_proto . inet_service ; comment "service hairpin connections" ; }
add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-output-pre-dnat { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority 0 ; }
add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
add chain ip kube-proxy filter-output { type filter hook output priority 0 ; }
add chain ip kube-proxy firewall-check
add chain ip kube-proxy masquerading
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add chain ip kube-proxy nodeport-endpoints-check
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain ip kube-proxy services
add chain ip kube-proxy service-endpoints-check
add rule ip kube-proxy cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
add rule ip kube-proxy cluster-ips-check ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
add rule ip kube-proxy filter-prerouting-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check
add rule ip kube-proxy filter-output ct state new jump cluster-ips-check
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy masquerading mark and 0x4000 != 0 mark set mark xor 0x4000 masquerade fully-random
add rule ip kube-proxy masquerading ct status dnat ip saddr . ip daddr . meta l4proto . th dport @hairpin-connections masquerade fully-random
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy services ip daddr @cluster-ips ip saddr != 10.0.0.0/8 mark set mark or 0x4000 comment "masquerade clusterIP traffic from outside cluster"
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports

add element ip kube-proxy nodeport-ips { 192.168.0.2 }
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
`;

/** TestOverallNFTablesRules' expected Services (edca5633). */
const OVERALL_136 =
  BASE_136 +
  `
# svc1
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 meta l4proto tcp dnat ip addr . port to numgen random mod 1 map { 0 : 10.180.0.1 . 80 }

add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
add element ip kube-proxy hairpin-connections { 10.180.0.1 . 10.180.0.1 . tcp . 80 }

# svc2
add chain ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy service-42NFTM6N-ns2/svc2/tcp/p80 meta l4proto tcp dnat ip addr . port to numgen random mod 1 map { 0 : 10.180.0.2 . 80 }
add chain ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 ip saddr 10.0.0.0/8 goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local mark set mark or 0x4000 comment "masquerade local traffic"
add rule ip kube-proxy external-42NFTM6N-ns2/svc2/tcp/p80 fib saddr type local goto service-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit local traffic"

add element ip kube-proxy cluster-ips { 172.30.0.42 }
add element ip kube-proxy service-ips { 172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.22 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-42NFTM6N-ns2/svc2/tcp/p80 }

add element ip kube-proxy no-endpoint-nodeports { tcp . 3001 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 1.2.3.4 . tcp . 80 comment "ns2/svc2:p80" : drop }
add element ip kube-proxy no-endpoint-services { 192.168.99.22 . tcp . 80 comment "ns2/svc2:p80" : drop }

# svc3
add chain ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy service-4AT6LBPK-ns3/svc3/tcp/p80 meta l4proto tcp dnat ip addr . port to numgen random mod 1 map { 0 : 10.180.0.3 . 80 }
add chain ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 mark set mark or 0x4000 comment "masquerade"
add rule ip kube-proxy external-4AT6LBPK-ns3/svc3/tcp/p80 goto service-4AT6LBPK-ns3/svc3/tcp/p80

add element ip kube-proxy cluster-ips { 172.30.0.43 }
add element ip kube-proxy service-ips { 172.30.0.43 . tcp . 80 : goto service-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3003 : goto external-4AT6LBPK-ns3/svc3/tcp/p80 }
add element ip kube-proxy hairpin-connections { 10.180.0.3 . 10.180.0.3 . tcp . 80 }

# svc4
add chain ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 10.180.0.4 . 80 , 1 : 10.180.0.5 . 80 }
add chain ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 mark set mark or 0x4000 comment "masquerade"
add rule ip kube-proxy external-LAUZTJTB-ns4/svc4/tcp/p80 goto service-LAUZTJTB-ns4/svc4/tcp/p80

add element ip kube-proxy cluster-ips { 172.30.0.44 }
add element ip kube-proxy service-ips { 172.30.0.44 . tcp . 80 : goto service-LAUZTJTB-ns4/svc4/tcp/p80 }
add element ip kube-proxy service-ips { 192.168.99.33 . tcp . 80 : goto external-LAUZTJTB-ns4/svc4/tcp/p80 }
add element ip kube-proxy hairpin-connections { 10.180.0.5 . 10.180.0.5 . tcp . 80 }

# svc5
add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 }
add chain ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 mark set mark or 0x4000 comment "masquerade"
add rule ip kube-proxy external-HVFWP5L3-ns5/svc5/tcp/p80 goto service-HVFWP5L3-ns5/svc5/tcp/p80

add chain ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 update @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }
add rule ip kube-proxy endpoint-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 meta l4proto tcp dnat to 10.180.0.3:80

add chain ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80
add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop

add element ip kube-proxy cluster-ips { 172.30.0.45 }
add element ip kube-proxy service-ips { 172.30.0.45 . tcp . 80 : goto service-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy service-nodeports { tcp . 3002 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }
add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }
# 10.180.0.3:80 is already in hairpin-connections, so there is no second element for it.

# svc6
add element ip kube-proxy cluster-ips { 172.30.0.46 }
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
`;

test('v1.36: TestOverallNFTablesRules (proxier_test.go at edca5633) line for line', () => {
  assert.equal(sortTransaction(fakeDump(overallState(true), { profile: v136 })), sortTransaction(OVERALL_136));
});

test('v1.36: the table differs from the v1.34 one (no mark-for-masquerade, no endpoint chains without affinity)', () => {
  const old = fakeDump(overallState(true), { profile: nftProfile('1.34') });
  assert.notEqual(sortTransaction(old), sortTransaction(OVERALL_136));
  const cur = fakeDump(overallState(true), { profile: v136 });
  assert.doesNotMatch(cur, /mark-for-masquerade/);
  assert.doesNotMatch(cur, /endpoint-5OJB2KTY/);
  assert.match(old, /endpoint-5OJB2KTY/);
});

test('v1.36 transaction: setupNFTables order (hairpin set and masquerading rules before cluster-ips), hairpin elements written once', () => {
  const text = renderNftables(overallState(true), { masqueradeMark: '0x4000', profile: v136 }).text;
  const lines = text.trim().split('\n');
  const at = (l: string) => {
    const i = lines.indexOf(l);
    assert.ok(i >= 0, l);
    return i;
  };
  const hairpin = at('add set ip kube-proxy hairpin-connections { type ipv4_addr . ipv4_addr . inet_proto . inet_service ; comment "service hairpin connections" ; }');
  const masq = at('add rule ip kube-proxy masquerading mark and 0x4000 != 0 mark set mark xor 0x4000 masquerade fully-random');
  const clusterIPs = at('add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }');
  const servicesMasq = at('add rule ip kube-proxy services ip daddr @cluster-ips ip saddr != 10.0.0.0/8 mark set mark or 0x4000 comment "masquerade clusterIP traffic from outside cluster"');
  const dispatch = at('add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips');
  assert.ok(hairpin < masq && masq < clusterIPs && servicesMasq < dispatch);
  assert.equal(lines.filter((l) => l === 'add element ip kube-proxy hairpin-connections { 10.180.0.3 . 10.180.0.3 . tcp . 80 }').length, 1, 'svc3 and svc5 share 10.180.0.3:80');
  assert.ok(!lines.some((l) => /mark-for-masquerade/.test(l)));
  const t = parseNft(text);
  assert.deepEqual(t.issues, []);
});

test('map and set elements are written once per key, in every layout (knftables nftElementStorage)', () => {
  const state = fakeState(
    service('ns1', 'multi', { clusterIP: '172.30.0.50', ports: [{ name: 'a', port: 80, protocol: 'TCP' }, { name: 'b', port: 81, protocol: 'TCP' }] }),
    slice('ns1', 'multi', [{ addresses: ['10.180.0.9'], nodeName: 'test-node' }], [{ name: 'a', port: 80, protocol: 'TCP' }, { name: 'b', port: 81, protocol: 'TCP' }]),
  );
  for (const v of ['1.33', '1.35', '1.36']) {
    const lines = renderNftables(state, { profile: nftProfile(v) }).text.split('\n');
    assert.equal(lines.filter((l) => l === 'add element ip kube-proxy cluster-ips { 172.30.0.50 }').length, 1, v);
    assert.equal(lines.filter((l) => l.startsWith('add element ip kube-proxy service-ips { 172.30.0.50 . tcp . ')).length, 2, v);
  }
  const h = renderNftables(state, { profile: v136 }).text.split('\n').filter((l) => l.startsWith('add element ip kube-proxy hairpin-connections'));
  assert.deepEqual(h, ['add element ip kube-proxy hairpin-connections { 10.180.0.9 . 10.180.0.9 . tcp . 80 }', 'add element ip kube-proxy hairpin-connections { 10.180.0.9 . 10.180.0.9 . tcp . 81 }']);
});

test('v1.36 with masqueradeAll, and with local-traffic detection off', () => {
  const all = stateOf(
    docs(
      FAKE_NODE,
      JSON.stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'nftables', nftables: { masqueradeAll: true }, clusterCIDR: '10.0.0.0/8', nodePortAddresses: ['192.168.0.2/32'] }),
      ...svc1(),
    ),
    { serviceCIDRs: ['172.30.0.0/16'] },
  );
  const a = renderNftables(all, { profile: v136 }).text;
  assert.match(a, /^add rule ip kube-proxy services ip daddr @cluster-ips mark set mark or 0x00004000 comment "masquerade all clusterIP traffic"$/m);
  assert.doesNotMatch(a, /masquerade clusterIP traffic from outside cluster/);
  const none = stateOf(
    docs(FAKE_NODE, JSON.stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'nftables', nodePortAddresses: ['192.168.0.2/32'] }), ...svc1()),
    { serviceCIDRs: ['172.30.0.0/16'] },
  );
  const n = renderNftables(none, { profile: v136 }).text;
  assert.doesNotMatch(n, /^add rule ip kube-proxy services ip daddr @cluster-ips/m);
  // Traced: with masqueradeAll a pod's connection is masqueraded, without detection it is not.
  assert.equal(trace(all, '10.0.0.2', '172.30.0.41', 80).masquerade, true);
  assert.equal(trace(none, '192.168.0.2', '172.30.0.41', 80).masquerade, false);
});

test('v1.36 IPv6: ip6 words, a dnat ip6 map of IPv6 addresses, an ipv6_addr hairpin set', () => {
  const state = fakeState(
    service('ns1', 'v6', { clusterIP: 'fd00:10:96::41', ipFamilies: ['IPv6'], ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
    sliceV6('ns1', 'v6', ['fd00:10::1', 'fd00:10::2']),
  );
  const text = renderNftables(state, { family: 'IPv6', profile: v136 }).text;
  assert.match(text, /^add set ip6 kube-proxy hairpin-connections \{ type ipv6_addr \. ipv6_addr \. inet_proto \. inet_service ; comment "service hairpin connections" ; \}$/m);
  assert.match(text, /^add rule ip6 kube-proxy masquerading ct status dnat ip6 saddr \. ip6 daddr \. meta l4proto \. th dport @hairpin-connections masquerade fully-random$/m);
  assert.match(text, / meta l4proto tcp dnat ip6 addr \. port to numgen random mod 2 map \{ 0 : fd00:10::1 \. 80 , 1 : fd00:10::2 \. 80 \}$/m);
  assert.match(text, /^add element ip6 kube-proxy hairpin-connections \{ fd00:10::1 \. fd00:10::1 \. tcp \. 80 \}$/m);
  const rs = parseNft(text);
  assert.deepEqual(rs.issues, []);
  assert.match(listNftTable(rs.tables[0]!), /dnat ip6 to numgen random mod 2 map \{ 0 : fd00:10::1 \. 80, 1 : fd00:10::2 \. 80 \}/);
});

function svc1(): string[] {
  return [
    service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'], nodeName: 'test-node' }], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  ];
}

function sliceV6(ns: string, name: string, ips: string[]): string {
  return JSON.stringify({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `${name}-v6`, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv6',
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'test-node', conditions: { ready: true } })),
    ports: [{ name: 'p80', port: 80, protocol: 'TCP' }],
  });
}

const NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11'];

function trace(state: ClusterState, from: string, to: string, port: number): TraceDetail {
  const rs = parseNft(renderNftables(state, { masqueradeMark: '0x4000', profile: v136 }).text);
  return traceNft(rs, { from, to, port, protocol: 'TCP' }, { source: NODE_IPS.includes(from) ? 'node' : 'pod', localIPs: NODE_IPS, nodeName: 'test-node' });
}

test('v1.36 traces through TestOverallNFTablesRules: the masquerade decisions of the new layout', () => {
  const s = overallState(true);
  // A pod to a ClusterIP: DNAT through the numgen map, no masquerade.
  const pod = trace(s, '10.0.0.2', '172.30.0.44', 80);
  assert.equal(pod.verdict, 'DNAT', pod.explanation);
  assert.deepEqual(pod.endpoints.map((e) => `${e.ip}:${e.port}@${e.probability}`), ['10.180.0.4:80@0.5', '10.180.0.5:80@0.5']);
  assert.equal(pod.masquerade, false);
  // From outside the pod CIDR (the node itself): the inline mark in `services`.
  const node = trace(s, '192.168.0.2', '172.30.0.41', 80);
  assert.equal(node.masquerade, true, node.explanation);
  assert.ok(node.steps.some((st) => st.chain === 'services' && /masquerade clusterIP traffic from outside cluster/.test(st.rule)));
  // A local endpoint reaching itself through its Service: masqueraded by the hairpin set.
  const self = trace(s, '10.180.0.5', '172.30.0.44', 80);
  const back = self.branches.find((b) => b.dnat?.ip === '10.180.0.5');
  const other = self.branches.find((b) => b.dnat?.ip === '10.180.0.4');
  assert.equal(back?.masquerade, true, JSON.stringify(self.branches));
  assert.equal(other?.masquerade, false);
  // An endpoint on another node (10.180.0.4) is not in the hairpin set: its own hairpin is left to its node.
  const remote = trace(s, '10.180.0.4', '172.30.0.44', 80).branches.find((b) => b.dnat?.ip === '10.180.0.4');
  assert.equal(remote?.masquerade, false);
  // External traffic to a Cluster-policy NodePort: masqueraded by the external chain's inline mark.
  const np = trace(s, '203.0.113.2', '192.168.0.2', 3003);
  assert.equal(np.verdict, 'DNAT', np.explanation);
  assert.deepEqual(np.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.180.0.3:80']);
  assert.equal(np.masquerade, true);
  // eTP Local without a local endpoint: external traffic dropped, the node's own connection short-circuited and masqueraded.
  assert.equal(trace(s, '203.0.113.2', '1.2.3.4', 80).verdict, 'DROP');
  const lbFromNode = trace(s, '192.168.0.2', '1.2.3.4', 80);
  assert.equal(lbFromNode.verdict, 'DNAT', lbFromNode.explanation);
  assert.equal(lbFromNode.masquerade, true);
  // Source ranges and affinity: a blocked client is dropped, an allowed one reaches the endpoint chain's DNAT.
  assert.equal(trace(s, '203.0.113.130', '5.6.7.8', 80).verdict, 'DROP');
  const lb = trace(s, '203.0.113.2', '5.6.7.8', 80);
  assert.equal(lb.verdict, 'DNAT', lb.explanation);
  assert.deepEqual(lb.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.180.0.3:80']);
  // No endpoints: REJECT.
  assert.equal(trace(s, '10.0.0.2', '172.30.0.46', 80).verdict, 'REJECT');
});

test('v1.36: the nft list view parses back to the same rules and traces the same', () => {
  const text = renderNftables(overallState(true), { masqueradeMark: '0x4000', profile: v136 }).text;
  const first = parseNft(text);
  const listed = listNftTable(first.tables[0]!);
  const again = parseNft(listed);
  assert.deepEqual(again.issues, []);
  const d = diffNftRules(first, again);
  assert.deepEqual([d.missing, d.extra, d.stale, d.missingChains, d.extraChains], [[], [], [], [], []]);
  assert.match(listed, /\tchain masquerading \{\n\t\tmeta mark & 0x00004000 != 0x00000000 meta mark set meta mark \^ 0x00004000 masquerade fully-random\n\t\tct status dnat ip saddr \. ip daddr \. meta l4proto \. th dport @hairpin-connections masquerade fully-random\n\t\}/);
  assert.match(listed, /meta l4proto tcp dnat ip to numgen random mod 2 map \{ 0 : 10\.180\.0\.4 \. 80, 1 : 10\.180\.0\.5 \. 80 \}/);
  for (const [from, to, port] of [['10.180.0.5', '172.30.0.44', 80], ['192.168.0.2', '172.30.0.41', 80], ['203.0.113.2', '192.168.0.2', 3003]] as const) {
    const opts = { source: NODE_IPS.includes(from) ? ('node' as const) : ('pod' as const), localIPs: NODE_IPS, nodeName: 'test-node' };
    const a = traceNft(first, { from, to, port, protocol: 'TCP' }, opts);
    const b = traceNft(again, { from, to, port, protocol: 'TCP' }, opts);
    assert.deepEqual([b.verdict, b.masquerade, b.endpoints], [a.verdict, a.masquerade, a.endpoints], `${from} -> ${to}:${port}`);
  }
});

test('a 1.37 node (single-endpoint Services DNATed directly, #140723) is read, told apart from 1.36 and traced', () => {
  const listed = listNftTable(parseNft(renderNftables(overallState(true), { masqueradeMark: '0x4000', profile: v136 }).text).tables[0]!);
  // What 1.37 writes instead of a one-slot numgen map (pkg/proxy/nftables/proxier.go at 736e3b68).
  const v137 = listed.replace(/dnat ip to numgen random mod 1 map \{ 0 : (\S+) \. (\d+) \}/g, 'dnat to $1:$2');
  assert.notEqual(v137, listed);
  const rs = parseNft(v137);
  assert.deepEqual(rs.issues, []);
  assert.equal(nftLayoutOf(rs, 'ip')?.id, '1.37+');
  const opts = { source: 'pod' as const, localIPs: NODE_IPS, nodeName: 'test-node' };
  const self = traceNft(rs, { from: '10.180.0.1', to: '172.30.0.41', port: 80, protocol: 'TCP' }, opts);
  assert.equal(self.verdict, 'DNAT', self.explanation);
  assert.deepEqual(self.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.180.0.1:80']);
  assert.equal(self.masquerade, true, 'hairpin through the direct DNAT');
  const pod = traceNft(rs, { from: '10.0.0.2', to: '172.30.0.41', port: 80, protocol: 'TCP' }, opts);
  assert.equal(pod.masquerade, false);
  // Compared with the rendered 1.36 table, only the single-endpoint service chains differ.
  const d = diffNftRules(parseNft(listed), rs);
  const changed = [...d.missing, ...d.extra].map((x) => x.chain).sort();
  assert.ok(changed.length > 0 && changed.every((c) => c.startsWith('service-')), JSON.stringify(changed));
});
