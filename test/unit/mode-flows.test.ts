import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildClusterState, loadManifest, parseIpvsadm, parseNft, type IpvsVirtualServer } from '../../src/core';
import type { FlowEdge, FlowNode, RuleChainAvailable } from '../../src/protocol/webview';
import { ruleChain } from '../../src/viewmodel/engines';
import { ipvsFlow, realServerShares } from '../../src/viewmodel/ipvsFlow';
import { isServiceChain, nftChainKind, nftFlow } from '../../src/viewmodel/nftFlow';
import { flowClusterYaml } from './flowFixture';

const root = path.resolve(__dirname, '../../..');


const LB = `---
apiVersion: v1
kind: Service
metadata: {name: edge, namespace: shop}
spec:
  type: LoadBalancer
  clusterIP: 10.96.0.60
  selector: {app: api}
  externalTrafficPolicy: Local
  loadBalancerSourceRanges: [203.0.113.0/24]
  ports: [{name: http, port: 443, targetPort: http, nodePort: 30443}]
status:
  loadBalancer:
    ingress: [{ip: 198.51.100.10}]
`;

const state = (n: number, extra = '') => buildClusterState(loadManifest('/ws/a.yaml', flowClusterYaml(n, extra)).objects);

function chain(s: ReturnType<typeof state>, mode: 'nftables' | 'ipvs', version = '', name = 'api'): RuleChainAvailable {
  const view = ruleChain(s, { ref: { namespace: 'shop', name }, mode, version });
  assert.ok(view.available, view.available ? '' : view.reason);
  return view;
}

const labelOf = (nodes: FlowNode[]) => (id: string) => nodes.find((n) => n.id === id)?.label ?? id;
const near = (a: number | undefined, b: number) => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('nftables flow (1.36 layout): services dispatches through the service-ips and service-nodeports maps; numgen DNATs straight to each endpoint with 1/n', () => {
  const view = chain(state(3), 'nftables', '1.36');
  assert.equal(view.languageId, 'nftables');
  const label = labelOf(view.nodes);
  const viaIps = view.edges.find((e) => label(e.from) === 'services' && /^service-[A-Z2-7]{8}-shop\/api\/tcp\/http$/.test(label(e.to)));
  assert.ok(viaIps, JSON.stringify(view.edges));
  assert.match(viaIps.label, /10\.96\.0\.50 \. tcp \. 80 in @service-ips/);
  assert.ok(view.edges.some((e) => label(e.from) === 'services' && /^external-/.test(label(e.to)) && /tcp \. 30080 in @service-nodeports/.test(e.label)));
  const dnats = view.edges.filter((e) => /^DNAT 10\.244\.\d+\.\d+:8080$/.test(label(e.to)));
  assert.equal(dnats.length, 3);
  for (const e of dnats) near(e.probability, 1 / 3);
  assert.ok(dnats.every((e) => label(e.from).startsWith('service-')), 'no endpoint chains in the 1.36 layout without affinity');
  // The NodePort path marks for masquerade, then goes to the service chain.
  assert.ok(view.edges.some((e) => /^external-/.test(label(e.from)) && view.nodes.find((n) => n.id === e.to)?.kind === 'masquerade'));
  // Only this Service: api-v2's address and chains are not drawn.
  assert.ok(!view.edges.some((e) => e.label.includes('10.96.0.51') || label(e.to).includes('api-v2')));
});

test('nftables flow (1.33 layout): the service chain fans out to endpoint chains by numgen vmap, each endpoint chain DNATs and marks hairpin traffic', () => {
  const view = chain(state(2), 'nftables', '1.33');
  const label = labelOf(view.nodes);
  const toEndpoints = view.edges.filter((e) => label(e.from).startsWith('service-') && label(e.to).startsWith('endpoint-'));
  assert.equal(toEndpoints.length, 2);
  for (const e of toEndpoints) {
    near(e.probability, 0.5);
    assert.match(e.label, /numgen random mod 2 = [01]/);
    assert.equal(view.nodes.find((n) => n.id === e.to)?.kind, 'endpoint');
    assert.ok(view.edges.some((x) => x.from === e.to && /^DNAT /.test(label(x.to))), 'each endpoint chain DNATs');
    assert.ok(view.edges.some((x) => x.from === e.to && label(x.to) === 'mark-for-masquerade' && /ip saddr 10\.244\./.test(x.label)), 'hairpin mark');
  }
});

test('nftables flow: a Service without endpoints is drawn through no-endpoint-services to the reject chain', () => {
  const view = chain(state(0), 'nftables');
  const label = labelOf(view.nodes);
  const e = view.edges.find((x) => label(x.from) === 'service-endpoints-check' && label(x.to) === 'reject-chain');
  assert.ok(e, JSON.stringify(view.edges));
  assert.match(e.label, /10\.96\.0\.50 \. tcp \. 80 in @no-endpoint-services/);
  assert.ok(view.edges.some((x) => label(x.from) === 'reject-chain' && label(x.to) === 'REJECT'));
});

test('nftables flow of a node\'s real `nft list ruleset` output: the same dispatch and fan-out', () => {
  const rs = parseNft(readFileSync(path.join(root, 'test/fixtures/rules/nft-worker-1.nft'), 'utf8'));
  const flow = nftFlow(rs, 'shop/web');
  const label = labelOf(flow.nodes);
  assert.ok(flow.edges.some((e) => label(e.from) === 'services' && /10\.96\.10\.10 \. tcp \. 80 in @service-ips/.test(e.label)), JSON.stringify(flow.edges));
  const shares = flow.edges.filter((e) => e.probability !== undefined);
  assert.ok(shares.length >= 2);
  assert.ok(Math.abs(shares.reduce((n, e) => n + e.probability!, 0) - 1) < 1e-9, 'the fan-out adds up to 1');
  assert.deepEqual(nftFlow(rs, 'shop/nosuch').edges, []);
});

test('nftables chain names belong to their Service exactly; kinds follow kube-proxy\'s prefixes', () => {
  assert.ok(isServiceChain('service-ABCDEFGH-shop/api/tcp/http', 'shop/api'));
  assert.ok(isServiceChain('endpoint-ABCDEFGH-shop/api/tcp/http__10.0.0.1/80', 'shop/api'));
  assert.ok(!isServiceChain('service-ABCDEFGH-shop/api-v2/tcp/http', 'shop/api'));
  assert.ok(!isServiceChain('services', 'shop/api'));
  assert.equal(nftChainKind('services'), 'entry');
  assert.equal(nftChainKind('external-ABCDEFGH-a/b/tcp/'), 'external');
  assert.equal(nftChainKind('firewall-ABCDEFGH-a/b/tcp/'), 'firewall');
  assert.equal(nftChainKind('mark-for-masquerade'), 'masquerade');
  assert.equal(nftChainKind('reject-chain'), 'reject');
});

test('IPVS flow: a virtual server per address with its real servers and even shares; the ipset helpers decide masquerade', () => {
  const view = chain(state(2), 'ipvs');
  const label = labelOf(view.nodes);
  const kind = (id: string) => view.nodes.find((n) => n.id === id)?.kind;
  const cluster = view.nodes.find((n) => n.label === 'TCP 10.96.0.50:80 rr');
  assert.ok(cluster, view.nodes.map((n) => n.label).join(' | '));
  assert.equal(cluster.kind, 'service');
  const rs = view.edges.filter((e) => e.from === cluster.id && kind(e.to) === 'endpoint');
  assert.equal(rs.length, 2);
  for (const e of rs) {
    near(e.probability, 0.5);
    assert.match(e.label, /Masq weight 1/);
  }
  assert.ok(view.edges.some((e) => e.from === cluster.id && label(e.to) === 'KUBE-MARK-MASQ' && /set KUBE-CLUSTER-IP dst,dst/.test(e.label)));
  const np = view.nodes.find((n) => n.label === 'TCP 192.168.0.11:30080 rr');
  assert.equal(np?.kind, 'nodeport');
  assert.ok(view.edges.some((e) => e.from === np!.id && label(e.to) === 'KUBE-NODE-PORT'));
  assert.ok(view.edges.some((e) => label(e.from) === 'KUBE-NODE-PORT' && label(e.to) === 'KUBE-MARK-MASQ'));
  assert.ok(view.edges.some((e) => label(e.from) === 'KUBE-MARK-MASQ' && /MASQUERADE/.test(label(e.to))));
  assert.ok(!view.nodes.some((n) => n.label.includes('10.96.0.51')), 'only this Service');
});

test('IPVS flow: source ranges drop outsiders, externalTrafficPolicy Local keeps the client IP', () => {
  const view = chain(state(1, LB), 'ipvs', '', 'edge');
  const label = labelOf(view.nodes);
  const lb = view.nodes.find((n) => n.label === 'TCP 198.51.100.10:443 rr');
  assert.equal(lb?.kind, 'loadbalancer');
  assert.ok(view.edges.some((e) => e.from === lb!.id && label(e.to) === 'KUBE-SOURCE-RANGES-FIREWALL'));
  const drop = view.edges.find((e) => label(e.from) === 'KUBE-SOURCE-RANGES-FIREWALL' && label(e.to) === 'DROP');
  assert.match(drop?.label ?? '', /203\.0\.113\.0\/24/);
  assert.ok(view.edges.some((e) => label(e.from) === 'KUBE-LOAD-BALANCER' && /client IP kept/.test(label(e.to))));
  assert.ok(!view.edges.some((e) => label(e.from) === 'KUBE-LOAD-BALANCER' && label(e.to) === 'KUBE-MARK-MASQ'));
});

test('IPVS flow of ipvsadm output alone: weights decide the shares of weighted schedulers, drained servers get none, no helper is guessed', () => {
  const vs = (scheduler: string, weights: number[]): IpvsVirtualServer => ({ protocol: 'TCP', address: '10.96.0.9', port: 80, scheduler, flags: [], realServers: weights.map((w, i) => ({ address: `10.244.0.${i + 1}`, port: 8080, forward: 'Masq', weight: w, line: 0 })), line: 0 });
  assert.deepEqual(realServerShares(vs('wrr', [2, 1])), [2 / 3, 1 / 3]);
  assert.deepEqual(realServerShares(vs('rr', [2, 1])), [0.5, 0.5]);
  assert.deepEqual(realServerShares(vs('rr', [0, 1])), [0, 1]);
  assert.deepEqual(realServerShares(vs('rr', [0])), [0]);
  const table = parseIpvsadm(readFileSync(path.join(root, 'test/fixtures/rules/ipvs-worker-1.ipvsadm'), 'utf8'));
  const flow = ipvsFlow(table.virtualServers.filter((v) => v.address === '10.96.10.10'));
  const edges: FlowEdge[] = flow.edges;
  assert.equal(edges.length, 2);
  assert.match(edges[0]!.label, /weight 0 \(drained/);
  assert.equal(edges[0]!.probability, 0);
  assert.equal(edges[1]!.probability, 1);
  assert.ok(!flow.nodes.some((n) => n.kind === 'masquerade' || n.kind === 'firewall'));
  const empty = ipvsFlow(table.virtualServers.filter((v) => v.address === '10.96.10.12'));
  assert.ok(empty.nodes.some((n) => n.label === 'REJECT'));
});

test('IPVS flow: a Local-policy load balancer and external IP whose endpoints are all elsewhere lose outside clients\' replies; with a local endpoint they do not', () => {
  const remote = `${LB.replace('loadBalancerSourceRanges: [203.0.113.0/24]', 'externalIPs: [198.51.100.20]')}---
apiVersion: v1
kind: Node
metadata: {name: n2}
status:
  addresses: [{type: InternalIP, address: 192.168.0.12}]
  conditions: [{type: Ready, status: "True"}]
`;
  const s = state(1, remote);
  const flow = (node: string) => {
    const r = ruleChain(s, { ref: { namespace: 'shop', name: 'edge' }, mode: 'ipvs', version: '', node });
    assert.ok(r.available);
    return r;
  };
  const withEndpoint = flow('n1');
  const endpointNode = withEndpoint.edges.some((e) => /another node/.test(e.label)) ? 'n2' : 'n1';
  const here = flow(endpointNode);
  const elsewhere = flow(endpointNode === 'n1' ? 'n2' : 'n1');
  assert.ok(!here.nodes.some((n) => n.id === 'no-local-reply'));
  const lost = (r: typeof here, vs: string) => r.edges.some((e) => r.nodes.find((n) => n.id === e.from)?.label === vs && e.to === 'no-local-reply');
  for (const vs of ['TCP 198.51.100.10:443 rr', 'TCP 198.51.100.20:443 rr']) assert.ok(lost(elsewhere, vs), vs);
  assert.ok(!lost(elsewhere, 'TCP 10.96.0.60:443 rr'));
});

test('panel: a version typed wrong is answered in the editor\'s words (no ksd flag), what was typed cut to 40 characters', () => {
  const s = state(2);
  for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
    const bad = ruleChain(s, { ref: { namespace: 'shop', name: 'api' }, mode, version: 'banana' });
    assert.ok(!bad.available);
    assert.match(bad.reason, /^The kube-proxy version must look like 1\.\d+ or v1\.\d+\.2 \(got "banana"\)/, mode);
    const long = ruleChain(s, { ref: { namespace: 'shop', name: 'api' }, mode, version: 'x'.repeat(5000) });
    assert.ok(!long.available);
    assert.ok(long.reason.length < 400, `${mode}: ${long.reason.length} characters`);
    assert.ok(long.reason.includes(`(got "${'x'.repeat(40)}`) && !long.reason.includes('x'.repeat(41)), long.reason);
  }
});
