/**
 * The diff when a Service port's endpoints all went (the manifests give none, the node still routes to the
 * old ones) or all came (the node still rejects, the manifests give endpoints): the "has no endpoints"
 * REJECTs / no-endpoint map elements and the port's chains, SEP chains, dnat maps and real servers are
 * filed under the stale endpoints, by layout (iptables v1.31+ and v1.23's KUBE-XLB, nftables 1.35 and 1.36,
 * IPVS). What the change does not explain (a port, a comment, an affinity timeout) stays missing/extra.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildClusterState, diffIpvs, diffNftRules, diffRules, ipvsDiffSide, listNftTable, loadManifest, nftProfile, parseNft, parseRules, renderIPTablesRules, renderIpvs, renderNftables, type RulesDiff } from '../../src/core';
import { importedDiff } from '../../src/extension/traceRunner';
import { parseDump } from '../../src/tracing/importedRules';

const root = path.resolve(__dirname, '../../..');
const CLUSTER = readFileSync(path.join(root, 'test/fixtures/trace/cluster.yaml'), 'utf8');
/** web-a and web-b not ready: shop/web, sticky, lb and local have no endpoints at all. */
const NONE = CLUSTER.replace(/(podIPs: \[\{ip: 10\.244\.[12]\.[12]0\}\]\n {2}conditions: \[\{type: Ready, status: )"True"/g, '$1"False"');
const stateOf = (yaml: string) => buildClusterState(loadManifest('/ws/cluster.yaml', yaml).objects);
const ipt = (yaml: string, version: string, node = 'worker-1') => renderIPTablesRules({ state: stateOf(yaml), node, version, format: 'save', families: ['IPv4'] });
const nft = (yaml: string, version: string, node = 'worker-1') => renderNftables(stateOf(yaml), { node, profile: nftProfile(version) }).text;

const BOTH = ['10.244.1.10:8080', '10.244.2.20:8080'];
/** The stale endpoints of each port, as `svc endpoint kind`. */
const expectedStale = (kind: string) => [
  ...BOTH.map((e) => `shop/lb:http ${e} ${kind}`),
  `shop/local:http 10.244.1.10:8080 ${kind}`,
  ...BOTH.map((e) => `shop/sticky:http ${e} ${kind}`),
  ...BOTH.map((e) => `shop/web:http ${e} ${kind}`),
];
const staleLines = (d: RulesDiff) => d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind}`);
const nothingElse = (d: RulesDiff) => assert.deepEqual([d.missing, d.extra, d.missingChains, d.extraChains], [[], [], [], []], JSON.stringify(d, null, 1));
const rowsOf = (d: RulesDiff, service: string, endpoint: string) => d.stale.find((s) => s.service === service && s.endpoint === endpoint)!.rules;

test('NONE has no endpoints for the web Services (the fixture edit took)', () => {
  assert.equal(NONE.match(/status: "False"/g)?.length, 3);
  assert.match(ipt(NONE, '1.31'), /"shop\/web:http has no endpoints"/);
});

for (const version of ['1.31', '1.23']) {
  test(`iptables ${version}: all endpoints gone or all come: REJECTs and the port's chains are stale endpoints`, () => {
    const some = parseRules(ipt(CLUSTER, version));
    const none = parseRules(ipt(NONE, version));
    for (const [expected, actual, kind] of [[none, some, 'in-rules-only'], [some, none, 'expected-only']] as const) {
      const d = diffRules(expected, actual);
      nothingElse(d);
      assert.deepEqual(staleLines(d), expectedStale(kind));
      // shop/web's cluster IP: the REJECT on one side, the nat jump and KUBE-SVC on the other; each SEP under its endpoint.
      for (const ep of BOTH) {
        const rows = rowsOf(d, 'shop/web:http', ep).map((r) => `${r.table} ${r.chain.replace(/-[A-Z0-9]{16}$/, '')}`).sort();
        assert.deepEqual(rows, ['filter KUBE-SERVICES', 'nat KUBE-SEP', 'nat KUBE-SEP', 'nat KUBE-SERVICES', 'nat KUBE-SVC', 'nat KUBE-SVC']);
        assert.ok(rowsOf(d, 'shop/web:http', ep).some((r) => r.rule.includes('"shop/web:http has no endpoints"') && r.rule.includes('-j REJECT')));
        assert.ok(rowsOf(d, 'shop/web:http', ep).every((r) => !r.chain.startsWith('KUBE-SEP-') || r.rule.includes(ep.split(':')[0]!)));
      }
      // The NodePort REJECT (--dst-type LOCAL) goes with the KUBE-NODEPORTS jump it replaces.
      const local = rowsOf(d, 'shop/local:http', '10.244.1.10:8080');
      assert.ok(local.some((r) => r.chain === 'KUBE-EXTERNAL-SERVICES' && r.rule.includes('--dport 30081') && r.rule.includes('-j REJECT')));
      assert.ok(local.some((r) => r.chain === 'KUBE-NODEPORTS' && r.rule.includes('--dport 30081')));
      assert.ok(local.some((r) => r.chain.startsWith(version === '1.23' ? 'KUBE-XLB-' : 'KUBE-EXT-')));
    }
  });
}

test('iptables: eTP Local with only remote endpoints (DROP "has no local endpoints") against REJECT pairs too', () => {
  const some = parseRules(ipt(CLUSTER, '1.31', 'worker-2'));
  const none = parseRules(ipt(NONE, '1.31', 'worker-2'));
  const d = diffRules(none, some);
  nothingElse(d);
  const local = rowsOf(d, 'shop/local:http', '10.244.1.10:8080');
  assert.ok(local.some((r) => r.rule.includes('"shop/local:http has no local endpoints"') && r.rule.includes('-j DROP')));
  assert.ok(local.some((r) => r.rule.includes('"shop/local:http has no endpoints"') && r.rule.includes('-j REJECT')));
});

test('iptables: what the endpoint change does not explain stays missing or extra', () => {
  const some = ipt(CLUSTER, '1.31');
  const none = ipt(NONE, '1.31');
  // The node jumps to shop/web on port 81: its REJECT for port 80 has nothing to pair with.
  const jump = /^(-A KUBE-SERVICES -d 10\.96\.10\.10\/32 -p tcp -m comment --comment "shop\/web:http cluster IP" -m tcp --dport )80( -j KUBE-SVC-\S+)$/m;
  assert.match(some, jump);
  const port = diffRules(parseRules(none), parseRules(some.replace(jump, '$181$2')));
  assert.deepEqual(port.missing.map((r) => r.rule).filter((r) => r.includes('shop/web')), [
    '-A KUBE-SERVICES -d 10.96.10.10/32 -p tcp -m comment --comment "shop/web:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
  ]);
  assert.ok(port.extra.some((r) => r.rule.includes('--dport 81') && r.rule.includes('shop/web:http cluster IP')));
  assert.ok(!staleLines(port).some((l) => l.startsWith('shop/web:')));
  // The node's REJECT names another Service: not shop/web's, so shop/web's rules are simply missing.
  const reject = /"shop\/web:http has no endpoints"/;
  const comment = diffRules(parseRules(some), parseRules(none.replace(reject, '"shop/other:http has no endpoints"')));
  assert.ok(!staleLines(comment).some((l) => l.startsWith('shop/web:')));
  assert.ok(comment.extra.some((r) => r.rule.includes('shop/other:http has no endpoints')));
  assert.ok(comment.missingChains.some((c) => c.startsWith('nat/KUBE-SVC-')));
  assert.ok(comment.missing.some((r) => r.rule.includes('"shop/web:http cluster IP"')));
});

test('iptables 1.23: a SVC -> SEP jump commented with the service only belongs to the SEP it targets', () => {
  const webC = `---\napiVersion: v1\nkind: Pod\nmetadata: {name: web-c, namespace: shop, labels: {app: web}}\nspec:\n  nodeName: worker-1\n  containers: [{name: web, image: nginx, ports: [{name: http, containerPort: 8080}]}]\nstatus:\n  phase: Running\n  podIP: 10.244.1.11\n  podIPs: [{ip: 10.244.1.11}]\n  conditions: [{type: Ready, status: "True"}]\n`;
  const d = diffRules(parseRules(ipt(`${CLUSTER.trimEnd()}\n${webC}`, '1.23')), parseRules(ipt(CLUSTER, '1.23')));
  nothingElse(d);
  assert.deepEqual(staleLines(d), ['shop/lb:http', 'shop/sticky:http', 'shop/web:http'].map((s) => `${s} 10.244.1.11:8080 expected-only`));
  // The re-weighted jumps (1/3 expected, 1/2 on the node) are among its rows.
  assert.ok(rowsOf(d, 'shop/web:http', '10.244.1.11:8080').some((r) => r.chain.startsWith('KUBE-SVC-') && r.rule.includes('0.33333333')));
});

for (const version of ['1.35', '1.36']) {
  test(`nftables ${version}: all endpoints gone or all come: no-endpoint elements and the port's chains are stale endpoints`, () => {
    for (const form of ['transaction', 'list'] as const) {
      const text = (yaml: string) => (form === 'transaction' ? nft(yaml, version) : listNftTable(parseNft(nft(yaml, version)).tables[0]!));
      const some = parseNft(nft(CLUSTER, version));
      const none = parseNft(text(NONE));
      for (const [expected, actual, kind] of [[none, some, 'in-rules-only'], [some, none, 'expected-only']] as const) {
        const d = diffNftRules(expected, actual);
        nothingElse(d);
        assert.deepEqual(staleLines(d), expectedStale(kind));
        for (const ep of BOTH) {
          const rows = rowsOf(d, 'shop/web:http', ep);
          assert.ok(rows.some((r) => r.chain === '@no-endpoint-services' && /10\.96\.10\.10 \. tcp \. 80 : goto reject-chain/.test(r.rule)));
          assert.ok(rows.some((r) => r.chain === '@service-ips' && /10\.96\.10\.10 \. tcp \. 80 : goto service-/.test(r.rule)));
          assert.ok(rows.some((r) => r.chain.startsWith('service-')));
        }
        const local = rowsOf(d, 'shop/local:http', '10.244.1.10:8080').map((r) => r.chain);
        assert.ok(local.includes('@no-endpoint-nodeports') && local.includes('@service-nodeports'));
        assert.ok(local.some((c) => c.startsWith('external-')));
      }
    }
  });
}

test('nftables 1.36: eTP Local with only remote endpoints (drop elements) against reject elements pairs too', () => {
  const d = diffNftRules(parseNft(nft(NONE, '1.36', 'worker-2')), parseNft(nft(CLUSTER, '1.36', 'worker-2')));
  nothingElse(d);
  const rows = rowsOf(d, 'shop/local:http', '10.244.1.10:8080').map((r) => `${r.chain} ${r.rule}`);
  assert.ok(rows.includes('@no-endpoint-nodeports tcp . 30081 : drop'));
  assert.ok(rows.includes('@no-endpoint-nodeports tcp . 30081 : goto reject-chain'));
});

test('nftables: a no-endpoint element whose port matches nothing on the node stays missing, the node\'s element extra', () => {
  const some = nft(CLUSTER, '1.36');
  const moved = some.replace(/service-ips \{ 10\.96\.10\.10 \. tcp \. 80 :/, 'service-ips { 10.96.10.10 . tcp . 81 :');
  assert.notEqual(moved, some);
  const d = diffNftRules(parseNft(nft(NONE, '1.36')), parseNft(moved));
  assert.ok(d.missing.some((r) => r.rule === '10.96.10.10 . tcp . 80 : goto reject-chain'));
  assert.ok(d.extra.some((r) => r.rule.startsWith('10.96.10.10 . tcp . 81 : goto service-')));
  assert.ok(!staleLines(d).some((l) => l.startsWith('shop/web:')));
  assert.ok(d.extraChains.some((c) => c.includes('service-') && c.includes('shop/web/')));
});

test('IPVS: virtual servers stay, their real servers are the stale endpoints; a persistence timeout is not', () => {
  const side = (yaml: string) => ipvsDiffSide(renderIpvs(stateOf(yaml), { node: 'worker-1' }));
  for (const [expected, actual, kind] of [[side(NONE), side(CLUSTER), 'in-rules-only'], [side(CLUSTER), side(NONE), 'expected-only']] as const) {
    const d = diffIpvs(expected, actual);
    nothingElse(d);
    assert.deepEqual(staleLines(d), expectedStale(kind));
    assert.ok(rowsOf(d, 'shop/web:http', '10.244.1.10:8080').some((r) => r.rule.startsWith('-> 10.244.1.10:8080')));
    // A not-ready local endpoint keeps its KUBE-LOOP-BACK entry (kube-proxy fills it from every local endpoint it
    // knows, ready or not), so the ipsets do not differ: nothing about them is reported.
    assert.ok(d.stale.every((s) => s.rules.every((r) => r.table === 'ipvs')));
  }
  const node = side(CLUSTER);
  const sticky = node.table.virtualServers.find((vs) => vs.address === '10.96.10.11')!;
  sticky.persistent = 100;
  const d = diffIpvs(side(NONE), node);
  assert.ok(d.missing.some((r) => r.rule.includes('10.96.10.11:80') && r.rule.includes('persistent 10800')));
  assert.ok(d.extra.some((r) => r.rule.includes('10.96.10.11:80') && r.rule.includes('persistent 100')));
  assert.ok(staleLines(d).includes('shop/sticky:http 10.244.1.10:8080 in-rules-only'));
});

test('the editor\'s Import Node Rules diff says stale endpoints for a node that has not seen them all go', () => {
  for (const [dumpText, version] of [[ipt(CLUSTER, '1.31'), '1.31'], [nft(CLUSTER, '1.36'), '1.36']] as const) {
    const r = importedDiff(stateOf(NONE), 'worker-1', parseDump(dumpText), 'worker-1.rules', version);
    assert.match(r.text, /Stale endpoints \(7\)/);
    assert.match(r.text, /shop\/web:http 10\.244\.1\.10:8080: still in the node's rules, but no longer an endpoint/);
    assert.doesNotMatch(r.text, /missing on the node|not expected/);
  }
});
