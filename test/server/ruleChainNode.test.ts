import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { RuleChainResult } from '../../src/protocol/lsp';
import { TestClient } from './client';

// ksd/ruleChain answers for the node asked for: the release read from the cluster, the node's addresses and,
// with externalTrafficPolicy Local, whether the node has a local endpoint all depend on it.
const NODES = `apiVersion: v1
kind: Node
metadata: {name: node-a}
status:
  addresses: [{type: InternalIP, address: 192.168.0.11}]
  conditions: [{type: Ready, status: "True"}]
  nodeInfo: {kubeletVersion: v1.33.4}
---
apiVersion: v1
kind: Node
metadata: {name: node-b}
status:
  addresses: [{type: InternalIP, address: 192.168.0.12}]
  conditions: [{type: Ready, status: "True"}]
  nodeInfo: {kubeletVersion: v1.29.2}
`;
const APP = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  type: NodePort
  externalTrafficPolicy: Local
  clusterIP: 10.96.0.20
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: default, labels: {app: web}}
spec:
  nodeName: node-a
  containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]
status:
  phase: Running
  podIP: 10.244.1.5
  conditions: [{type: Ready, status: "True"}]
`;

type Available = Extract<RuleChainResult, { available: true }>;
const web = { namespace: 'default', name: 'web' };
const NO_LOCAL = /^-A KUBE-EXTERNAL-SERVICES -m comment --comment "default\/web:http has no local endpoints" .*--dport 30080 -j DROP$/m;
const LOCAL_EP = /^-A KUBE-SVL-\w+ -m comment --comment "default\/web:http -> 10\.244\.1\.5:8080" -j KUBE-SEP-\w+$/m;

test('ksd/ruleChain: two nodes give two chains (an eTP Local Service with its only endpoint on node-a)', async () => {
  const c = await TestClient.start({ files: { 'nodes.yaml': NODES, 'web.yaml': APP } });
  try {
    const a = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web, node: 'node-a' })) as Available;
    const b = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web, node: 'node-b' })) as Available;
    assert.equal(a.available, true);
    assert.equal(b.available, true);
    assert.deepEqual([a.node, b.node], ['node-a', 'node-b']);
    // node-a serves node-port traffic from its local endpoint; node-b drops it (no local endpoint).
    assert.match(a.text, LOCAL_EP);
    assert.doesNotMatch(a.text, NO_LOCAL);
    assert.match(b.text, NO_LOCAL);
    assert.doesNotMatch(b.text, LOCAL_EP);
    // The release comes from each node's kubelet.
    assert.equal(a.note, "kube-proxy 1.33 (from node node-a's kubelet v1.33.4): rules in the v1.31+ iptables layout");
    assert.equal(b.note, "kube-proxy 1.29 (from node node-b's kubelet v1.29.2): rules in the v1.29 iptables layout");
    // No node: the first Node, as before, and the answer says which.
    const first = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web })) as Available;
    assert.deepEqual([first.text, first.note, first.node], [a.text, a.note, 'node-a']);
    assert.equal(((await c.request<RuleChainResult>('ksd/ruleChain', { service: web, node: '' })) as Available).text, a.text);
    // nftables follows the node too.
    const nftB = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web, node: 'node-b', mode: 'nftables', kubeProxyVersion: '1.33' })) as Available;
    const nftA = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web, node: 'node-a', mode: 'nftables', kubeProxyVersion: '1.33' })) as Available;
    assert.notEqual(nftA.text, nftB.text);
    // An unknown node or a wrong-typed one is refused with the reason, never thrown.
    const unknown = await c.request<RuleChainResult>('ksd/ruleChain', { service: web, node: 'node-z' });
    assert.deepEqual(unknown, { available: false, reason: 'no Node "node-z" in the given manifests (Nodes: node-a, node-b)' });
    const wrong = await c.request<RuleChainResult>('ksd/ruleChain', { service: web, node: 7 });
    assert.equal(wrong.available, false);
    assert.match(wrong.available ? '' : wrong.reason, /`node` must be a Node name/);
  } finally {
    await c.stop();
  }
});
