import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest, parseRules, rulesRenderer } from '../../src/core';
import { importedDiff, runTrace } from '../../src/extension/traceRunner';
import { dumpTracer, type RulesDump } from '../../src/tracing/importedRules';
import { ruleChain } from '../../src/viewmodel/engines';
import { chainKind, commentIsFor } from '../../src/viewmodel/ruleFlow';
import { flowClusterYaml } from './flowFixture';

const state = (n: number) => buildClusterState(loadManifest('/ws/a.yaml', flowClusterYaml(n)).objects);

test('rule flow: KUBE-SERVICES and KUBE-NODEPORTS into the SVC chain, then each SEP with its effective probability', () => {
  const view = ruleChain(state(3), { ref: { namespace: 'shop', name: 'api' }, mode: 'iptables', version: '' });
  assert.ok(view.available);
  assert.equal(view.languageId, 'iptables-save');
  const label = (id: string) => view.nodes.find((n) => n.id === id)?.label ?? id;
  const seps = view.edges.filter((e) => label(e.to).startsWith('KUBE-SEP-'));
  assert.equal(seps.length, 3);
  for (const e of seps) assert.ok(Math.abs(e.probability! - 1 / 3) < 1e-6, String(e.probability));
  assert.ok(view.edges.some((e) => label(e.from) === 'KUBE-SERVICES' && /^KUBE-SVC-/.test(label(e.to)) && e.label.includes('to 10.96.0.50') && e.label.includes('dpt:80')));
  assert.ok(view.edges.some((e) => label(e.from) === 'KUBE-NODEPORTS' && /dpt:30080/.test(e.label)));
  assert.ok(view.edges.some((e) => /^DNAT 10\.244\.\d+\.\d+:8080$/.test(label(e.to))));
  // Only this Service: api-v2 shares the pods but not the chains.
  assert.ok(!view.edges.some((e) => e.label.includes('10.96.0.51')));
  assert.ok(view.nodes.every((n) => n.kind !== 'other' || /MARK|DNAT|KUBE-/.test(n.label)));
});

test('rule chain: an unknown kube-proxy version and a missing renderer are named, not guessed', () => {
  const s = state(1);
  const old = ruleChain(s, { ref: { namespace: 'shop', name: 'api' }, mode: 'iptables', version: '0.1' });
  assert.equal(old.available, false);
  assert.match((old as { reason: string }).reason, /0\.1/);
  const ext = ruleChain(buildClusterState(loadManifest('/a.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {type: ExternalName, externalName: a.example.com}\n').objects), { ref: { namespace: 'default', name: 'x' }, mode: 'iptables', version: '' });
  assert.match((ext as { reason: string }).reason, /ExternalName/);
});

test('comments are matched to the Service exactly (api is not api-v2)', () => {
  assert.ok(commentIsFor('"shop/api:http cluster IP"', 'shop/api'));
  assert.ok(commentIsFor('shop/api', 'shop/api'));
  assert.ok(commentIsFor('shop/api -> 10.0.0.1:80', 'shop/api'));
  assert.ok(!commentIsFor('shop/api-v2 cluster IP', 'shop/api'));
  assert.ok(!commentIsFor(undefined, 'shop/api'));
});

test('trace from the panel: ClusterIP from outside DNATs to every endpoint with 1/n, through the node rules', () => {
  const view = runTrace(state(2), { ref: { namespace: 'shop', name: 'api' }, from: '203.0.113.10', to: '10.96.0.50:80', protocol: 'TCP', node: '', mode: 'iptables' });
  assert.ok(view.available);
  const r = view.result;
  assert.equal(r.verdict, 'DNAT');
  assert.equal(r.endpoints.length, 2);
  for (const e of r.endpoints) {
    assert.equal(e.port, 8080);
    assert.ok(Math.abs(e.probability - 0.5) < 1e-9);
  }
  assert.equal(r.node, 'n1');
  assert.ok(r.steps.some((s) => s.chain === 'KUBE-SERVICES'));
  assert.ok(r.explanation.length > 0);
});

test('trace: no endpoints is a REJECT in iptables and nftables modes; unknown sources are clear messages', () => {
  const s = state(0);
  const rejected = runTrace(s, { ref: null, from: '203.0.113.10', to: '10.96.0.50:80', protocol: 'TCP', node: '', mode: 'iptables' });
  assert.ok(rejected.available && rejected.result.verdict === 'REJECT');
  const nft = runTrace(s, { ref: null, from: '203.0.113.10', to: '10.96.0.50:80', protocol: 'TCP', node: '', mode: 'nftables' });
  assert.ok(nft.available && nft.result.verdict === 'REJECT');
  assert.ok(nft.available && nft.result.steps.some((st) => st.table === 'ip kube-proxy'));
  assert.throws(() => runTrace(s, { ref: null, from: 'nosuchpod', to: '10.96.0.50:80', protocol: 'TCP', node: '', mode: 'iptables' }), /not an IP address/);
  assert.throws(() => runTrace(s, { ref: null, from: '10.0.0.1', to: '10.96.0.50', protocol: 'TCP', node: '', mode: 'iptables' }), /DST:PORT/);
  assert.throws(() => runTrace(s, { ref: null, from: '10.0.0.1', to: '10.96.0.50:80', protocol: 'TCP', node: 'ghost', mode: 'iptables' }), /no such Node/);
});

test('imported rules: the expected dump matches itself; a node missing an endpoint shows it stale; traces follow the imported rules', () => {
  const s = state(2);
  const text = rulesRenderer('iptables').render({ state: s, node: 'n1', format: 'save' });
  const dump = (t: string): RulesDump => ({ kind: 'iptables', rules: parseRules(t) });
  assert.match(importedDiff(s, 'n1', dump(text), 'node.rules', '').text, /They match/);
  // The node has not caught up: one endpoint's SEP chain and jump are gone.
  const sep = /^-A KUBE-SVC-\S+ .*"shop\/api:http -> .*-j (KUBE-SEP-\S+)$/m.exec(text)![1]!;
  const behind = text.split('\n').filter((l) => !l.includes(sep)).join('\n');
  const { diff, text: report } = importedDiff(s, 'n1', dump(behind), 'node.rules', '');
  assert.ok(diff.stale.length + diff.missing.length > 0, report);
  assert.match(report, /Stale endpoints|missing/);
  const view = runTrace(s, { ref: null, from: '203.0.113.10', to: '10.96.0.50:80', protocol: 'TCP', node: 'n1', mode: 'iptables' }, { info: { id: 'i1', file: 'node.rules', kind: 'iptables', node: 'n1', family: 'IPv4', differences: 1 }, tracer: () => dumpTracer(dump(behind)) });
  assert.ok(view.available);
  assert.equal(view.result.endpoints.length, 1, 'only the endpoint left in the node rules');
});

test('chain kinds: legacy KUBE-XLB chains are external, KUBE-MARK-DROP is part of the firewall path', () => {
  assert.equal(chainKind('KUBE-XLB-ABCDEFGHIJKLMNOP'), 'external');
  assert.equal(chainKind('KUBE-EXT-ABCDEFGHIJKLMNOP'), 'external');
  assert.equal(chainKind('KUBE-MARK-DROP'), 'firewall');
  assert.equal(chainKind('KUBE-MARK-MASQ'), 'masquerade');
  assert.equal(chainKind('KUBE-SEP-ABCDEFGHIJKLMNOP'), 'endpoint');
  assert.equal(chainKind('KUBE-SOMETHING-ELSE'), 'other');
});
