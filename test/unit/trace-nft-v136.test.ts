/**
 * A kube-proxy 1.36+ node's `nft list table ip kube-proxy` (the layout we do not render: no
 * mark-for-masquerade chain, the masquerade mark set inline, DNAT from a numgen map in the service chain,
 * a hairpin-connections set) is parsed, listed, diffed and traced. Addresses and names are ours; the
 * statement forms are those a v1.36.2 node lists.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffNftRules, listNftTable, parseNft, traceNft, type TraceDetail } from '../../src/core';

const NODE = '192.168.5.10';
const LISTING = `table ip kube-proxy {
	comment "rules for kube-proxy"
	set hairpin-connections {
		type ipv4_addr . ipv4_addr . inet_proto . inet_service
		comment "service hairpin connections"
		elements = { 10.244.1.4 . 10.244.1.4 . tcp . 8080,
			     10.244.1.7 . 10.244.1.7 . tcp . 8080 }
	}

	set cluster-ips {
		type ipv4_addr
		comment "Active ClusterIPs"
		elements = { 10.96.40.7 }
	}

	set nodeport-ips {
		type ipv4_addr
		comment "IPs that accept NodePort traffic"
		elements = { ${NODE} }
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
		elements = { 10.96.40.7 . tcp . 80 : goto service-ABCDEFGH-shop/web/tcp/http }
	}

	map service-nodeports {
		type inet_proto . inet_service : verdict
		comment "NodePort traffic"
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}

	chain services {
		ip daddr @cluster-ips ip saddr != 10.244.0.0/16 meta mark set meta mark | 0x00004000 comment "masquerade clusterIP traffic from outside cluster"
		ip daddr . meta l4proto . th dport vmap @service-ips
		ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports
	}

	chain masquerading {
		meta mark & 0x00004000 != 0x00000000 meta mark set meta mark ^ 0x00004000 masquerade fully-random
		ct status dnat ip saddr . ip daddr . meta l4proto . th dport @hairpin-connections masquerade fully-random
	}

	chain service-ABCDEFGH-shop/web/tcp/http {
		meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.244.1.4 . 8080, 1 : 10.244.1.7 . 8080 }
	}
}
`;

const ctx = (from: string) => ({ source: from === NODE ? ('node' as const) : ('pod' as const), localIPs: [NODE] });
const run = (rs: ReturnType<typeof parseNft>, from: string, port = 80): TraceDetail => traceNft(rs, { from, to: '10.96.40.7', port, protocol: 'TCP' }, ctx(from));

test('v1.36 listing: the inline mark, the dnat map and the hairpin set parse with no unknown statements', () => {
  const rs = parseNft(LISTING);
  assert.deepEqual(rs.issues, []);
  const t = rs.tables[0]!;
  const dnat = t.chains.get('service-ABCDEFGH-shop/web/tcp/http')!.rules[0]!.statements;
  assert.deepEqual(dnat[1], { kind: 'dnat-map', keys: ['numgen random mod 2'], entries: [{ key: ['0'], value: '10.244.1.4 . 8080' }, { key: ['1'], value: '10.244.1.7 . 8080' }] });
  const masq = t.chains.get('masquerading')!.rules.map((r) => r.statements.map((s) => s.kind));
  assert.deepEqual(masq, [
    ['match', 'mark-set', 'masquerade'],
    ['match', 'match', 'masquerade'],
  ]);
  assert.equal(t.sets.get('hairpin-connections')!.elements.length, 2);
});

test('v1.36 listing: traces fan out over the dnat map; the inline mark masquerades traffic from outside the pod CIDR', () => {
  const rs = parseNft(LISTING);
  const pod = run(rs, '10.244.2.9');
  assert.equal(pod.verdict, 'DNAT', pod.explanation);
  assert.deepEqual(pod.endpoints.map((e) => `${e.ip}:${e.port}@${e.probability}`), ['10.244.1.4:8080@0.5', '10.244.1.7:8080@0.5']);
  assert.equal(pod.masquerade, false);
  const node = run(rs, NODE);
  assert.equal(node.verdict, 'DNAT', node.explanation);
  assert.equal(node.masquerade, true);
  assert.ok(node.steps.some((s) => s.chain === 'services' && /mark 0x0 -> 0x4000/.test(s.effect)), JSON.stringify(node.steps));
  // A port the Service does not have: no service-ips entry, nothing happens in these chains.
  assert.equal(run(rs, '10.244.2.9', 81).verdict, 'NONE');
});

test('v1.36 listing: a pod reaching itself through the Service is masqueraded by the hairpin set, its peer is not', () => {
  const rs = parseNft(LISTING);
  const self = run(rs, '10.244.1.4');
  assert.equal(self.verdict, 'DNAT');
  const branches = self.branches;
  const back = branches.find((b) => b.dnat?.ip === '10.244.1.4');
  const peer = branches.find((b) => b.dnat?.ip === '10.244.1.7');
  assert.ok(back && peer, JSON.stringify(branches));
  assert.equal(back.masquerade, true, 'hairpin: back to the sender');
  assert.equal(peer.masquerade, false);
});

test('v1.36 listing: the nft list view round-trips; a dnat map that changed is a difference, slot order is not', () => {
  const rs = parseNft(LISTING);
  const again = parseNft(listNftTable(rs.tables[0]!));
  assert.deepEqual(again.issues, []);
  const same = diffNftRules(rs, again);
  assert.deepEqual([same.missing, same.extra, same.stale], [[], [], []]);
  const swapped = parseNft(LISTING.replace('{ 0 : 10.244.1.4 . 8080, 1 : 10.244.1.7 . 8080 }', '{ 0 : 10.244.1.7 . 8080, 1 : 10.244.1.4 . 8080 }'));
  const d0 = diffNftRules(rs, swapped);
  assert.deepEqual([d0.missing, d0.extra], [[], []]);
  const moved = parseNft(LISTING.replace('1 : 10.244.1.7 . 8080', '1 : 10.244.1.9 . 8080'));
  const d1 = diffNftRules(rs, moved);
  assert.equal(d1.missing.length + d1.extra.length + d1.stale.length > 0, true);
});

test('dnat maps that are not numgen fan-outs or hold unreadable entries are reported, never thrown', () => {
  const odd = LISTING.replace('dnat ip to numgen random mod 2 map { 0 : 10.244.1.4 . 8080, 1 : 10.244.1.7 . 8080 }', 'dnat ip to numgen random mod 3 map { 0 : 10.244.1.4 . 8080, 1 : not-an-ip . 8080 }');
  const rs = parseNft(odd);
  const d = run(rs, '10.244.2.9');
  assert.deepEqual(d.endpoints.map((e) => e.ip), ['10.244.1.4']);
  assert.ok(d.warnings.some((w) => /not an address \. port/.test(w)), JSON.stringify(d.warnings));
  const keyed = parseNft(LISTING.replace('dnat ip to numgen random mod 2 map', 'dnat ip to ip saddr map'));
  const k = run(keyed, '10.244.2.9');
  assert.ok(k.warnings.some((w) => /only modelled with a numgen key/.test(w)), JSON.stringify(k.warnings));
});

test('v1.36 listing, IPv6: dnat ip6 to a numgen map of IPv6 addresses', () => {
  const v6 = `table ip6 kube-proxy {
	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}

	chain services {
		ip6 daddr fd00:10:96::7 tcp dport 80 goto svc
	}

	chain svc {
		meta l4proto tcp dnat ip6 to numgen random mod 2 map { 0 : fd00:10:244::4 . 8080, 1 : fd00:10:244::7 . 8080 }
	}
}
`;
  const rs = parseNft(v6);
  assert.deepEqual(rs.issues, []);
  const d = traceNft(rs, { from: 'fd00:10:244::9', to: 'fd00:10:96::7', port: 80, protocol: 'TCP' }, { source: 'node', localIPs: ['fd00:10:244::9'] });
  assert.equal(d.verdict, 'DNAT');
  assert.deepEqual(d.endpoints.map((e) => `[${e.ip}]:${e.port}`), ['[fd00:10:244::4]:8080', '[fd00:10:244::7]:8080']);
  assert.match(listNftTable(rs.tables[0]!), /dnat ip6 to numgen random mod 2 map \{ 0 : fd00:10:244::4 \. 8080, 1 : fd00:10:244::7 \. 8080 \}/);
});
