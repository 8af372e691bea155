/**
 * Upstream's packet-flow tests of pkg/proxy/nftables/proxier_test.go (edca5633, the v1.36 layout:
 * TestLoadBalancer, TestNodePorts, TestExternalTrafficPolicyLocal, TestExternalTrafficPolicyCluster),
 * re-expressed as traces through the rules we render for --kube-proxy-version 1.36: the same sources,
 * destinations, endpoints reached and masquerade decisions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nftProfile, parseNft, renderNftables, traceNft, type ClusterState } from '../../src/core';
import { docs, service, slice, stateOf } from './proxy-helpers';
import { FAKE_NODE, fakeState } from './proxy-nft-helpers';

const NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11'];
const EXTERNAL = '203.0.113.2';
const BLOCKED = '203.0.113.130';

interface Flow {
  name: string;
  from: string;
  to: string;
  port: number;
  /** "ip:port, ip:port" (endpoints reached), "DROP", "REJECT", or "" (not a Service: no verdict of ours). */
  output: string;
  masq?: boolean;
}

function runFlows(state: ClusterState, flows: Flow[]): void {
  const rs = parseNft(renderNftables(state, { masqueradeMark: '0x4000', profile: nftProfile('1.36') }).text);
  assert.deepEqual(rs.issues, []);
  for (const f of flows) {
    const t = traceNft(rs, { from: f.from, to: f.to, port: f.port, protocol: 'TCP' }, { source: NODE_IPS.includes(f.from) ? 'node' : 'pod', localIPs: NODE_IPS, nodeName: 'test-node' });
    if (f.output === 'DROP' || f.output === 'REJECT') {
      assert.equal(t.verdict, f.output, `${f.name}: ${t.explanation}`);
      continue;
    }
    if (f.output === '') {
      assert.ok(t.verdict === 'NONE' || t.verdict === 'ACCEPT', `${f.name}: ${t.verdict} ${t.explanation}`);
      assert.deepEqual(t.endpoints, [], f.name);
      continue;
    }
    assert.equal(t.verdict, 'DNAT', `${f.name}: ${t.explanation}`);
    assert.equal(t.endpoints.map((e) => `${e.ip}:${e.port}`).sort().join(', '), f.output, f.name);
    assert.equal(t.masquerade, f.masq ?? false, `${f.name}: masquerade`);
  }
}

const P80 = [{ name: 'p80', port: 80, protocol: 'TCP' }];

test('TestLoadBalancer (v1.36): source ranges with the node allowed, NodePorts bypass them, every path masqueraded', () => {
  const state = fakeState(
    service(
      'ns1',
      'svc1',
      { type: 'LoadBalancer', clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }], loadBalancerSourceRanges: ['192.168.0.0/24', ' 203.0.113.0/25'] },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { ip: '5.6.7.8' }] } },
    ),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'], nodeName: 'test-node' }], P80),
  );
  const ep = '10.180.0.1:80';
  runFlows(state, [
    { name: 'pod to cluster IP', from: '10.0.0.2', to: '172.30.0.41', port: 80, output: ep, masq: false },
    { name: 'external to nodePort', from: EXTERNAL, to: '192.168.0.2', port: 3001, output: ep, masq: true },
    { name: 'nodePort bypasses LoadBalancerSourceRanges', from: BLOCKED, to: '192.168.0.2', port: 3001, output: ep, masq: true },
    { name: 'accepted external to LB1', from: EXTERNAL, to: '1.2.3.4', port: 80, output: ep, masq: true },
    { name: 'accepted external to LB2', from: EXTERNAL, to: '5.6.7.8', port: 80, output: ep, masq: true },
    { name: 'blocked external to LB1', from: BLOCKED, to: '1.2.3.4', port: 80, output: 'DROP' },
    { name: 'blocked external to LB2', from: BLOCKED, to: '5.6.7.8', port: 80, output: 'DROP' },
    { name: 'pod to LB1 (blocked by LoadBalancerSourceRanges)', from: '10.0.0.2', to: '1.2.3.4', port: 80, output: 'DROP' },
    { name: 'pod to LB2 (blocked by LoadBalancerSourceRanges)', from: '10.0.0.2', to: '5.6.7.8', port: 80, output: 'DROP' },
    { name: 'node to LB1 (allowed by LoadBalancerSourceRanges)', from: '192.168.0.2', to: '1.2.3.4', port: 80, output: ep, masq: true },
    { name: 'node to LB2 (allowed by LoadBalancerSourceRanges)', from: '192.168.0.2', to: '5.6.7.8', port: 80, output: ep, masq: true },
    { name: 'same node to LB1, SNATted to LB1 (implicitly allowed)', from: '1.2.3.4', to: '1.2.3.4', port: 80, output: ep, masq: true },
    { name: 'same node to LB2, SNATted to LB2 (implicitly allowed)', from: '5.6.7.8', to: '5.6.7.8', port: 80, output: ep, masq: true },
  ]);
});

test('TestNodePorts (v1.36, IPv4): the primary node IP only, or every node IP in nodePortAddresses', () => {
  const objects = (nodePortAddresses: string[]) => [
    FAKE_NODE,
    JSON.stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'nftables', clusterCIDR: '10.0.0.0/8', detectLocalMode: 'ClusterCIDR', nodePortAddresses }),
    service('ns1', 'svc1', { type: 'NodePort', clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }] }),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'], nodeName: 'other-node' }, { addresses: ['10.180.2.1'], nodeName: 'test-node' }], P80),
  ];
  const both = '10.180.0.1:80, 10.180.2.1:80';
  const basic: Flow[] = [
    { name: 'pod to cluster IP', from: '10.0.0.2', to: '172.30.0.41', port: 80, output: both, masq: false },
    { name: 'external to nodePort', from: EXTERNAL, to: '192.168.0.2', port: 3001, output: both, masq: true },
    { name: 'node to nodePort', from: '192.168.0.2', to: '192.168.0.2', port: 3001, output: both, masq: true },
  ];
  const one = stateOf(docs(...objects(['192.168.0.2/32'])), { serviceCIDRs: ['172.30.0.0/16'] });
  runFlows(one, [...basic, { name: 'secondary nodeIP ignores NodePorts', from: EXTERNAL, to: '192.168.1.2', port: 3001, output: '' }]);
  const many = stateOf(docs(...objects(['192.168.0.0/24', '192.168.1.0/24', '2001:db8::/64'])), { serviceCIDRs: ['172.30.0.0/16'] });
  runFlows(many, [...basic, { name: 'external to nodePort on secondary IP', from: EXTERNAL, to: '192.168.1.2', port: 3001, output: both, masq: true }]);
});

function policyState(policy: 'Local' | 'Cluster'): ClusterState {
  return fakeState(
    service(
      'ns1',
      'svc1',
      {
        type: 'LoadBalancer',
        externalTrafficPolicy: policy,
        clusterIP: '172.30.0.41',
        externalIPs: ['192.168.99.11'],
        ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001, targetPort: 80 }],
        ...(policy === 'Local' ? { healthCheckNodePort: 30000 } : {}),
      },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    ),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'], nodeName: 'other-node' }, { addresses: ['10.180.2.1'], nodeName: 'test-node' }], P80),
  );
}

test('TestExternalTrafficPolicyLocal (v1.36): external traffic reaches only the local endpoint, unmasqueraded; pods reach both', () => {
  const both = '10.180.0.1:80, 10.180.2.1:80';
  const local = '10.180.2.1:80';
  runFlows(policyState('Local'), [
    { name: 'pod to cluster IP hits both endpoints, unmasqueraded', from: '10.0.0.2', to: '172.30.0.41', port: 80, output: both, masq: false },
    { name: 'pod to external IP hits both endpoints, unmasqueraded', from: '10.0.0.2', to: '192.168.99.11', port: 80, output: both, masq: false },
    { name: 'external to external IP hits only local endpoint, unmasqueraded', from: EXTERNAL, to: '192.168.99.11', port: 80, output: local, masq: false },
    { name: 'pod to LB IP hits only both endpoints, unmasqueraded', from: '10.0.0.2', to: '1.2.3.4', port: 80, output: both, masq: false },
    { name: 'external to LB IP hits only local endpoint, unmasqueraded', from: EXTERNAL, to: '1.2.3.4', port: 80, output: local, masq: false },
    { name: 'pod to NodePort hits both endpoints, unmasqueraded', from: '10.0.0.2', to: '192.168.0.2', port: 3001, output: both, masq: false },
    { name: 'external to NodePort hits only local endpoint, unmasqueraded', from: EXTERNAL, to: '192.168.0.2', port: 3001, output: local, masq: false },
  ]);
});

test('TestExternalTrafficPolicyCluster (v1.36): every external destination is masqueraded, the ClusterIP is not', () => {
  const both = '10.180.0.1:80, 10.180.2.1:80';
  runFlows(policyState('Cluster'), [
    { name: 'pod to cluster IP hits both endpoints, unmasqueraded', from: '10.0.0.2', to: '172.30.0.41', port: 80, output: both, masq: false },
    { name: 'pod to external IP hits both endpoints, masqueraded', from: '10.0.0.2', to: '192.168.99.11', port: 80, output: both, masq: true },
    { name: 'external to external IP hits both endpoints, masqueraded', from: EXTERNAL, to: '192.168.99.11', port: 80, output: both, masq: true },
    { name: 'pod to LB IP hits both endpoints, masqueraded', from: '10.0.0.2', to: '1.2.3.4', port: 80, output: both, masq: true },
    { name: 'external to LB IP hits both endpoints, masqueraded', from: EXTERNAL, to: '1.2.3.4', port: 80, output: both, masq: true },
    { name: 'pod to NodePort hits both endpoints, masqueraded', from: '10.0.0.2', to: '192.168.0.2', port: 3001, output: both, masq: true },
    { name: 'external to NodePort hits both endpoints, masqueraded', from: EXTERNAL, to: '192.168.0.2', port: 3001, output: both, masq: true },
  ]);
});
