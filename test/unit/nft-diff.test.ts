/** The nftables diff in the core: what counts as the same rule, and how endpoints are attributed. */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { diffIsEmpty, diffNftRules, endpointOfName, nftRuleKey, parseNft } from '../../src/core';

const key = (rule: string) => nftRuleKey(parseNft(`add table ip t\nadd chain ip t c\nadd rule ip t c ${rule}`).tables[0]!.chains.get('c')!.rules[0]!);

test('nft diff keys: spellings nft and kube-proxy use for the same rule are equal; different rules are not', () => {
  assert.equal(key('mark and 0x4000 == 0 return'), key('meta mark & 0x00004000 == 0x00000000 return'));
  assert.equal(key('mark set mark or 0x4000'), key('meta mark set meta mark | 0x00004000'));
  assert.equal(key('ip daddr { 10.96.0.0/12 } drop'), key('ip daddr 10.96.0.0/12 drop'));
  assert.equal(key('ip saddr 10.0.0.1/32 jump x'), key('ip saddr 10.0.0.1 jump x'));
  assert.equal(key('ip saddr 10.0.0.1 counter packets 12 bytes 720 jump x'), key('ip saddr 10.0.0.1 jump x'));
  assert.equal(key('numgen random mod 2 vmap { 0 : goto a , 1 : goto b }'), key('numgen random mod 2 vmap { 0 : goto b, 1 : goto a }'));
  assert.equal(key('ip saddr != { 1.1.1.0/24 , 2.2.2.0/24 } drop'), key('ip saddr != { 2.2.2.0/24, 1.1.1.0/24 } drop'));
  // Different meaning, different key.
  assert.notEqual(key('numgen random mod 2 vmap { 0 : goto a , 1 : goto b }'), key('numgen random mod 2 vmap { 0 : goto a , 1 : goto c }'));
  assert.notEqual(key('mark and 0x4000 == 0 return'), key('mark and 0x8000 == 0 return'));
  assert.notEqual(key('ip saddr 10.0.0.1 jump x'), key('ip saddr 10.0.0.2 jump x'));
  assert.notEqual(key('ip saddr 10.0.0.1 jump x comment "a"'), key('ip saddr 10.0.0.1 jump x'));
  assert.notEqual(key('jump a'), key('goto a'));
});

test('nft diff: endpoint chain names give the service port and the endpoint (IPv6 dots back to colons)', () => {
  assert.deepEqual(endpointOfName('endpoint-5OJB2KTY-default/web/tcp/http__10.244.1.3/8080'), { service: 'default/web:http', endpoint: '10.244.1.3:8080' });
  assert.deepEqual(endpointOfName('affinity-ABCDEFGH-ns/svc/udp/__fd00..1/53'), { service: 'ns/svc', endpoint: '[fd00::1]:53' });
  assert.equal(endpointOfName('service-ABCDEFGH-ns/svc/tcp/p'), undefined);
});

const table = (eps: string[], extra = '') =>
  parseNft(
    [
      'add table ip kube-proxy',
      'add chain ip kube-proxy service-AAAAAAAA-ns/web/tcp/http',
      ...eps.map((e) => `add chain ip kube-proxy endpoint-BBBBBBBB-ns/web/tcp/http__${e}/80`),
      ...eps.map((e) => `add set ip kube-proxy affinity-CCCCCCCC-ns/web/tcp/http__${e}/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }`),
      ...eps.map((e) => `add rule ip kube-proxy service-AAAAAAAA-ns/web/tcp/http ip saddr @affinity-CCCCCCCC-ns/web/tcp/http__${e}/80 goto endpoint-BBBBBBBB-ns/web/tcp/http__${e}/80`),
      `add rule ip kube-proxy service-AAAAAAAA-ns/web/tcp/http numgen random mod ${eps.length} vmap { ${eps.map((e, i) => `${i} : goto endpoint-BBBBBBBB-ns/web/tcp/http__${e}/80`).join(' , ')} }`,
      ...eps.map((e) => `add rule ip kube-proxy endpoint-BBBBBBBB-ns/web/tcp/http__${e}/80 meta l4proto tcp dnat to ${e}:80`),
      extra,
    ].join('\n'),
  );

test('nft diff: an endpoint only one side has is stale, with its chain, affinity set and the rules naming it', () => {
  assert.ok(diffIsEmpty(diffNftRules(table(['10.0.0.1', '10.0.0.2']), table(['10.0.0.2', '10.0.0.1']))));
  const d = diffNftRules(table(['10.0.0.1', '10.0.0.2']), table(['10.0.0.1', '10.0.0.3']));
  assert.deepEqual([d.missing, d.extra, d.missingChains, d.extraChains], [[], [], [], []]);
  assert.deepEqual(
    d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind} ${s.rules.map((r) => r.chain.split('-')[0]).sort().join(',')}`),
    ['ns/web:http 10.0.0.2:80 expected-only @affinity,endpoint,service,service', 'ns/web:http 10.0.0.3:80 in-rules-only @affinity,endpoint,service,service'],
  );
  // A Service the node does not know at all: its chains are missing, not stale.
  const none = diffNftRules(table(['10.0.0.1']), parseNft('add table ip kube-proxy'));
  assert.deepEqual(none.stale, []);
  assert.ok(none.missingChains.includes('ip kube-proxy/service-AAAAAAAA-ns/web/tcp/http'));
  // Other tables are not compared; a missing kube-proxy table is reported as such.
  const other = diffNftRules(table(['10.0.0.1']), parseNft('add table ip filter\nadd chain ip filter x\nadd rule ip filter x drop'));
  assert.deepEqual(other.missingChains, ['ip kube-proxy (the whole table)']);
  assert.deepEqual(other.extra, []);
});
