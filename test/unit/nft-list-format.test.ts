/** The nft `save` view as `nft list table` prints it, and the parser reading it back. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { diffNftRules, elementsBlock, listNftTable, nftListRuleText, parseNft, priorityName, sortElementsAsNft, traceNft } from '../../src/core';

test('nft list: kube-proxy\'s mark, anonymous-set and map spellings come back as nft prints them', () => {
  assert.equal(nftListRuleText('mark and 0x4000 == 0 return'), 'meta mark & 0x00004000 == 0x00000000 return');
  assert.equal(nftListRuleText('mark set mark or 0x00004000'), 'meta mark set meta mark | 0x00004000');
  assert.equal(nftListRuleText('mark set mark xor 0x4000'), 'meta mark set meta mark ^ 0x00004000');
  assert.equal(nftListRuleText('ip daddr { 10.96.0.0/12 } drop comment "Drop traffic to unallocated ClusterIPs"'), 'ip daddr 10.96.0.0/12 drop comment "Drop traffic to unallocated ClusterIPs"');
  assert.equal(nftListRuleText('ip saddr != { 203.0.113.0/24 , 10.0.0.0/8 } drop'), 'ip saddr != { 10.0.0.0/8, 203.0.113.0/24 } drop');
  assert.equal(nftListRuleText('numgen random mod 2 vmap { 0 : goto a , 1 : goto b }'), 'numgen random mod 2 vmap { 0 : goto a, 1 : goto b }');
  assert.equal(nftListRuleText('update @affinity-X { ip saddr }'), 'update @affinity-X { ip saddr }');
  // Text nft already prints its own way is left alone.
  for (const same of ['meta l4proto tcp dnat to 10.180.0.1:80', 'ct state new jump firewall-check', 'ip daddr . meta l4proto . th dport vmap @service-ips', 'masquerade fully-random', 'ip daddr @cluster-ips reject comment "a { b } c"']) {
    assert.equal(nftListRuleText(same), same);
  }
});

test('nft list: set elements sorted as nft sorts them and wrapped as calculate_delim does', () => {
  // Plain addresses: by value, two to a line.
  const ips = { type: 'ipv4_addr', elements: ['10.43.195.72', '10.43.0.10', '10.43.34.64', '10.43.0.1', '10.43.10.165'].map((k) => ({ key: [k] })) };
  assert.equal(elementsBlock(ips), '\t\telements = { 10.43.0.1, 10.43.0.10,\n\t\t\t     10.43.10.165, 10.43.34.64,\n\t\t\t     10.43.195.72 }');
  // Concatenations: the key bytes read as a little-endian number, so the port's low byte decides first.
  const map = {
    type: 'ipv4_addr . inet_proto . inet_service : verdict',
    elements: [
      ['10.0.0.1', 'tcp', '443'],
      ['10.0.0.10', 'udp', '53'],
      ['10.0.0.9', 'tcp', '8000'],
      ['10.0.0.10', 'tcp', '53'],
      ['10.0.0.2', 'tcp', '443'],
      ['10.0.0.3', 'tcp', '3001'],
    ].map((key) => ({ key, value: 'goto x' })),
  };
  assert.deepEqual(sortElementsAsNft(map).map((e) => e.key.join(' ')), ['10.0.0.10 tcp 53', '10.0.0.10 udp 53', '10.0.0.9 tcp 8000', '10.0.0.3 tcp 3001', '10.0.0.1 tcp 443', '10.0.0.2 tcp 443']);
  assert.match(elementsBlock(map), /^\t\telements = \{ 10\.0\.0\.10 \. tcp \. 53 : goto x,\n\t\t\t     10\.0\.0\.10 \. udp \. 53 : goto x,\n/);
  // Unreadable keys keep their order rather than being guessed at.
  const odd = { type: 'ipv4_addr', elements: [{ key: ['b'] }, { key: ['a'] }] };
  assert.deepEqual(sortElementsAsNft(odd).map((e) => e.key[0]), ['b', 'a']);
});

test('nft list: standard priorities by name only on the hooks nft names them for', () => {
  assert.equal(priorityName(-110, 'prerouting'), 'dstnat - 10');
  assert.equal(priorityName(-100, 'prerouting'), 'dstnat');
  assert.equal(priorityName(-100, 'output'), '-100');
  assert.equal(priorityName(-110, 'output'), '-110');
  assert.equal(priorityName(-90, 'output'), '-90');
  assert.equal(priorityName(100, 'postrouting'), 'srcnat');
  assert.equal(priorityName(0, 'input'), 'filter');
  assert.equal(priorityName(-110, 'input'), '-110');
});

const tx = [
  'add table ip kube-proxy { comment "rules for kube-proxy" ; }',
  'add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }',
  'add chain ip kube-proxy services',
  'add chain ip kube-proxy masquerading',
  'add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }',
  'add chain ip kube-proxy mark-for-masquerade',
  'add chain ip kube-proxy svc',
  'add chain ip kube-proxy ep1',
  'add chain ip kube-proxy ep2',
  'add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }',
  'add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; }',
  'add rule ip kube-proxy nat-output jump services',
  'add rule ip kube-proxy nat-postrouting jump masquerading',
  'add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips',
  'add rule ip kube-proxy masquerading mark and 0x4000 == 0 return',
  'add rule ip kube-proxy masquerading mark set mark xor 0x4000',
  'add rule ip kube-proxy masquerading masquerade fully-random',
  'add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000',
  'add rule ip kube-proxy svc ip daddr 10.96.0.5 ip saddr != { 10.244.0.0/16 } jump mark-for-masquerade',
  'add rule ip kube-proxy svc numgen random mod 2 vmap { 0 : goto ep1 , 1 : goto ep2 }',
  'add rule ip kube-proxy ep1 ip saddr 10.244.0.1 jump mark-for-masquerade',
  'add rule ip kube-proxy ep1 meta l4proto tcp dnat to 10.244.0.1:80',
  'add rule ip kube-proxy ep2 ip saddr 10.244.0.2 jump mark-for-masquerade',
  'add rule ip kube-proxy ep2 meta l4proto tcp dnat to 10.244.0.2:80',
  'add element ip kube-proxy cluster-ips { 10.96.0.5 }',
  'add element ip kube-proxy cluster-ips { 10.96.0.1 }',
  'add element ip kube-proxy service-ips { 10.96.0.5 . tcp . 80 : goto svc }',
].join('\n');

test('nft list: the printed table has nft\'s layout and parses back to the same rules (round trip)', () => {
  const rs = parseNft(tx);
  const listed = listNftTable(rs.tables[0]!);
  assert.equal(
    listed.split('\n').slice(0, 12).join('\n'),
    [
      'table ip kube-proxy {',
      '\tcomment "rules for kube-proxy"',
      '\tset cluster-ips {',
      '\t\ttype ipv4_addr',
      '\t\tcomment "Active ClusterIPs"',
      '\t\telements = { 10.96.0.1, 10.96.0.5 }',
      '\t}',
      '',
      '\tmap service-ips {',
      '\t\ttype ipv4_addr . inet_proto . inet_service : verdict',
      '\t\telements = { 10.96.0.5 . tcp . 80 : goto svc }',
      '\t}',
    ].join('\n'),
  );
  assert.ok(listed.includes('\tchain nat-output {\n\t\ttype nat hook output priority -100; policy accept;\n\t\tjump services\n\t}\n'));
  assert.ok(listed.includes('\t\tmeta mark & 0x00004000 == 0x00000000 return\n'));
  assert.ok(listed.includes('\t\tip daddr 10.96.0.5 ip saddr != 10.244.0.0/16 jump mark-for-masquerade\n'));
  assert.ok(!/counter/.test(listed));
  const back = parseNft(listed);
  assert.deepEqual(back.issues, []);
  const d = diffNftRules(rs, back);
  assert.deepEqual([d.missing, d.extra, d.stale, d.missingChains, d.extraChains], [[], [], [], [], []]);
  // Traced the same way from either form.
  const ctx = { source: 'node' as const, localIPs: ['192.168.0.2'] };
  for (const form of [rs, back]) {
    const t = traceNft(form, { from: '192.168.0.2', to: '10.96.0.5', port: 80, protocol: 'TCP' }, ctx);
    assert.equal(t.verdict, 'DNAT');
    assert.deepEqual(t.endpoints.map((e) => `${e.ip}:${e.port}@${e.probability}`), ['10.244.0.1:80@0.5', '10.244.0.2:80@0.5']);
    assert.equal(t.masquerade, true);
  }
});

test('nft list: odd input is passed through, never thrown on; IPv6 elements sort by value, one to a line', () => {
  for (const odd of ['{ { } , ,', 'mark set', 'mark and', 'mark set mark or banana', '} }', '', 'comment "unterminated']) assert.equal(typeof nftListRuleText(odd), 'string');
  assert.equal(nftListRuleText('mark set mark or banana'), 'mark set mark or banana');
  const v6 = { type: 'ipv6_addr', elements: ['fd00::10', 'fd00::2', '2001:db8::1', 'fd00::1:0'].map((k) => ({ key: [k] })) };
  assert.equal(elementsBlock(v6), '\t\telements = { 2001:db8::1,\n\t\t\t     fd00::2,\n\t\t\t     fd00::10,\n\t\t\t     fd00::1:0 }');
  const ports = { type: 'inet_service', elements: Array.from({ length: 18 }, (_, i) => ({ key: [String(30000 + 17 - i)] })) };
  const lines = elementsBlock(ports).split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^\t\telements = \{ 30000, 30001, .*30015,$/);
  assert.equal(lines[1], '\t\t\t     30016, 30017 }');
});

test('nft list: set flags in nft\'s order', () => {
  const rs = parseNft('add table ip t\nadd set ip t a { type ipv4_addr ; flags timeout,dynamic ; timeout 10800s ; }\n');
  assert.match(listNftTable(rs.tables[0]!), /\tset a \{\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout 3h\n\t\}/);
});
