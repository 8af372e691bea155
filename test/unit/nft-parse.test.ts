import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectNftForm, parseDuration, parseNft, parsePriority, RulesParseError } from '../../src/core';

const LISTING = `table ip kube-proxy {
	comment "rules for kube-proxy"
	set cluster-ips {
		type ipv4_addr
		comment "Active ClusterIPs"
		elements = { 172.30.0.41, 172.30.0.42 }
	}
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
		elements = { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80,
			     172.30.0.42 . tcp . 80 : goto service-42NFTM6N-ns2/svc2/tcp/p80 }
	}
	map no-endpoint-services {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
	}
	set affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		timeout 3h
	}
	chain filter-prerouting-pre-dnat {
		type filter hook prerouting priority dstnat - 10; policy accept;
		ct state new jump firewall-check
	}
	chain nat-postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		jump masquerading
	}
	chain masquerading {
		meta mark & 0x00004000 == 0x00000000 return
		meta mark set meta mark ^ 0x00004000
		masquerade fully-random
	}
	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
		ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports # handle 12
	}
	chain service-ULMVA6XW-ns1/svc1/tcp/p80 {
		ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade
		numgen random mod 2 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80, 1 : goto endpoint-X-ns1/svc1/tcp/p80__10.180.0.2/80 }
	}
	chain endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 {
		ip saddr 10.180.0.1 jump mark-for-masquerade
		update @affinity-x { ip saddr }
		meta l4proto tcp dnat to 10.180.0.1:80
	}
	chain cluster-ips-check {
		ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"
		ip daddr { 172.30.0.0/16 } drop comment "Drop traffic to unallocated ClusterIPs"
		log prefix "x" counter packets 3 bytes 180 drop
	}
}
`;

test('reads `nft list ruleset` output: tables, base chains, sets, maps, elements, rules', () => {
  const rs = parseNft(LISTING);
  assert.equal(rs.form, 'ruleset');
  const t = rs.tables[0]!;
  assert.deepEqual([t.family, t.name, t.comment], ['ip', 'kube-proxy', 'rules for kube-proxy']);
  const pre = t.chains.get('filter-prerouting-pre-dnat')!;
  assert.deepEqual([pre.type, pre.hook, pre.priority, pre.policy], ['filter', 'prerouting', -110, 'accept']);
  assert.equal(t.chains.get('nat-postrouting')!.priority, 100);
  assert.deepEqual(t.sets.get('cluster-ips')!.elements.map((e) => e.key), [['172.30.0.41'], ['172.30.0.42']]);
  const sips = t.sets.get('service-ips')!;
  assert.equal(sips.kind, 'map');
  assert.deepEqual(sips.elements[1], { key: ['172.30.0.42', 'tcp', '80'], value: 'goto service-42NFTM6N-ns2/svc2/tcp/p80' });
  assert.deepEqual(t.sets.get('no-endpoint-services')!.elements[0], { key: ['172.30.0.46', 'tcp', '80'], value: 'goto reject-chain', comment: 'ns6/svc6:p80' });
  const aff = t.sets.get('affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80')!;
  assert.deepEqual([aff.flags, aff.timeout], [['dynamic', 'timeout'], 10800]);
});

test('parses rule statements: lookups, vmaps, numgen, marks, dnat, masquerade, update, comments', () => {
  const t = parseNft(LISTING).tables[0]!;
  const svc = t.chains.get('service-ULMVA6XW-ns1/svc1/tcp/p80')!.rules;
  assert.deepEqual(svc[0]!.statements, [
    { kind: 'match', keys: ['ip daddr'], op: '==', value: { kind: 'value', text: '172.30.0.41' } },
    { kind: 'match', keys: ['ip saddr'], op: '!=', value: { kind: 'value', text: '10.0.0.0/8' } },
    { kind: 'verdict', verdict: 'jump', target: 'mark-for-masquerade' },
  ]);
  assert.deepEqual(svc[1]!.statements[0], {
    kind: 'vmap',
    keys: ['numgen random mod 2'],
    map: {
      kind: 'map',
      entries: [
        { key: ['0'], value: 'goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80' },
        { key: ['1'], value: 'goto endpoint-X-ns1/svc1/tcp/p80__10.180.0.2/80' },
      ],
    },
  });
  const services = t.chains.get('services')!.rules;
  assert.deepEqual(services[0]!.statements, [{ kind: 'vmap', keys: ['ip daddr', 'meta l4proto', 'th dport'], map: { kind: 'ref', name: 'service-ips' } }]);
  assert.equal(services[1]!.handle, 12);
  assert.deepEqual(services[1]!.statements[0], { kind: 'match', keys: ['ip daddr'], op: '==', value: { kind: 'ref', name: 'nodeport-ips' } });
  const masq = t.chains.get('masquerading')!.rules;
  assert.deepEqual(masq[0]!.statements, [
    { kind: 'match', keys: ['mark'], mask: '0x00004000', op: '==', value: { kind: 'value', text: '0x00000000' } },
    { kind: 'verdict', verdict: 'return' },
  ]);
  assert.deepEqual(masq[1]!.statements, [{ kind: 'mark-set', op: 'xor', value: '0x00004000' }]);
  assert.deepEqual(masq[2]!.statements, [{ kind: 'masquerade', flags: ['fully-random'] }]);
  const ep = t.chains.get('endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80')!.rules;
  assert.deepEqual(ep[1]!.statements, [{ kind: 'update', set: 'affinity-x', keys: ['ip saddr'] }]);
  assert.deepEqual(ep[2]!.statements, [
    { kind: 'match', keys: ['meta l4proto'], op: '==', value: { kind: 'value', text: 'tcp' } },
    { kind: 'dnat', addr: '10.180.0.1', port: 80 },
  ]);
  const check = t.chains.get('cluster-ips-check')!.rules;
  assert.equal(check[0]!.comment, 'Reject traffic to invalid ports of ClusterIPs');
  assert.deepEqual(check[1]!.statements[0], { kind: 'match', keys: ['ip daddr'], op: '==', value: { kind: 'set', items: ['172.30.0.0/16'] } });
});

test('keeps unknown statements as opaque text with a warning carrying the line number', () => {
  const rs = parseNft(LISTING);
  const rule = rs.tables[0]!.chains.get('cluster-ips-check')!.rules[2]!;
  assert.deepEqual(rule.statements, [{ kind: 'opaque', text: 'log prefix "x"' }, { kind: 'counter' }, { kind: 'verdict', verdict: 'drop' }]);
  const lineNo = LISTING.split('\n').findIndex((l) => l.includes('log prefix')) + 1;
  assert.deepEqual(rs.issues, [{ line: lineNo, severity: 'warning', message: 'statement not understood, kept as text: log prefix "x"' }]);
});

const TX = `add table ip kube-proxy { comment "rules for kube-proxy" ; }
add chain ip kube-proxy filter-input { type filter hook input priority 0 ; }
add chain ip kube-proxy reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }
add chain ip kube-proxy stale
add rule ip kube-proxy stale drop
add map ip kube-proxy no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "x" ; }
add set ip kube-proxy affinity-a { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }
add rule ip kube-proxy filter-input ct state new jump service-endpoints-check
add rule ip kube-proxy reject-chain reject
add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }
add element ip kube-proxy no-endpoint-services { 172.30.0.47 . udp . 53 : drop }
delete element ip kube-proxy no-endpoint-services { 172.30.0.47 . udp . 53 }
flush chain ip kube-proxy stale
delete chain ip kube-proxy stale
`;

test('applies a kube-proxy transaction: add, flush and delete of chains, rules, sets and elements', () => {
  assert.equal(detectNftForm(TX), 'transaction');
  const rs = parseNft(TX);
  const t = rs.tables[0]!;
  assert.equal(t.comment, 'rules for kube-proxy');
  assert.equal(t.chains.has('stale'), false);
  assert.deepEqual([t.chains.get('filter-input')!.hook, t.chains.get('filter-input')!.priority], ['input', 0]);
  assert.equal(t.chains.get('reject-chain')!.comment, 'helper for @no-endpoint-services / @no-endpoint-nodeports');
  assert.deepEqual(t.chains.get('filter-input')!.rules[0]!.statements, [
    { kind: 'match', keys: ['ct state'], op: '==', value: { kind: 'value', text: 'new' } },
    { kind: 'verdict', verdict: 'jump', target: 'service-endpoints-check' },
  ]);
  assert.deepEqual(t.sets.get('no-endpoint-services')!.elements, [{ key: ['172.30.0.46', 'tcp', '80'], value: 'goto reject-chain', comment: 'ns6/svc6:p80' }]);
  assert.deepEqual([t.sets.get('affinity-a')!.flags, t.sets.get('affinity-a')!.timeout], [['dynamic', 'timeout'], 10800]);
  assert.deepEqual(rs.issues, []);
});

test('clear errors with line numbers for broken input', () => {
  assert.throws(() => parseNft('hello world\n'), (e: unknown) => e instanceof RulesParseError && e.line === 1 && /not nftables text/.test(e.message));
  assert.throws(() => parseNft('table ip t {\n  chain c {\n    drop\n  }\n'), (e: unknown) => e instanceof RulesParseError && /not closed/.test(e.message));
  assert.throws(() => parseNft('add table ip t\nadd rule ip t nochain drop\n'), (e: unknown) => e instanceof RulesParseError && e.line === 2 && /no chain "nochain"/.test(e.message));
  assert.throws(() => parseNft('add table ip t\nadd element ip t s { 1 }\n'), (e: unknown) => e instanceof RulesParseError && e.line === 2);
  assert.throws(() => parseNft('table ip t {\n  bogus line here\n}\n'), (e: unknown) => e instanceof RulesParseError && e.line === 2);
});

test('hostile input: unterminated quotes and braces never hang or crash', () => {
  const rs = parseNft('add table ip t\nadd chain ip t c\nadd rule ip t c ip daddr { 1.2.3.4 comment "unterminated\n');
  assert.equal(rs.tables[0]!.chains.get('c')!.rules.length, 1);
  const big = 'add table ip t\nadd chain ip t c\n' + 'add rule ip t c ip daddr 10.0.0.1 drop\n'.repeat(20000);
  assert.equal(parseNft(big).tables[0]!.chains.get('c')!.rules.length, 20000);
});

test('priorities and durations as nft prints them', () => {
  assert.equal(parsePriority(['dstnat', '-', '10']), -110);
  assert.equal(parsePriority(['dstnat-10']), -110);
  assert.equal(parsePriority(['-110']), -110);
  assert.equal(parsePriority(['srcnat']), 100);
  assert.equal(parsePriority(['bogus']), undefined);
  assert.equal(parseDuration('3h'), 10800);
  assert.equal(parseDuration('1d2h3m4s'), 93784);
  assert.equal(parseDuration('10800s'), 10800);
  assert.equal(parseDuration('x'), undefined);
});
