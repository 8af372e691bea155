/**
 * The nft diff when a Service's endpoint set changed: the numgen fan-out (v1.36's dnat map holding every
 * endpoint, v1.29-1.35's vmap over endpoint chains) is reported under the stale endpoints, never as one
 * rule missing plus one extra; a fan-out that differs in anything else still is.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildClusterState, diffNftRules, loadManifest, nftProfile, parseNft, renderNftables, type RulesDiff } from '../../src/core';
import { importedDiff } from '../../src/extension/traceRunner';
import { parseDump } from '../../src/tracing/importedRules';

const root = path.resolve(__dirname, '../../..');
const CLUSTER = readFileSync(path.join(root, 'test/fixtures/trace/cluster.yaml'), 'utf8');

/** A ready shop/web pod (app: web): it backs shop/web, shop/sticky (ClientIP affinity) and shop/lb. */
const webPod = (name: string, ip: string, node: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: web}}
spec:
  nodeName: ${node}
  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]
status:
  phase: Running
  podIP: ${ip}
  podIPs: [{ip: ${ip}}]
  conditions: [{type: Ready, status: "True"}]
`;

const stateOf = (yaml: string) => buildClusterState(loadManifest('/ws/cluster.yaml', yaml).objects);
const table = (yaml: string, version: string) => parseNft(renderNftables(stateOf(yaml), { node: 'worker-1', profile: nftProfile(version) }).text);
const withPods = (...pods: string[]) => `${CLUSTER.trimEnd()}\n${pods.join('')}`;
/** web-b (10.244.2.20 on worker-2) replaced by web-d (10.244.2.21). */
const replaced = withPods().replace(/podIP: 10\.244\.2\.20\n {2}podIPs: \[\{ip: 10\.244\.2\.20\}\]/, 'podIP: 10.244.2.21\n  podIPs: [{ip: 10.244.2.21}]');

const staleLines = (d: RulesDiff) => d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind}`);
const chainsOf = (d: RulesDiff, service: string, endpoint: string) =>
  d.stale.find((s) => s.service === service && s.endpoint === endpoint)!.rules.map((r) => r.chain.replace(/-[A-Z2-7]{8}-.*/, '')).sort();
const nothingElse = (d: RulesDiff) => assert.deepEqual([d.missing, d.extra, d.missingChains, d.extraChains], [[], [], [], []], JSON.stringify(d, null, 1));

test('v1.36: an endpoint the node lacks (added) or still has (removed) is stale, with the dnat map rules and its hairpin element', () => {
  const base = table(CLUSTER, '1.36');
  const plus = table(withPods(webPod('web-c', '10.244.1.11', 'worker-1')), '1.36');
  for (const [expected, actual, kind] of [[plus, base, 'expected-only'], [base, plus, 'in-rules-only']] as const) {
    const d = diffNftRules(expected, actual);
    nothingElse(d);
    assert.deepEqual(staleLines(d), ['shop/lb:http', 'shop/sticky:http', 'shop/web:http'].map((s) => `${s} 10.244.1.11:8080 ${kind}`));
    // Both sides' fan-out (mod 3 and mod 2) and the local endpoint's hairpin element.
    assert.deepEqual(chainsOf(d, 'shop/web:http', '10.244.1.11:8080'), ['@hairpin-connections', 'service', 'service']);
    const fanOuts = d.stale[2]!.rules.filter((r) => r.chain.startsWith('service-')).map((r) => /mod (\d)/.exec(r.rule)![1]).sort();
    assert.deepEqual(fanOuts, ['2', '3']);
    // ClientIP affinity keeps endpoint chains in 1.36: the endpoint chain, its affinity set, the affinity jump and the vmap pair.
    assert.deepEqual(chainsOf(d, 'shop/sticky:http', '10.244.1.11:8080'), ['@affinity', '@hairpin-connections', 'endpoint', 'endpoint', 'service', 'service', 'service']);
  }
});

test('v1.36: a replaced endpoint and a count change name each endpoint that differs, on its own side', () => {
  const d = diffNftRules(table(replaced, '1.36'), table(CLUSTER, '1.36'));
  nothingElse(d);
  assert.deepEqual(staleLines(d).filter((l) => l.startsWith('shop/web:')), ['shop/web:http 10.244.2.20:8080 in-rules-only', 'shop/web:http 10.244.2.21:8080 expected-only']);
  const web = d.stale.filter((s) => s.service === 'shop/web:http');
  assert.match(web.find((s) => s.kind === 'expected-only')!.rules[0]!.rule, /10\.244\.2\.21 \. 8080/);
  assert.match(web.find((s) => s.kind === 'in-rules-only')!.rules[0]!.rule, /10\.244\.2\.20 \. 8080/);
  // Remote endpoints have no hairpin element.
  assert.ok(!d.stale.some((s) => s.rules.some((r) => r.chain === '@hairpin-connections')));

  // Three endpoints on the node, one expected: two stale endpoints, the two fan-outs under both.
  const three = table(withPods(webPod('web-c', '10.244.1.11', 'worker-1')), '1.36');
  const one = table(withPods().replace(/kind: Pod\nmetadata: \{name: web-b[^]*?(?=---)/, 'kind: Namespace\nmetadata: {name: other}\n'), '1.36');
  const c = diffNftRules(one, three);
  nothingElse(c);
  assert.deepEqual(staleLines(c).filter((l) => l.startsWith('shop/web:')), ['shop/web:http 10.244.1.11:8080 in-rules-only', 'shop/web:http 10.244.2.20:8080 in-rules-only']);
  for (const s of c.stale.filter((x) => x.service === 'shop/web:http'))
    assert.deepEqual(s.rules.filter((r) => r.chain.startsWith('service-')).map((r) => /mod (\d)/.exec(r.rule)![1]).sort(), ['1', '3']);
});

test('v1.29-1.35 layout: a count change no longer leaves the vmap as missing plus extra', () => {
  const d = diffNftRules(table(withPods(webPod('web-c', '10.244.1.11', 'worker-1')), '1.35'), table(CLUSTER, '1.35'));
  nothingElse(d);
  assert.deepEqual(chainsOf(d, 'shop/web:http', '10.244.1.11:8080'), ['endpoint', 'endpoint', 'service', 'service']);
});

test('fan-outs that differ in more than their endpoints stay missing plus extra', () => {
  const base = renderNftables(stateOf(CLUSTER), { node: 'worker-1', profile: nftProfile('1.36') }).text;
  const fan = /^add rule ip kube-proxy (service-\S+-shop\/web\/tcp\/http) meta l4proto tcp dnat ip addr \. port to numgen random mod 2 map \{ 0 : 10\.244\.1\.10 \. 8080 , 1 : 10\.244\.2\.20 \. 8080 \}$/m;
  assert.match(base, fan);
  const variants = {
    // Another protocol, same endpoints.
    udp: base.replace(fan, (_l, c: string) => `add rule ip kube-proxy ${c} meta l4proto udp dnat ip addr . port to numgen random mod 2 map { 0 : 10.244.1.10 . 8080 , 1 : 10.244.2.20 . 8080 }`),
    // Another protocol and another endpoint: not a stale endpoint, a different rule.
    udpAndEndpoint: base.replace(fan, (_l, c: string) => `add rule ip kube-proxy ${c} meta l4proto udp dnat ip addr . port to numgen random mod 2 map { 0 : 10.244.1.10 . 8080 , 1 : 10.244.2.77 . 8080 }`),
    // The modulus does not match the map: one connection in three finds no slot.
    modulus: base.replace(fan, (_l, c: string) => `add rule ip kube-proxy ${c} meta l4proto tcp dnat ip addr . port to numgen random mod 3 map { 0 : 10.244.1.10 . 8080 , 1 : 10.244.2.20 . 8080 }`),
    // The same, with an endpoint changed as well: the broken modulus is not hidden under a stale endpoint.
    modulusAndEndpoint: base.replace(fan, (_l, c: string) => `add rule ip kube-proxy ${c} meta l4proto tcp dnat ip addr . port to numgen random mod 3 map { 0 : 10.244.1.10 . 8080 , 1 : 10.244.2.77 . 8080 }`),
  };
  for (const [what, text] of Object.entries(variants)) {
    const d = diffNftRules(parseNft(base), parseNft(text));
    assert.deepEqual(d.stale, [], what);
    assert.equal(d.missing.length, 1, what);
    assert.equal(d.extra.length, 1, what);
    assert.match(d.missing[0]!.rule, /mod 2 map/, what);
  }
});

test('IPv6 dnat map values name the endpoint as [ip]:port', () => {
  const t = (eps: string[]) =>
    parseNft(
      [
        'add table ip6 kube-proxy',
        'add chain ip6 kube-proxy service-AAAAAAAA-ns/web/tcp/http',
        `add rule ip6 kube-proxy service-AAAAAAAA-ns/web/tcp/http meta l4proto tcp dnat ip6 addr . port to numgen random mod ${eps.length} map { ${eps.map((e, i) => `${i} : ${e} . 80`).join(' , ')} }`,
      ].join('\n'),
    );
  const d = diffNftRules(t(['fd00::1', 'fd00::2']), t(['fd00::1']));
  nothingElse(d);
  assert.deepEqual(staleLines(d), ['ns/web:http [fd00::2]:80 expected-only']);
});

test('the editor\'s Import Node Rules diff of a lagging 1.36 node says stale endpoint, as ksd diff does', () => {
  const state = stateOf(withPods(webPod('web-c', '10.244.1.11', 'worker-1')));
  const dump = parseDump(renderNftables(stateOf(CLUSTER), { node: 'worker-1', profile: nftProfile('1.36') }).text);
  const r = importedDiff(state, 'worker-1', dump, 'worker-1.nft', '1.36');
  assert.match(r.text, /Stale endpoints \(3\)/);
  assert.match(r.text, /shop\/web:http 10\.244\.1\.11:8080: an endpoint now, but not in the node's rules yet \(3 entries\)/);
  assert.doesNotMatch(r.text, /missing on the node|not expected/);
});
