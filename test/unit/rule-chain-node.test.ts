/** The panel's Rules tab and the rule documents show the rules of the node picked (src/viewmodel/engines.ts, ruleDocument.ts, args.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeFromArg } from '../../src/viewmodel/args';
import { ruleChain } from '../../src/viewmodel/engines';
import { parseRuleDocumentParts, ruleDocumentParts } from '../../src/viewmodel/ruleDocument';
import { stateOf } from './helpers';

// test/server/ruleChainNode.test.ts's cluster: node-a (kubelet 1.33) holds the only endpoint of an eTP Local NodePort Service; node-b (1.29) none.
const yaml = `apiVersion: v1
kind: Node
metadata: {name: node-a}
status: {addresses: [{type: InternalIP, address: 192.168.0.11}], conditions: [{type: Ready, status: "True"}], nodeInfo: {kubeletVersion: v1.33.4}}
---
apiVersion: v1
kind: Node
metadata: {name: node-b}
status: {addresses: [{type: InternalIP, address: 192.168.0.12}], conditions: [{type: Ready, status: "True"}], nodeInfo: {kubeletVersion: v1.29.2}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {type: NodePort, externalTrafficPolicy: Local, clusterIP: 10.96.0.20, selector: {app: web}, ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: default, labels: {app: web}}
spec: {nodeName: node-a, containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]}
status: {phase: Running, podIP: 10.244.1.5, conditions: [{type: Ready, status: "True"}]}
`;
const ref = { namespace: 'default', name: 'web' };

test("ruleChain (panel, rule documents): the picked node's rules, release and flow; the first Node by default", () => {
  const state = stateOf(yaml);
  const a = ruleChain(state, { ref, mode: 'iptables', version: '', node: 'node-a' });
  const b = ruleChain(state, { ref, mode: 'iptables', version: '', node: 'node-b' });
  assert.ok(a.available && b.available);
  assert.deepEqual([a.node, b.node], ['node-a', 'node-b']);
  assert.match(a.text, /-A KUBE-SVL-\w+ .*-> 10\.244\.1\.5:8080/);
  assert.match(b.text, /has no local endpoints/);
  assert.doesNotMatch(a.text, /has no local endpoints/);
  assert.match(a.note ?? '', /node node-a's kubelet v1\.33\.4/);
  assert.match(b.note ?? '', /node node-b's kubelet v1\.29\.2/);
  // The flow is drawn from that node's whole rule set: node-a's reaches the local endpoint chain, node-b's does not.
  assert.ok(a.nodes.some((n) => n.label.startsWith('KUBE-SVL-')));
  assert.ok(!b.nodes.some((n) => n.label.startsWith('KUBE-SVL-')));
  for (const d of [undefined, '']) {
    const first = ruleChain(state, { ref, mode: 'iptables', version: '', ...(d === undefined ? {} : { node: d }) });
    assert.ok(first.available);
    assert.deepEqual([first.text, first.node], [a.text, 'node-a']);
  }
  const nft = ruleChain(state, { ref, mode: 'nftables', version: '1.33', node: 'node-b' });
  assert.ok(nft.available && nft.node === 'node-b' && nft.note === undefined);
  // A node the state does not have: unavailable, with the known ones named.
  const z = ruleChain(state, { ref, mode: 'iptables', version: '', node: 'node-z' });
  assert.deepEqual(z, { available: false, reason: 'no Node "node-z" in the given manifests (Nodes: node-a, node-b)' });
  // No Node at all: rules with no node named.
  const bare = ruleChain(stateOf(yaml.split('---\n').slice(2).join('---\n')), { ref, mode: 'iptables', version: '' });
  assert.ok(bare.available && bare.node === undefined);
});

test('rule document URIs carry the node only when one was picked, and read back', () => {
  const key = { ref, mode: 'nftables' as const, version: '1.33', node: 'node-b' };
  const parts = ruleDocumentParts(key);
  assert.deepEqual(parts, { path: '/default/web.nft', query: 'mode=nftables&version=1.33&node=node-b' });
  assert.deepEqual(parseRuleDocumentParts(parts.path, parts.query), key);
  // The first Node: the URI documents had before nodes could be picked.
  assert.deepEqual(ruleDocumentParts({ ...key, mode: 'iptables', version: '', node: '' }), { path: '/default/web.rules', query: 'mode=iptables&version=' });
  assert.deepEqual(parseRuleDocumentParts('/default/web.rules', 'mode=iptables&version='), { ref, mode: 'iptables', version: '', node: '' });
  // Hostile names stay data.
  const odd = { ref, mode: 'ipvs' as const, version: '', node: 'a&mode=nftables=#?' };
  const p = ruleDocumentParts(odd);
  assert.deepEqual(parseRuleDocumentParts(p.path, p.query), odd);
  assert.equal(parseRuleDocumentParts('/not/a/rule/doc', ''), undefined);
  // A name holding "/" or "%" (invalid, but a file can say anything) reads back instead of "Not a rule document".
  for (const name of ['<img src=x>`**b**`[l](http://x)', '50%2F', 'a%b/c']) {
    const k = { ref: { namespace: 'z/z', name }, mode: 'iptables' as const, version: '', node: '' };
    const kp = ruleDocumentParts(k);
    assert.equal(kp.path.split('/').length, 3, kp.path);
    assert.deepEqual(parseRuleDocumentParts(kp.path, kp.query), k);
  }
});

test('nodeFromArg: a node named in a command argument; anything else is none', () => {
  assert.equal(nodeFromArg({ namespace: 'default', name: 'web', node: 'node-b' }), 'node-b');
  for (const arg of [undefined, null, 'node-b', { node: 7 }, { node: '' }, { node: 'x'.repeat(300) }, { service: 'default/web' }]) assert.equal(nodeFromArg(arg), undefined, JSON.stringify(arg)?.slice(0, 40));
});

test("ruleChain: the nftables and IPVS flows are drawn from the picked node's rules too", () => {
  const state = stateOf(yaml);
  const flow = (mode: 'nftables' | 'ipvs', node: string) => {
    const r = ruleChain(state, { ref, mode, version: '', node });
    assert.ok(r.available, `${mode} ${node}`);
    return { labels: r.nodes.map((n) => n.label), edges: r.edges.map((e) => `${e.from} > ${e.to}`) };
  };
  // nftables: node-a holds the only endpoint, so external traffic goes to the Service's local chain; node-b has
  // none, so the node port lands in no-endpoint-nodeports and is dropped.
  const nftA = flow('nftables', 'node-a');
  const nftB = flow('nftables', 'node-b');
  assert.ok(nftA.labels.some((l) => l.startsWith('local-')));
  assert.ok(!nftA.labels.includes('DROP'));
  assert.ok(!nftB.labels.some((l) => l.startsWith('local-')));
  assert.ok(nftB.edges.some((e) => e.startsWith('ip/nodeport-endpoints-check > ')));
  // IPVS: the node port's virtual server sits on the picked node's own address.
  assert.ok(flow('ipvs', 'node-a').labels.includes('TCP 192.168.0.11:30080 rr'));
  const ipvsB = flow('ipvs', 'node-b').labels;
  assert.ok(ipvsB.includes('TCP 192.168.0.12:30080 rr') && !ipvsB.includes('TCP 192.168.0.11:30080 rr'));
});

test('IPVS flow, externalTrafficPolicy Local on a node with no local endpoint: the real servers are on other nodes and outside clients get no reply', () => {
  const state = stateOf(yaml);
  const flow = (node: string) => {
    const r = ruleChain(state, { ref, mode: 'ipvs', version: '', node });
    assert.ok(r.available, node);
    const label = (id: string) => r.nodes.find((n) => n.id === id)?.label ?? id;
    return { r, label };
  };
  const b = flow('node-b');
  const np = b.r.nodes.find((n) => n.label === 'TCP 192.168.0.12:30080 rr')!;
  // kube-proxy keeps the cluster's real servers there (kubernetes #97081) and writes no DROP: no DROP node, but the lost reply.
  const rs = b.r.edges.filter((e) => e.from === np.id && b.label(e.to) === '10.244.1.5:8080');
  assert.equal(rs.length, 1);
  assert.match(rs[0]!.label, /Masq weight 1 \(on another node\)/);
  const lost = b.r.edges.find((e) => e.from === np.id && b.r.nodes.find((n) => n.id === e.to)?.kind === 'reject');
  assert.ok(lost, JSON.stringify(b.r.edges));
  assert.equal(b.label(lost.to), 'outside clients get no reply');
  assert.match(lost.label, /no endpoint on this node.*only pods on this node are served \(kubernetes #97081; no DROP rule is written\)/);
  assert.ok(!b.r.nodes.some((n) => n.label === 'DROP'));
  // The ClusterIP is not external traffic: its virtual server has no such edge.
  const cluster = b.r.nodes.find((n) => n.label === 'TCP 10.96.0.20:80 rr')!;
  assert.ok(!b.r.edges.some((e) => e.from === cluster.id && e.to === lost.to));
  assert.ok(!b.r.edges.some((e) => e.from === cluster.id && /another node/.test(e.label)));
  // node-a holds the endpoint: its node port serves it locally.
  const a = flow('node-a');
  assert.ok(!a.r.nodes.some((n) => n.label === 'outside clients get no reply'));
  assert.ok(!a.r.edges.some((e) => /another node/.test(e.label)));
});
