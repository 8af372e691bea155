import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { detectRulesFormat, type AddrMatch, parseRules, ruleKey, RulesParseError, type Match, type Rule, type RuleSet } from '../../src/core';

const fixture = (name: string) => readFileSync(path.resolve(__dirname, '../../../test/fixtures/rules', name), 'utf8');
const chain = (set: RuleSet, table: string, name: string) => {
  const c = set.tables.get(table)?.chains.get(name);
  assert.ok(c, `${table}/${name} exists`);
  return c;
};
type Of<K extends Match['kind']> = K extends 'src' | 'dst' ? AddrMatch : Extract<Match, { kind: K }>;
const find = <K extends Match['kind']>(r: Rule, kind: K) => r.matches.find((m) => m.kind === kind) as Of<K> | undefined;

test('upstream kube-proxy restore payload: tables, chains, every rule, targets', () => {
  const set = parseRules(fixture('upstream-overall.restore'));
  assert.equal(set.format, 'save');
  assert.deepEqual([...set.tables.keys()], ['filter', 'nat']);
  assert.equal(set.warnings.length, 0);
  const nat = set.tables.get('nat')!;
  assert.equal(nat.chains.size, 20);
  assert.equal([...nat.chains.values()].reduce((n, c) => n + c.rules.length, 0), 55);
  const svc = chain(set, 'nat', 'KUBE-SVC-4SW47YFZTEDKD3PK');
  assert.equal(svc.policy, undefined);
  const stat = find(svc.rules[1]!, 'statistic');
  assert.ok(stat && stat.mode === 'random');
  assert.equal(stat.probability, 0.5);
  assert.equal(svc.rules[1]!.comment, 'ns4/svc4:p80 -> 10.180.0.4:80');
  assert.deepEqual(svc.rules[1]!.target, { kind: 'chain', chain: 'KUBE-SEP-UKSFD7AGPMPPLUHC', goto: false });
  const masq = svc.rules[0]!;
  const src = find(masq, 'src');
  assert.ok(src && src.negate && src.text === '10.0.0.0/8');
  assert.deepEqual(find(masq, 'port'), { kind: 'port', which: 'dport', negate: false, ranges: [[80, 80]] });
  const sep = chain(set, 'nat', 'KUBE-SEP-I77PXRDZVX7PMWMN').rules[1]!;
  assert.deepEqual(sep.target, { kind: 'DNAT', ip: '10.180.0.3', port: 80, text: '10.180.0.3:80' });
  assert.deepEqual(find(sep, 'recent'), { kind: 'recent', op: 'set', name: 'KUBE-SEP-I77PXRDZVX7PMWMN', seconds: undefined, reap: false, negate: false });
  const rcheck = find(chain(set, 'nat', 'KUBE-SVC-NUKIZ6OKUXPJNT4C').rules[1]!, 'recent');
  assert.ok(rcheck && rcheck.op === 'rcheck' && rcheck.seconds === 10800 && rcheck.reap);
  assert.deepEqual(chain(set, 'nat', 'KUBE-MARK-MASQ').rules[0]!.target, { kind: 'MARK', value: 0x4000, mask: 0x4000 });
  const post = chain(set, 'nat', 'KUBE-POSTROUTING').rules;
  assert.deepEqual(find(post[0]!, 'mark'), { kind: 'mark', negate: true, value: 0x4000, mask: 0x4000 });
  assert.deepEqual(post[1]!.target, { kind: 'MARK', value: 0x4000, mask: 0 });
  assert.deepEqual(post[2]!.target, { kind: 'MASQUERADE', randomFully: false, ports: undefined });
  const fw = chain(set, 'nat', 'KUBE-FW-NUKIZ6OKUXPJNT4C').rules[1]!;
  assert.equal(fw.target, undefined, 'the last FW rule has no target');
  const np = chain(set, 'nat', 'KUBE-NODEPORTS').rules[0]!;
  assert.deepEqual(find(np, 'nfacct'), { kind: 'nfacct', name: 'localhost_nps_accepted_pkts' });
  const firewall = chain(set, 'filter', 'KUBE-FIREWALL').rules[0]!;
  assert.deepEqual(find(firewall, 'ctstate'), { kind: 'ctstate', negate: true, states: ['RELATED', 'ESTABLISHED', 'DNAT'] });
  assert.deepEqual(chain(set, 'filter', 'KUBE-SERVICES').rules[0]!.target, { kind: 'REJECT', with: undefined });
  const ext = chain(set, 'filter', 'KUBE-EXTERNAL-SERVICES').rules[2]!;
  assert.deepEqual(find(ext, 'addrtype'), { kind: 'addrtype', which: 'dst', negate: false, type: 'LOCAL' });
  assert.equal(ext.line, 12);
});

test('iptables-save from a node: builtin policies and counters, /32, set-xmark, 11-digit probabilities, quoted comments', () => {
  const set = parseRules(fixture('node-save.txt'));
  assert.equal(chain(set, 'filter', 'INPUT').policy, 'ACCEPT');
  assert.deepEqual(chain(set, 'filter', 'INPUT').counters, { packets: 1184, bytes: 412877 });
  assert.equal(chain(set, 'nat', 'PREROUTING').rules.length, 1);
  const svc = chain(set, 'nat', 'KUBE-SVC-Y5VDFIEGM3DY2PZE');
  const p = find(svc.rules[1]!, 'statistic');
  assert.ok(p && p.mode === 'random' && p.text === '0.33333333349');
  assert.equal(svc.rules[1]!.comment, 'default/web:http -> 10.244.1.12:8080');
  assert.equal(find(svc.rules[0]!, 'dst')!.text, '10.96.31.4/32');
  assert.deepEqual(chain(set, 'nat', 'KUBE-POSTROUTING').rules[2]!.target, { kind: 'MASQUERADE', randomFully: true, ports: undefined });
  assert.deepEqual(chain(set, 'filter', 'KUBE-SERVICES').rules[0]!.target, { kind: 'REJECT', with: 'icmp-port-unreachable' });
  assert.match(svc.rules[1]!.text, /^-A KUBE-SVC-Y5VDFIEGM3DY2PZE -m comment --comment "default\/web:http -> 10.244.1.12:8080"/);
});

test('restore and save spellings of the same rule have the same key', () => {
  const restore = parseRules(`*nat\n:KUBE-SVC-X - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n-A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.1.1.1:80" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-A\n-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000\n-A KUBE-SVC-X -m comment --comment "ns/a:p cluster IP" -m tcp -p tcp -d 10.0.0.1 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ\nCOMMIT\n`);
  const save = parseRules(`*nat\n:KUBE-SVC-X - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n-A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.1.1.1:80" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-A\n-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000\n-A KUBE-SVC-X ! -s 10.244.0.0/16 -d 10.0.0.1/32 -p tcp -m comment --comment "ns/a:p cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ\nCOMMIT\n`);
  const keys = (s: RuleSet) => [...s.tables.get('nat')!.chains.values()].flatMap((c) => c.rules.map(ruleKey)).sort();
  assert.deepEqual(keys(restore), keys(save));
  const other = parseRules(`*nat\n:KUBE-SVC-X - [0:0]\n-A KUBE-SVC-X -m comment --comment "ns/a:p -> 10.1.1.1:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-A\nCOMMIT\n`);
  assert.notEqual(keys(other)[0], keys(save).find((k) => k.includes('statistic')));
});

test('classic iptables -t nat -L -n -v listing: headers, counters, comments, dpt, statistic, to:, ADDRTYPE, MARK', () => {
  const set = parseRules(fixture('classic-nat.listing'));
  assert.equal(set.format, 'listing');
  assert.deepEqual([...set.tables.keys()], ['nat']);
  assert.deepEqual(set.warnings, []);
  const pre = chain(set, 'nat', 'PREROUTING');
  assert.equal(pre.policy, 'ACCEPT');
  assert.deepEqual(pre.counters, { packets: 12, bytes: 736 });
  assert.deepEqual(pre.rules[0]!.counters, { packets: 2871, bytes: 175000 });
  assert.equal(chain(set, 'nat', 'KUBE-MARK-MASQ').references, 9);
  assert.deepEqual(chain(set, 'nat', 'KUBE-MARK-MASQ').rules[0]!.target, { kind: 'MARK', value: 0x4000, mask: 0x4000 });
  const svcs = chain(set, 'nat', 'KUBE-SERVICES').rules;
  assert.equal(svcs[0]!.comment, 'kube-system/kube-dns:dns cluster IP');
  assert.equal(find(svcs[0]!, 'dst')!.text, '10.96.0.10/32');
  assert.deepEqual(find(svcs[0]!, 'proto'), { kind: 'proto', negate: false, proto: 'udp' });
  assert.deepEqual(find(svcs[0]!, 'port')!.ranges, [[53, 53]]);
  assert.deepEqual(find(svcs[4]!, 'addrtype'), { kind: 'addrtype', which: 'dst', negate: false, type: 'LOCAL' });
  const dns = chain(set, 'nat', 'KUBE-SVC-TCOU7JCQXEZGVUNU').rules;
  assert.ok(find(dns[0]!, 'src')!.negate);
  const st = find(dns[1]!, 'statistic');
  assert.ok(st && st.mode === 'random' && st.probability === 0.5);
  assert.deepEqual(chain(set, 'nat', 'KUBE-SEP-6E7XQMQ4RAYOWTTM').rules[1]!.target, { kind: 'DNAT', ip: '10.244.0.3', port: 53, text: '10.244.0.3:53' });
  const post = chain(set, 'nat', 'KUBE-POSTROUTING').rules;
  assert.deepEqual(find(post[0]!, 'mark'), { kind: 'mark', negate: true, value: 0x4000, mask: 0x4000 });
  assert.deepEqual(post[1]!.target, { kind: 'MARK', value: 0x4000, mask: 0 });
  assert.deepEqual(post[2]!.target, { kind: 'MASQUERADE', randomFully: true });
  const ext = chain(set, 'nat', 'KUBE-EXT-CEZPIJSAUFW5MYPQ').rules[1]!;
  assert.deepEqual(ext.target, { kind: 'chain', chain: 'KUBE-SVC-CEZPIJSAUFW5MYPQ', goto: false });
  assert.equal(ext.matches.length, 0);
});

test('iptables -L -n without -v (filter): policy-only headers, ctstate, reject-with, negated source', () => {
  const set = parseRules(fixture('classic-filter.listing'));
  assert.deepEqual([...set.tables.keys()], ['filter']);
  const fw = chain(set, 'filter', 'KUBE-FIREWALL').rules[0]!;
  assert.ok(find(fw, 'src')!.negate);
  assert.deepEqual(find(fw, 'ctstate'), { kind: 'ctstate', negate: true, states: ['RELATED', 'ESTABLISHED', 'DNAT'] });
  assert.equal(chain(set, 'filter', 'INPUT').rules.length, 4);
  assert.deepEqual(chain(set, 'filter', 'KUBE-SERVICES').rules[0]!.target, { kind: 'REJECT', with: 'icmp-port-unreachable' });
  assert.equal(chain(set, 'filter', 'KUBE-FORWARD').rules[1]!.comment, 'kubernetes forwarding rules');
});

test('a nat listing followed by a filter listing become two tables; a -t hint names the table', () => {
  const both = parseRules(fixture('classic-nat.listing') + '\n' + fixture('classic-filter.listing'));
  assert.deepEqual([...both.tables.keys()].sort(), ['filter', 'nat']);
  const hinted = parseRules('$ iptables -t mangle -L -n\nChain KUBE-X (0 references)\ntarget     prot opt source               destination\n');
  assert.deepEqual([...hinted.tables.keys()], ['mangle']);
});

test('listing rows with no target, --line-numbers, multiport, recent, match-set and goto', () => {
  const set = parseRules(`Chain KUBE-FW-ABC (1 references)
num   pkts bytes target     prot opt in     out     source               destination
1        0     0 KUBE-EXT-ABC  all  --  *      *       203.0.113.0/25       0.0.0.0/0            /* ns/a:p loadbalancer IP */
2        0     0            all  --  *      *       0.0.0.0/0            0.0.0.0/0            /* other traffic to ns/a:p will be dropped by KUBE-PROXY-FIREWALL */
3        0     0 KUBE-SEP-X  all  --  eth0   *       0.0.0.0/0            0.0.0.0/0            recent: CHECK seconds: 10800 reap name: KUBE-SEP-X side: source mask: 255.255.255.255
4        0     0 ACCEPT     tcp  --  *      *       0.0.0.0/0            0.0.0.0/0            multiport dports 80,443:445
5        0     0 KUBE-MARK-MASQ  all  --  *      *       0.0.0.0/0            0.0.0.0/0            ! match-set KUBE-CLUSTER-IP src,dst
6        0     0 KUBE-SVC-Y  all  --  *      *       0.0.0.0/0            0.0.0.0/0            [goto]
`);
  const rules = chain(set, 'nat', 'KUBE-FW-ABC').rules;
  assert.equal(rules[1]!.target, undefined);
  assert.equal(rules[1]!.comment, 'other traffic to ns/a:p will be dropped by KUBE-PROXY-FIREWALL');
  assert.deepEqual(find(rules[2]!, 'recent'), { kind: 'recent', op: 'rcheck', name: 'KUBE-SEP-X', seconds: 10800, reap: true, negate: false });
  assert.deepEqual(find(rules[2]!, 'in'), { kind: 'in', negate: false, iface: 'eth0' });
  assert.deepEqual(find(rules[3]!, 'port')!.ranges, [[80, 80], [443, 445]]);
  assert.deepEqual(find(rules[4]!, 'set'), { kind: 'set', negate: true, name: 'KUBE-CLUSTER-IP', flags: 'src,dst' });
  assert.deepEqual(rules[5]!.target, { kind: 'chain', chain: 'KUBE-SVC-Y', goto: true });
});

test('ip6tables -L -n -v listing: blank opt column, IPv6 addresses, nat inferred from KUBE-SVC targets', () => {
  const set = parseRules(`Chain KUBE-SERVICES (2 references)
 pkts bytes target     prot opt in     out     source               destination
    0     0 KUBE-SVC-ABC  tcp      *      *       ::/0                 fd00:10:96::a        /* ns/svc:http cluster IP */ tcp dpt:80
    0     0            all      *      *       ::/0                 ::/0                 /* no target */
`);
  assert.equal(set.family, 'IPv6');
  const rules = chain(set, 'nat', 'KUBE-SERVICES').rules;
  assert.equal(find(rules[0]!, 'dst')!.text, 'fd00:10:96::a/128');
  assert.deepEqual(rules[0]!.target, { kind: 'chain', chain: 'KUBE-SVC-ABC', goto: false });
  assert.equal(rules[1]!.target, undefined);
});

test('unknown matches and targets are kept as text with a warning, never a crash', () => {
  const set = parseRules(`*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT\n-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu\n-A FORWARD -j LOG --log-prefix "x y"\nCOMMIT\n`);
  const rules = chain(set, 'filter', 'FORWARD').rules;
  assert.deepEqual(find(rules[0]!, 'opaque'), { kind: 'opaque', module: 'physdev', text: '-m physdev --physdev-is-bridged' });
  assert.ok(find(rules[1]!, 'opaque'));
  assert.equal(rules[1]!.target?.kind, 'other');
  assert.equal(rules[2]!.target?.kind, 'other');
  assert.equal(set.warnings.length, 4);
  assert.ok(set.warnings.every((w) => w.line >= 3 && /not modelled/.test(w.message)));
  const listing = parseRules('Chain X (1 references)\ntarget prot opt source destination\nACCEPT all -- 0.0.0.0/0 0.0.0.0/0 physdev match --physdev-is-in\n');
  assert.match(listing.warnings[0]!.message, /physdev match --physdev-is-in/);
});

test('bad input fails with the line number and a clear message', () => {
  const err = (text: string, re: RegExp, line?: number) => {
    assert.throws(
      () => parseRules(text),
      (e: unknown) => e instanceof RulesParseError && re.test(e.message) && (line === undefined || e.line === line),
    );
  };
  err('hello world\n', /does not start iptables-save output/, 1);
  err('', /empty input/);
  err('\u0000\u0001garbage', /NUL bytes/);
  err('table ip kube-proxy {\n}\n', /nft ruleset/);
  err('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SVC-NOPE -j RETURN\nCOMMIT\n', /does not declare/, 3);
  err('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -m comment --comment "unterminated -j RETURN\nCOMMIT\n', /unterminated double quote/, 3);
  err('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -d 10.0.0.999 -j RETURN\nCOMMIT\n', /not an IP address/, 3);
  err('*nat\n:KUBE-SERVICES - [0:0]\n', /not closed by COMMIT/);
  err('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -m statistic --mode random --probability 7 -j X\nCOMMIT\n', /probability between 0 and 1/, 3);
  err('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -p tcp --dport 99999 -j X\nCOMMIT\n', /bad value "99999"/, 3);
  err('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -j DNAT\nCOMMIT\n', /needs --to-destination/, 3);
  err('*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES --dport 80 -j X\nCOMMIT\n', /belongs to no loaded match module/, 3);
  err('Chain X (1 references)\ntarget prot opt source destination\nfoo\n', /fewer fields|does not fit/, 3);
});

test('format detection', () => {
  assert.equal(detectRulesFormat('# Generated by iptables-save\n*nat\n'), 'save');
  assert.equal(detectRulesFormat('-A KUBE-SERVICES -j RETURN\n'), 'save');
  assert.equal(detectRulesFormat('\nChain INPUT (policy ACCEPT)\n'), 'listing');
  assert.equal(detectRulesFormat('{"kind": "Service"}'), undefined);
});

test('IPv6 rules and hostile strings parse without crashing', () => {
  const set = parseRules(`*nat\n:KUBE-SEP-V6 - [0:0]\n-A KUBE-SEP-V6 -s fd00:10::5/128 -j KUBE-MARK-MASQ\n-A KUBE-SEP-V6 -m tcp -p tcp -j DNAT --to-destination [fd00:10::5]:8080\nCOMMIT\n`);
  assert.equal(set.family, 'IPv6');
  assert.deepEqual(chain(set, 'nat', 'KUBE-SEP-V6').rules[1]!.target, { kind: 'DNAT', ip: 'fd00:10::5', port: 8080, text: '[fd00:10::5]:8080' });
  const hostile = parseRules(`*nat\n:A - [0:0]\n-A A -m comment --comment "<script>\\"; rm -rf / \${x}" -j RETURN\nCOMMIT\n`);
  assert.equal(chain(hostile, 'nat', 'A').rules[0]!.comment, '<script>"; rm -rf / ${x}');
});
