/** nftables layouts per kube-proxy release (--kube-proxy-version): names, priorities, the rules that differ, traces. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffNftRules, listNftTable, nftLayoutOf, nftProfile, parseNft, renderNftables, RulesRequestError, traceNft, type ClusterState, type NftProfile, type TraceDetail } from '../../src/core';
import { docs, service, slice, stateOf } from './proxy-helpers';
import { FAKE_NODE, fakeDump, fakeState, sortTransaction } from './proxy-nft-helpers';

const NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11'];
const v131 = nftProfile('1.31');
const v134 = nftProfile('1.34');

/** setupNFTables of proxier.go before kubernetes #132456 and #131492, as the fake's Dump() lists it. */
const BASE_131 = `
add table ip kube-proxy { comment "rules for kube-proxy" ; }
add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add set ip kube-proxy nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }
add map ip kube-proxy firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }
add map ip kube-proxy no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
add chain ip kube-proxy cluster-ips-check
add chain ip kube-proxy filter-prerouting { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-input { type filter hook input priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority -110 ; }
add chain ip kube-proxy filter-output { type filter hook output priority -110 ; }
add chain ip kube-proxy filter-output-post-dnat { type filter hook output priority -90 ; }
add chain ip kube-proxy firewall-check
add chain ip kube-proxy mark-for-masquerade
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
add rule ip kube-proxy filter-prerouting ct state new jump firewall-check
add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check
add rule ip kube-proxy filter-forward ct state new jump cluster-ips-check
add rule ip kube-proxy filter-input ct state new jump nodeport-endpoints-check
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump service-endpoints-check
add rule ip kube-proxy filter-output ct state new jump firewall-check
add rule ip kube-proxy filter-output-post-dnat ct state new jump cluster-ips-check
add rule ip kube-proxy firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x4000
add rule ip kube-proxy masquerading masquerade fully-random
add rule ip kube-proxy nat-output jump services
add rule ip kube-proxy nat-postrouting jump masquerading
add rule ip kube-proxy nat-prerouting jump services
add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports
add rule ip kube-proxy reject-chain reject
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
add element ip kube-proxy nodeport-ips { 192.168.0.2 }
add rule ip kube-proxy service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services
`;

/** TestOverallNFTablesRules' svc1 (ClusterIP, one endpoint) under the v1.31-v1.33 rules. */
const SVC1_131 = `
add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }
add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80
add element ip kube-proxy cluster-ips { 172.30.0.41 }
add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
`;

function svc1State(): ClusterState {
  return fakeState(
    service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  );
}

test('nftProfile: versions map to layouts; unmodelled releases are refused with what is known', () => {
  // No version: the newest modelled layout (the cluster's version is resolved before this, see proxyVersion.ts).
  assert.equal(nftProfile().id, 'v1.36');
  assert.equal(nftProfile('  ').id, 'v1.36');
  assert.equal(nftProfile('1.35').id, 'v1.34-v1.35');
  assert.equal(nftProfile('v1.34.2').id, 'v1.34-v1.35');
  for (const v of ['1.31', 'v1.32.5', '1.33.0']) assert.equal(nftProfile(v).id, 'v1.31-v1.33', v);
  for (const v of ['1.36', 'v1.36.2', '1.36.0']) assert.equal(nftProfile(v).id, 'v1.36', v);
  const refused: [string, RegExp][] = [
    ['1.28', /1\.28 has no nftables mode \(it arrived as alpha in 1\.29\)/],
    ['1.29', /1\.29's nftables mode \(alpha\)/],
    ['v1.30.1', /1\.30's nftables mode \(alpha\)/],
    ['1.37.2', /1\.37's nftables rules are not modelled: .*#140723.*#138427 \(KubeProxyNFTablesLocalhostNodePorts/],
    ['v1.38.0', /1\.38's nftables rules are not modelled: the newest release we have evidence for is 1\.37/],
    ['latest', /must look like 1\.34 or v1\.34\.2 \(got "latest"\); modelled nftables layouts: v1\.31-v1\.33, v1\.34-v1\.35, v1\.36/],
    ['2.1', /must look like/],
  ];
  for (const [v, re] of refused) {
    assert.throws(() => nftProfile(v), (e: unknown) => e instanceof RulesRequestError && re.test(e.message), v);
  }
  // A hostile version string is cut in the message, not echoed whole.
  assert.throws(() => nftProfile('x'.repeat(10000)), (e: unknown) => e instanceof Error && e.message.length < 400);
});

test('v1.34-v1.35: the TestOverallNFTablesRules base (proxier_test.go after #131492/#132456) for 1.34 and 1.35.x alike', () => {
  const expected = fakeDump(svc1State(), { profile: nftProfile('1.35') });
  assert.notEqual(fakeDump(svc1State()), expected, 'the default layout is 1.36 now');
  for (const v of ['1.34', '1.35.3']) assert.equal(fakeDump(svc1State(), { profile: nftProfile(v) }), expected);
  assert.match(expected, /^add chain ip kube-proxy filter-prerouting-pre-dnat \{ type filter hook prerouting priority -110 ; \}$/m);
  assert.match(expected, /^add rule ip kube-proxy service-ULMVA6XW-ns1\/svc1\/tcp\/p80 ip daddr 172\.30\.0\.41 ip saddr != 10\.0\.0\.0\/8 jump mark-for-masquerade$/m);
});

test('v1.31-v1.33: every filter chain at -110, cluster-ips-check from filter-output-post-dnat, the port in the ClusterIP masquerade rule', () => {
  assert.equal(sortTransaction(fakeDump(svc1State(), { profile: v131 })), sortTransaction(BASE_131 + SVC1_131));
  // The transaction itself: first-sync add+delete of the old layout's base chains, in upstream's order.
  const lines = renderNftables(svc1State(), { masqueradeMark: '0x4000', profile: v131 }).text.split('\n');
  const recreated = lines.filter((l) => /^delete chain /.test(l)).map((l) => l.split(' ')[4]);
  assert.deepEqual(recreated, ['filter-prerouting', 'filter-input', 'filter-forward', 'filter-output', 'filter-output-post-dnat', 'nat-prerouting', 'nat-output', 'nat-postrouting']);
  assert.ok(!lines.some((l) => l.includes('pre-dnat')));
});

test('v1.31-v1.33 with masqueradeAll: the port is matched too', () => {
  const config = JSON.stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'nftables', nftables: { masqueradeAll: true }, nodePortAddresses: ['192.168.0.2/32'] });
  const state = stateOf(
    docs(
      FAKE_NODE,
      config,
      service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p53', port: 53, protocol: 'UDP' }] }),
      slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }], [{ name: 'p53', port: 53, protocol: 'UDP' }]),
    ),
    { serviceCIDRs: ['172.30.0.0/16'] },
  );
  const old = renderNftables(state, { profile: v131 }).text;
  const cur = renderNftables(state, { profile: v134 }).text;
  assert.match(old, /^add rule ip kube-proxy service-\S+ ip daddr 172\.30\.0\.41 udp dport 53 jump mark-for-masquerade$/m);
  assert.match(cur, /^add rule ip kube-proxy service-\S+ ip daddr 172\.30\.0\.41 jump mark-for-masquerade$/m);
});

function trace(state: ClusterState, profile: NftProfile, from: string, to: string, port: number): TraceDetail {
  const rs = parseNft(renderNftables(state, { masqueradeMark: '0x4000', profile }).text);
  return traceNft(rs, { from, to, port, protocol: 'TCP' }, { source: NODE_IPS.includes(from) ? 'node' : 'pod', localIPs: NODE_IPS, nodeName: 'test-node' });
}

test('traces through each layout: DNAT, masquerade from outside the pod CIDR, REJECT on a wrong port, DROP off-allocation', () => {
  for (const p of [v131, v134]) {
    const off = trace(svc1State(), p, '192.168.0.2', '172.30.0.41', 80);
    assert.equal(off.verdict, 'DNAT', `${p.id}: ${off.explanation}`);
    assert.deepEqual(off.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.180.0.1:80']);
    assert.equal(off.masquerade, true, p.id);
    const pod = trace(svc1State(), p, '10.0.0.2', '172.30.0.41', 80);
    assert.equal(pod.masquerade, false, p.id);
    assert.equal(trace(svc1State(), p, '10.0.0.2', '172.30.0.41', 81).verdict, 'REJECT', p.id);
    assert.equal(trace(svc1State(), p, '192.168.0.2', '172.30.0.41', 81).verdict, 'REJECT', `${p.id}: node-originated, cluster-ips-check on output`);
    assert.equal(trace(svc1State(), p, '10.0.0.2', '172.30.0.99', 80).verdict, 'DROP', p.id);
  }
  // The v1.31 trace passes the filter chains of that release.
  const steps = trace(svc1State(), v131, '192.168.0.2', '172.30.0.41', 81).steps.map((s) => s.chain);
  assert.ok(steps.includes('filter-output-post-dnat'), steps.join(' '));
  const masq = trace(svc1State(), v131, '192.168.0.2', '172.30.0.41', 80).steps.find((s) => s.rule.includes('tcp dport 80'));
  assert.ok(masq, 'the masquerade rule with the port is the one that matched');
});

test('kubernetes #131765: before v1.34 node traffic to a Local-policy LB IP without local endpoints was dropped pre-DNAT', () => {
  const state = fakeState(
    service(
      'ns1',
      'svc1',
      { type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }] },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    ),
    slice('ns1', 'svc1', [{ addresses: ['10.180.2.1'], nodeName: 'host2' }], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  );
  const before = trace(state, v131, '192.168.0.2', '1.2.3.4', 80);
  assert.equal(before.verdict, 'DROP', before.explanation);
  assert.ok(before.steps.some((s) => s.chain === 'service-endpoints-check'));
  assert.match(before.explanation, /The check ran before DNAT on the output hook, as kube-proxy before 1\.34 does.*#131765/);
  // internalTrafficPolicy Local without a local endpoint: the node's own connection to the ClusterIP is
  // dropped in 1.34 too, after nat-output, and gets no note.
  const itp = fakeState(
    service('ns1', 'svc2', { internalTrafficPolicy: 'Local', clusterIP: '172.30.0.42', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
    slice('ns1', 'svc2', [{ addresses: ['10.180.2.1'], nodeName: 'host2' }], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  );
  const itpNow = trace(itp, v134, '192.168.0.2', '172.30.0.42', 80);
  assert.equal(itpNow.verdict, 'DROP', itpNow.explanation);
  assert.doesNotMatch(itpNow.explanation, /#131765/);
  // Traffic from outside is dropped for the plain reason, without the note.
  assert.doesNotMatch(trace(state, v131, '203.0.113.2', '1.2.3.4', 80).explanation, /#131765/);
  const after = trace(state, v134, '192.168.0.2', '1.2.3.4', 80);
  assert.equal(after.verdict, 'DNAT', after.explanation);
  assert.equal(after.masquerade, true);
  // From outside, both releases drop (no local endpoint).
  for (const p of [v131, v134]) assert.equal(trace(state, p, '203.0.113.2', '1.2.3.4', 80).verdict, 'DROP', p.id);
});

test('the nft list view of each layout parses back to the same rules and lists priorities as nft does', () => {
  for (const p of [v131, v134]) {
    const text = renderNftables(svc1State(), { profile: p }).text;
    const first = parseNft(text);
    assert.deepEqual(first.issues, [], p.id);
    const listed = listNftTable(first.tables[0]!);
    const again = parseNft(listed);
    assert.deepEqual(again.issues, [], p.id);
    const d = diffNftRules(first, again);
    assert.deepEqual([d.missing, d.extra, d.stale, d.missingChains, d.extraChains], [[], [], [], [], []], p.id);
    const hooks = (rs: typeof first) => [...rs.tables[0]!.chains.values()].filter((c) => c.hook).map((c) => `${c.name} ${c.hook} ${c.priority}`);
    assert.deepEqual(hooks(again), hooks(first), p.id);
    assert.deepEqual(hooks(first), p.baseChains.map((b) => `${b.name} ${b.hook} ${b.priority}`), p.id);
    // Traced the same way from either form.
    for (const rs of [first, again]) {
      const t = traceNft(rs, { from: '192.168.0.2', to: '172.30.0.41', port: 80, protocol: 'TCP' }, { source: 'node', localIPs: NODE_IPS, nodeName: 'test-node' });
      assert.equal(t.verdict, 'DNAT', p.id);
      assert.equal(t.masquerade, true, p.id);
    }
    if (p === v131) {
      assert.match(listed, /chain filter-input \{\n\t\ttype filter hook input priority -110; policy accept;/);
      assert.match(listed, /chain filter-output-post-dnat \{\n\t\ttype filter hook output priority -90; policy accept;/);
      assert.match(listed, /chain filter-prerouting \{\n\t\ttype filter hook prerouting priority dstnat - 10; policy accept;/);
      assert.match(listed, /ip daddr 172\.30\.0\.41 tcp dport 80 ip saddr != 10\.0\.0\.0\/8 jump mark-for-masquerade/);
    }
  }
});

test('nftLayoutOf tells a node\'s layout from the base chains only one release has', () => {
  const of = (p: NftProfile) => nftLayoutOf(parseNft(renderNftables(svc1State(), { profile: p }).text), 'ip');
  assert.deepEqual(of(v131), { id: 'v1.31-v1.33', evidence: 'base chain filter-prerouting at prerouting priority -110', version: '1.33' });
  assert.deepEqual(of(v134), { id: 'v1.34-v1.35', evidence: 'base chain filter-prerouting-pre-dnat at prerouting priority -110', version: '1.35' });
  // Listed by nft (priorities by name) it is told the same way.
  const listed = parseNft(listNftTable(parseNft(renderNftables(svc1State(), { profile: v131 }).text).tables[0]!));
  assert.equal(nftLayoutOf(listed, 'ip')?.id, 'v1.31-v1.33');
  const v136 = parseNft('table ip kube-proxy {\n\tchain masquerading {\n\t\tmasquerade fully-random\n\t}\n}\n');
  assert.deepEqual(nftLayoutOf(v136, 'ip'), { id: 'v1.36', evidence: 'no mark-for-masquerade chain, no single-endpoint dnat', version: '1.36' });
  assert.equal(nftLayoutOf(v136, 'ip6'), undefined);
  // The rendered 1.36 table is told as 1.36; a single-endpoint Service DNATed directly (1.37, #140723) is not.
  const rendered136 = parseNft(renderNftables(svc1State(), { profile: nftProfile('1.36') }).text);
  assert.deepEqual(nftLayoutOf(rendered136, 'ip'), { id: 'v1.36', evidence: 'set hairpin-connections, no single-endpoint dnat', version: '1.36' });
  const v137 = parseNft(
    'table ip kube-proxy {\n\tset hairpin-connections {\n\t\ttype ipv4_addr . ipv4_addr . inet_proto . inet_service\n\t}\n\tchain service-ULMVA6XW-ns1/svc1/tcp/p80 {\n\t\tmeta l4proto tcp dnat to 10.180.0.1:80\n\t}\n}\n',
  );
  assert.deepEqual(nftLayoutOf(v137, 'ip'), { id: '1.37+', evidence: 'a direct dnat in service-ULMVA6XW-ns1/svc1/tcp/p80' });
  assert.equal(nftLayoutOf(parseNft('table ip kube-proxy {\n\tchain services {\n\t}\n}\n'), 'ip'), undefined);
});
