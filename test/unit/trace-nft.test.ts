/** nftables-mode traces through generated rules, checked against upstream's packet-flow expectations (proxier_test.go). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNft, renderNftables, traceNft, type ClusterState, type Protocol, type TraceDetail } from '../../src/core';
import { service, slice } from './proxy-helpers';
import { fakeState } from './proxy-nft-helpers';

const NODE_IPS = ['192.168.0.2', '192.168.1.2', '192.168.99.11'];

function trace(state: ClusterState, from: string, to: string, port: number, protocol: Protocol = 'TCP'): TraceDetail {
  const rs = parseNft(renderNftables(state, { masqueradeMark: '0x4000' }).text);
  return traceNft(rs, { from, to, port, protocol }, { source: NODE_IPS.includes(from) || from.startsWith('127.') ? 'node' : 'pod', localIPs: NODE_IPS, nodeName: 'test-node' });
}

/** Upstream's packet-flow output form: "REJECT", "DROP", "" or "ip:port, ip:port". */
function output(d: TraceDetail): string {
  if (d.verdict === 'DNAT') return d.endpoints.map((e) => `${e.ip}:${e.port}`).sort().join(', ');
  return d.verdict === 'NONE' || d.verdict === 'ACCEPT' ? '' : d.verdict;
}

function check(state: ClusterState, flows: [string, string, string, number, string, boolean?, Protocol?][]): void {
  for (const [name, from, to, port, want, masq, proto] of flows) {
    const d = trace(state, from, to, port, proto);
    assert.equal(output(d), want, `${name}: ${d.explanation}`);
    if (masq !== undefined) assert.equal(d.masquerade, masq, `${name} masquerade: ${d.explanation}`);
  }
}

test('TestNoEndpointsReject: every address of a Service without endpoints rejects', () => {
  const state = fakeState(
    service('ns1', 'svc1', { type: 'LoadBalancer', clusterIP: '172.30.0.41', externalIPs: ['192.168.99.11'], ports: [{ name: 'p80', protocol: 'TCP', port: 80, nodePort: 3001 }] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }),
  );
  check(state, [
    ['pod to cluster IP with no endpoints', '10.0.0.2', '172.30.0.41', 80, 'REJECT'],
    ['external to external IP with no endpoints', '203.0.113.2', '192.168.99.11', 80, 'REJECT'],
    ['pod to NodePort with no endpoints', '10.0.0.2', '192.168.0.2', 3001, 'REJECT'],
    ['external to NodePort with no endpoints', '203.0.113.2', '192.168.0.2', 3001, 'REJECT'],
    ['pod to LoadBalancer IP with no endpoints', '10.0.0.2', '1.2.3.4', 80, 'REJECT'],
    ['external to LoadBalancer IP with no endpoints', '203.0.113.2', '1.2.3.4', 80, 'REJECT'],
  ]);
  const d = trace(state, '10.0.0.2', '172.30.0.41', 80);
  assert.match(d.explanation, /Service port ns1\/svc1:p80 has no endpoints/);
});

function clusterIPGeneral(): ClusterState {
  return fakeState(
    service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
    service('ns2', 'svc2', {
      clusterIP: '172.30.0.42',
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
        { name: 'dns-udp', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 5353 },
        { name: 'dns-sctp', port: 53, protocol: 'SCTP' },
      ],
    }),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'], nodeName: 'test-node' }], [{ name: 'http', port: 80, protocol: 'TCP' }]),
    slice(
      'ns2',
      'svc2',
      [
        { addresses: ['10.180.0.1'], nodeName: 'test-node' },
        { addresses: ['10.180.2.1'], nodeName: 'node2' },
      ],
      [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'https', port: 8443, protocol: 'TCP' },
        { name: 'dns-udp', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
        { name: 'dns-sctp', port: 53, protocol: 'SCTP' },
      ],
    ),
  );
}

test('TestClusterIPGeneral: ports, protocols, hairpin, and the nft-only REJECT and DROP', () => {
  check(clusterIPGeneral(), [
    ['simple clusterIP', '10.180.0.2', '172.30.0.41', 80, '10.180.0.1:80', false],
    ['hairpin to cluster IP', '10.180.0.1', '172.30.0.41', 80, '10.180.0.1:80', true],
    ['clusterIP with multiple endpoints', '10.180.0.2', '172.30.0.42', 80, '10.180.0.1:80, 10.180.2.1:80', false],
    ['clusterIP with TargetPort', '10.180.0.2', '172.30.0.42', 443, '10.180.0.1:8443, 10.180.2.1:8443', false],
    ['TCP on a port shared with UDP and SCTP', '10.180.0.2', '172.30.0.42', 53, '10.180.0.1:5353, 10.180.2.1:5353', false, 'TCP'],
    ['UDP on a port shared with TCP and SCTP', '10.180.0.2', '172.30.0.42', 53, '10.180.0.1:53, 10.180.2.1:53', false, 'UDP'],
    ['SCTP on a port shared with TCP and UDP', '10.180.0.2', '172.30.0.42', 53, '10.180.0.1:53, 10.180.2.1:53', false, 'SCTP'],
    ['TCP-only port does not match UDP traffic', '10.180.0.2', '172.30.0.42', 80, 'REJECT', undefined, 'UDP'],
    ["svc1 does not accept svc2's ports", '10.180.0.2', '172.30.0.41', 443, 'REJECT'],
    ['packet to unallocated cluster ip', '10.180.0.2', '172.30.0.50', 80, 'DROP'],
  ]);
  const two = trace(clusterIPGeneral(), '10.180.0.2', '172.30.0.42', 80);
  assert.deepEqual(two.endpoints.map((e) => e.probability), [0.5, 0.5]);
  assert.match(trace(clusterIPGeneral(), '10.180.0.2', '172.30.0.41', 443).explanation, /no Service port 443\/TCP is defined/);
  assert.match(trace(clusterIPGeneral(), '10.180.0.2', '172.30.0.50', 80).explanation, /inside the service CIDR/);
  // Outside the service CIDR nothing happens at all.
  assert.equal(trace(clusterIPGeneral(), '10.180.0.2', '203.0.113.9', 80).verdict, 'NONE');
});

function loadBalancerState(): ClusterState {
  return fakeState(
    service(
      'ns1',
      'svc1',
      { type: 'LoadBalancer', clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }], loadBalancerSourceRanges: ['192.168.0.0/24', ' 203.0.113.0/25'] },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { ip: '5.6.7.8' }] } },
    ),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  );
}

test('TestLoadBalancer: source ranges guard the LB IPs, not the NodePort; the node is allowed when a range holds its IP', () => {
  check(loadBalancerState(), [
    ['pod to cluster IP', '10.0.0.2', '172.30.0.41', 80, '10.180.0.1:80', false],
    ['external to nodePort', '203.0.113.2', '192.168.0.2', 3001, '10.180.0.1:80', true],
    ['nodePort bypasses LoadBalancerSourceRanges', '203.0.113.130', '192.168.0.2', 3001, '10.180.0.1:80', true],
    ['accepted external to LB1', '203.0.113.2', '1.2.3.4', 80, '10.180.0.1:80', true],
    ['accepted external to LB2', '203.0.113.2', '5.6.7.8', 80, '10.180.0.1:80', true],
    ['blocked external to LB1', '203.0.113.130', '1.2.3.4', 80, 'DROP'],
    ['blocked external to LB2', '203.0.113.130', '5.6.7.8', 80, 'DROP'],
    ['pod to LB1 (blocked by LoadBalancerSourceRanges)', '10.0.0.2', '1.2.3.4', 80, 'DROP'],
    ['node to LB1 (allowed by LoadBalancerSourceRanges)', '192.168.0.2', '1.2.3.4', 80, '10.180.0.1:80', true],
    ['NodePort on a secondary node IP is not served (nodePortAddresses)', '203.0.113.2', '192.168.1.2', 3001, ''],
  ]);
  assert.match(trace(loadBalancerState(), '203.0.113.130', '1.2.3.4', 80).explanation, /outside the loadBalancerSourceRanges of ns1\/svc1:p80/);
});

function localPolicyState(localEndpoint: boolean): ClusterState {
  return fakeState(
    service(
      'ns1',
      'svc1',
      { type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '172.30.0.41', externalIPs: ['192.168.99.11'], ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }] },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    ),
    slice(
      'ns1',
      'svc1',
      [{ addresses: ['10.180.0.1'], ...(localEndpoint ? { nodeName: 'test-node' } : { nodeName: 'host2' }) }, { addresses: ['10.180.2.1'], nodeName: 'host2' }],
      [{ name: 'p80', port: 80, protocol: 'TCP' }],
    ),
  );
}

test('externalTrafficPolicy Local: local endpoints only from outside, short-circuit for pods and the node, DROP without local endpoints', () => {
  check(localPolicyState(true), [
    ['pod to cluster IP hits both endpoints', '10.0.0.2', '172.30.0.41', 80, '10.180.0.1:80, 10.180.2.1:80', false],
    ['external to LB hits only the local endpoint, client IP kept', '203.0.113.2', '1.2.3.4', 80, '10.180.0.1:80', false],
    ['external to NodePort hits only the local endpoint', '203.0.113.2', '192.168.0.2', 3001, '10.180.0.1:80', false],
    ['pod to LB is short-circuited to all endpoints', '10.0.0.2', '1.2.3.4', 80, '10.180.0.1:80, 10.180.2.1:80', false],
    ['node to NodePort is short-circuited and masqueraded', '192.168.0.2', '192.168.0.2', 3001, '10.180.0.1:80, 10.180.2.1:80', true],
  ]);
  check(localPolicyState(false), [
    ['external to LB without local endpoints', '203.0.113.2', '1.2.3.4', 80, 'DROP'],
    ['external to NodePort without local endpoints', '203.0.113.2', '192.168.0.2', 3001, 'DROP'],
    ['external to external IP without local endpoints', '203.0.113.2', '192.168.99.11', 80, 'DROP'],
    ['pod to LB still works (short-circuit)', '10.0.0.2', '1.2.3.4', 80, '10.180.0.1:80, 10.180.2.1:80', false],
  ]);
  assert.match(trace(localPolicyState(false), '203.0.113.2', '1.2.3.4', 80).explanation, /Local traffic policy and node test-node has no ready endpoint/);
});

test('session affinity: the first packet fans out, later ones are remembered for the timeout', () => {
  const state = fakeState(
    service('ns1', 'svc1', { clusterIP: '172.30.0.41', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 300 } }, ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }, { addresses: ['10.180.0.2'] }], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  );
  const d = trace(state, '10.0.0.2', '172.30.0.41', 80);
  assert.equal(output(d), '10.180.0.1:80, 10.180.0.2:80');
  assert.match(d.explanation, /go to the same endpoint as long as each comes within 300 s of the previous one \(the record is kept on this node only\)/);
  assert.ok(d.steps.some((s) => s.effect.startsWith('remember the source in @affinity-')));
  // Steps are listed hook by hook: both endpoint branches before postrouting.
  const lastDnat = d.steps.map((s) => s.effect.startsWith('DNAT')).lastIndexOf(true);
  assert.ok(lastDnat >= 0 && lastDnat < d.steps.findIndex((s) => s.chain === 'nat-postrouting'));
});

test('no localhost NodePorts in nftables mode', () => {
  const state = fakeState(
    service('ns1', 'svc1', { type: 'NodePort', clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }] }),
    slice('ns1', 'svc1', [{ addresses: ['10.180.0.1'] }], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  );
  assert.equal(output(trace(state, '127.0.0.1', '127.0.0.1', 3001)), '');
  assert.equal(output(trace(state, '192.168.0.2', '192.168.0.2', 3001)), '10.180.0.1:80');
});
