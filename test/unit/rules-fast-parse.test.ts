/** The char-code fast paths of the iptables-save parser give what the regular-expression paths gave. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseRules, type AddrMatch, type RuleSet } from '../../src/core';
import { parseAddr, parsePortList } from '../../src/core/rules/ports';

test('IPv4 addresses: canonical text, masks, and what is refused', () => {
  const a = (t: string) => parseAddr('dst', t, false);
  assert.deepEqual(a('10.96.0.10'), { kind: 'dst', negate: false, cidr: { family: 'IPv4', base: BigInt(0x0a60000a), prefix: 32, bits: 32 }, text: '10.96.0.10/32', v4: { base: 0x0a60000a, mask: 0xffffffff } });
  assert.equal(a('10.96.0.10/32')!.text, '10.96.0.10/32');
  // Host bits are masked off; leading zeros are dropped, in the address and in the prefix.
  assert.equal(a('10.244.1.7/16')!.text, '10.244.0.0/16');
  assert.equal(a('010.001.0.0/016')!.text, '10.1.0.0/16');
  assert.equal(a('010.1.2.3')!.text, '10.1.2.3/32');
  assert.equal(a('0.0.0.0/0')!.text, '0.0.0.0/0');
  assert.equal(a('255.255.255.255')!.v4!.base, 0xffffffff);
  for (const bad of ['256.0.0.1', '1.2.3.4/33', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4/', 'a.b.c.d', '1.2.3.4/1x', '']) assert.equal(a(bad), undefined, bad);
  // Dotted masks and IPv6 still take the general path.
  assert.equal(a('10.0.0.0/255.0.0.0')!.text, '10.0.0.0/8');
  assert.equal(a('fd00::1')!.text, 'fd00::1/128');
});

test('port lists: single ports by the fast path, ranges and lists as before', () => {
  assert.deepEqual(parsePortList('80'), [[80, 80]]);
  assert.deepEqual(parsePortList('65535'), [[65535, 65535]]);
  assert.equal(parsePortList('65536'), undefined);
  assert.equal(parsePortList('123456'), undefined);
  assert.equal(parsePortList(''), undefined);
  assert.deepEqual(parsePortList('1000:2000'), [[1000, 2000]]);
  assert.deepEqual(parsePortList('80,443'), [[80, 80], [443, 443]]);
  assert.equal(parsePortList('80x'), undefined);
});

const dump = (rules: string) => `*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-A - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n${rules}COMMIT\n`;
const rulesOf = (set: RuleSet, chain: string) => set.tables.get('nat')!.chains.get(chain)!.rules;

test('repeated matches and jumps are shared objects with the same content', () => {
  const set = parseRules(
    dump(
      '-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "a/b cluster IP" -m tcp --dport 80 -j KUBE-SVC-A\n' +
        '-A KUBE-SERVICES -d 10.96.0.1/32 -p tcp -m comment --comment "a/b cluster IP" -m tcp --dport 80 -j KUBE-SVC-A\n' +
        '-A KUBE-SERVICES ! -d 10.96.0.1/32 -p udp -m udp --dport 80 -j KUBE-MARK-MASQ\n',
    ),
  );
  const [r1, r2, r3] = rulesOf(set, 'KUBE-SERVICES');
  assert.equal(r1!.matches.length, 4);
  assert.deepEqual(r1!.matches, r2!.matches);
  for (let i = 0; i < 4; i++) assert.equal(r1!.matches[i], r2!.matches[i]);
  assert.equal(r1!.target, r2!.target);
  // A negated address or another protocol is not confused with the shared one.
  const d3 = r3!.matches.find((m) => m.kind === 'dst') as AddrMatch;
  assert.equal(d3.negate, true);
  assert.notEqual(d3, r1!.matches[0]);
  assert.deepEqual(r3!.matches.find((m) => m.kind === 'proto'), { kind: 'proto', negate: false, proto: 'udp' });
  assert.deepEqual(r3!.target, { kind: 'chain', chain: 'KUBE-MARK-MASQ', goto: false });
});

test('a target that is not modelled warns on every line, even when repeated', () => {
  const set = parseRules(dump('-A KUBE-SERVICES -j LOG\n-A KUBE-SERVICES -j LOG\n'));
  assert.deepEqual(set.warnings.map((w) => w.line), [5, 6]);
});

test('lines with surrounding blanks, CRLF and a byte-order mark parse as before', () => {
  const set = parseRules('*nat\r\n:KUBE-SERVICES - [0:0]\r\n  -A KUBE-SERVICES -j RETURN  \r\n\tCOMMIT\n');
  assert.equal(rulesOf(set, 'KUBE-SERVICES')[0]!.text, '-A KUBE-SERVICES -j RETURN');
  assert.throws(() => parseRules('*nat\n:KUBE-SERVICES - [0:0]\n'), /line 3: table \*nat is not closed/);
});

test('rule counters are recognised by the first word, quoted or not', () => {
  const set = parseRules('*nat\n:KUBE-SERVICES - [0:0]\n[5:300] -A KUBE-SERVICES -j RETURN\n"[6:400]" -A KUBE-SERVICES -j RETURN\n-A KUBE-SERVICES -j RETURN\nCOMMIT\n');
  assert.deepEqual(
    rulesOf(set, 'KUBE-SERVICES').map((r) => r.counters),
    [{ packets: 5, bytes: 300 }, { packets: 6, bytes: 400 }, undefined],
  );
});
