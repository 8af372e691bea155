/** ipset output parsing and the IPVS diff, in the core. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { diffIpvs, diffIsEmpty, looksLikeIpset, parseIpset, parseIpvsadm, RulesParseError } from '../../src/core';

test('ipset: save and list forms give the same sets; options after an entry are dropped', () => {
  const save = 'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 comment\nadd KUBE-CLUSTER-IP 10.96.0.1,tcp:443 comment "x"\ncreate KUBE-NODE-PORT-TCP bitmap:port range 0-65535\nadd KUBE-NODE-PORT-TCP 30080\n';
  const list = 'Name: KUBE-CLUSTER-IP\nType: hash:ip,port\nRevision: 7\nHeader: family inet hashsize 1024 maxelem 65536 comment\nSize in memory: 312\nReferences: 2\nNumber of entries: 1\nMembers:\n10.96.0.1,tcp:443\n\nName: KUBE-NODE-PORT-TCP\nType: bitmap:port\nRevision: 3\nHeader: range 0-65535\nSize in memory: 8264\nReferences: 1\nNumber of entries: 1\nMembers:\n30080\n';
  for (const text of [save, list]) {
    assert.ok(looksLikeIpset(text));
    const sets = parseIpset(text);
    assert.deepEqual([...sets.values()].map((s) => `${s.name} ${s.type} ${s.entries.join(' ')}`), ['KUBE-CLUSTER-IP hash:ip,port 10.96.0.1,tcp:443', 'KUBE-NODE-PORT-TCP bitmap:port 30080']);
  }
  assert.deepEqual(parseIpset(list).get('KUBE-NODE-PORT-TCP')!.entryLines, [19]);
  assert.ok(!looksLikeIpset('IP Virtual Server version 1.2.1 (size=4096)\n'));
  assert.throws(() => parseIpset('add KUBE-X 1.2.3.4\n'), (e: unknown) => e instanceof RulesParseError && e.line === 1);
  assert.throws(() => parseIpset('Name: KUBE-X\nnonsense here\n'), /not ipset output/);
  assert.equal(parseIpset('').size, 0);
});

const head = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';

test('ipvs diff: by address (IPv6 spelled either way), scheduler and persistence; weights and counters ignored', () => {
  const exp = parseIpvsadm(`${head}TCP  [fd00:10:96::a]:80 rr\n  -> [fd00:10:244::5]:8080          Masq    1      0          0\n`);
  const act = parseIpvsadm(`${head}TCP  [FD00:10:96:0::A]:80 rr\n  -> [fd00:10:244:0:0:0:0:5]:8080   Masq    1      7          40\n`);
  assert.ok(diffIsEmpty(diffIpvs({ table: exp }, { table: act })));
  const wlc = parseIpvsadm(`${head}TCP  [fd00:10:96::a]:80 wlc\n  -> [fd00:10:244::5]:8080          Masq    1      0          0\n`);
  const d = diffIpvs({ table: exp }, { table: wlc });
  assert.deepEqual([d.missing.map((r) => r.rule), d.extra.map((r) => r.rule)], [['TCP  [fd00:10:96::a]:80 rr'], ['TCP  [fd00:10:96::a]:80 wlc']]);
  // A real server on one side only: stale, named by the owner when known.
  const more = parseIpvsadm(`${head}TCP  [fd00:10:96::a]:80 rr\n  -> [fd00:10:244::5]:8080          Masq    1      0          0\n  -> [fd00:10:244::6]:8080          Masq    0      1          0\n`);
  const s = diffIpvs({ table: exp, owners: new Map([['TCP [fd00:10:96::a]:80', 'ns/web:http']]) }, { table: more });
  assert.deepEqual(s.stale.map((x) => `${x.service} ${x.endpoint} ${x.kind}`), ['ns/web:http [fd00:10:244::6]:8080 in-rules-only']);
  assert.deepEqual([s.missing, s.extra], [[], []]);
});

test('ipvs diff: a KUBE-LOOP-BACK entry goes with its endpoint\'s first stale real server, else it is plainly missing', () => {
  const loop = (...entries: string[]) => new Map([['KUBE-LOOP-BACK', { name: 'KUBE-LOOP-BACK', type: 'hash:ip,port,ip', entries, entryLines: entries.map((_, i) => i + 1), line: 0 }]]);
  const vs = (ip: string, rs: string[]) => `TCP  ${ip}:80 rr\n${rs.map((r) => `  -> ${r}:8080          Masq    1      0          0\n`).join('')}`;
  // Expected: two Services share endpoint .5; the node has neither (both stale), and lacks .9's loop-back entry
  // although .9 is a real server on both sides.
  const exp = parseIpvsadm(`${head}${vs('10.96.0.1', ['10.244.0.5', '10.244.0.9'])}${vs('10.96.0.2', ['10.244.0.5'])}`);
  const act = parseIpvsadm(`${head}${vs('10.96.0.1', ['10.244.0.9'])}TCP  10.96.0.2:80 rr\n`);
  const owners = new Map([['TCP 10.96.0.1:80', 'ns/a:http'], ['TCP 10.96.0.2:80', 'ns/b:http']]);
  const d = diffIpvs(
    { table: exp, owners, ipsets: loop('10.244.0.5,tcp:8080,10.244.0.5', '10.244.0.9,tcp:8080,10.244.0.9') },
    { table: act, ipsets: loop() },
  );
  assert.deepEqual(
    d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind}: ${s.rules.map((r) => r.rule).join(' | ')}`),
    ['ns/a:http 10.244.0.5:8080 expected-only: -> 10.244.0.5:8080 Masq 1 | 10.244.0.5,tcp:8080,10.244.0.5', 'ns/b:http 10.244.0.5:8080 expected-only: -> 10.244.0.5:8080 Masq 1'],
  );
  assert.deepEqual(d.missing.map((r) => `${r.chain} ${r.rule}`), ['KUBE-LOOP-BACK 10.244.0.9,tcp:8080,10.244.0.9']);
  assert.deepEqual(d.extra, []);
});
