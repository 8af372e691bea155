/**
 * Scenarios of upstream pkg/proxy/ipvs/proxier_test.go, re-expressed as our own manifests: the node is
 * "test-node" (100.101.102.103), clusterCIDR 10.0.0.0/24 as in upstream's fake proxier; each test names the
 * upstream test it follows and checks the same facts (virtual servers, real servers, ipset entries,
 * helper-rule order).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderIpvs, type ClusterState, type IpvsRendered } from '../../src/core';
import { docs, node, service, slice, stateOf } from './proxy-helpers';

const NODE = node('test-node', ['100.101.102.103']);

function state(proxy: Record<string, unknown>, ...objects: string[]): ClusterState {
  const config = JSON.stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'ipvs', clusterCIDR: '10.0.0.0/24', ...proxy });
  return stateOf(docs(NODE, config, ...objects), { serviceCIDRs: ['10.20.0.0/16', '172.16.0.0/12'] });
}

const P80 = [{ name: 'p80', port: 80, protocol: 'TCP' }];
const ep = (ip: string, nodeName?: string, conditions?: Record<string, boolean>) => ({ addresses: [ip], ...(nodeName ? { nodeName } : {}), ...(conditions ? { conditions } : {}) });
const vs = (r: IpvsRendered) => r.table.virtualServers.map((v) => `${v.protocol} ${v.address}:${v.port}`);
const rs = (r: IpvsRendered, addr: string) => r.table.virtualServers.find((v) => `${v.address}:${v.port}` === addr)!.realServers.map((s) => `${s.address}:${s.port}`);
const set = (r: IpvsRendered, name: string) => [...r.sets.entries.get(name)!].sort();
/** The KUBE-SERVICES (or other) rules of the helper payload, reduced to what upstream's checkIptables compares: the jump and the set. */
const chain = (r: IpvsRendered, name: string) =>
  r.iptables
    .split('\n')
    .filter((l) => l.startsWith(`-A ${name} `))
    .map((l) => `${/-j (\S+)/.exec(l)![1]}${/--match-set (\S+)/.exec(l) ? ` ${/--match-set (\S+)/.exec(l)![1]}` : ''}${/ -s (127\.0\.0\.0\/8)/.exec(l) ? ' src 127.0.0.0/8' : ''}`);

test('upstream TestClusterIP / TestClusterIPNoEndpoint: one virtual server per cluster IP, real servers from the slice', () => {
  const r = renderIpvs(
    state(
      {},
      service('ns1', 'svc1', { clusterIP: '10.20.30.41', ports: P80 }),
      slice('ns1', 'svc1', [ep('10.180.0.1')], P80),
      service('ns2', 'svc2', { clusterIP: '10.20.30.42', ports: [{ name: 'p8080', port: 8080, protocol: 'TCP' }] }),
      slice('ns2', 'svc2', [ep('10.180.0.2'), ep('10.180.0.3')], [{ name: 'p8080', port: 8080, protocol: 'TCP' }]),
      service('ns3', 'empty', { clusterIP: '10.20.30.43', ports: P80 }),
    ),
  );
  assert.deepEqual(vs(r), ['TCP 10.20.30.41:80', 'TCP 10.20.30.42:8080', 'TCP 10.20.30.43:80']);
  assert.deepEqual(rs(r, '10.20.30.41:80'), ['10.180.0.1:80']);
  assert.deepEqual(rs(r, '10.20.30.42:8080'), ['10.180.0.2:8080', '10.180.0.3:8080']);
  assert.deepEqual(rs(r, '10.20.30.43:80'), []);
  assert.ok(r.table.virtualServers.every((v) => v.scheduler === 'rr' && v.persistent === undefined));
  assert.deepEqual(set(r, 'KUBE-CLUSTER-IP'), ['10.20.30.41,tcp:80', '10.20.30.42,tcp:8080', '10.20.30.43,tcp:80']);
});

test('upstream TestNodePort / TestNodePortNoEndpoint / TestOnlyLocalNodePorts: NodePort virtual servers, bitmap sets, KUBE-NODE-PORT rules', () => {
  const svc = (policy: string) => service('ns1', 'svc1', { type: 'NodePort', clusterIP: '10.20.30.41', externalTrafficPolicy: policy, ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }] });
  const eps = slice('ns1', 'svc1', [ep('10.180.0.1', 'test-node'), ep('10.180.1.1', 'other-node')], P80);
  // nodePortAddresses 100.101.102.0/24 (as upstream sets it): the node address only, no loopback.
  const cluster = renderIpvs(state({ nodePortAddresses: ['100.101.102.0/24'] }, svc('Cluster'), eps));
  assert.deepEqual(vs(cluster), ['TCP 10.20.30.41:80', 'TCP 100.101.102.103:3001']);
  assert.deepEqual(rs(cluster, '100.101.102.103:3001'), ['10.180.0.1:80', '10.180.1.1:80']);
  assert.deepEqual(set(cluster, 'KUBE-NODE-PORT-TCP'), ['3001']);
  assert.deepEqual(set(cluster, 'KUBE-NODE-PORT-LOCAL-TCP'), []);
  const local = renderIpvs(state({ nodePortAddresses: ['100.101.102.0/24'] }, svc('Local'), eps));
  assert.deepEqual(rs(local, '100.101.102.103:3001'), ['10.180.0.1:80']);
  assert.deepEqual(set(local, 'KUBE-NODE-PORT-LOCAL-TCP'), ['3001']);
  assert.deepEqual(chain(local, 'KUBE-SERVICES'), ['RETURN src 127.0.0.0/8', 'KUBE-MARK-MASQ KUBE-CLUSTER-IP', 'KUBE-NODE-PORT', 'ACCEPT KUBE-CLUSTER-IP']);
  assert.deepEqual(chain(local, 'KUBE-NODE-PORT'), ['RETURN KUBE-NODE-PORT-LOCAL-TCP', 'KUBE-MARK-MASQ KUBE-NODE-PORT-TCP', 'ACCEPT KUBE-HEALTH-CHECK-NODE-PORT']);
  // No endpoints: the virtual servers still exist, without real servers.
  const none = renderIpvs(state({ nodePortAddresses: ['100.101.102.0/24'] }, svc('Cluster')));
  assert.deepEqual(vs(none), ['TCP 10.20.30.41:80', 'TCP 100.101.102.103:3001']);
  assert.deepEqual(rs(none, '100.101.102.103:3001'), []);
});

test('upstream TestHealthCheckNodePort: only Local-policy Services put their health check port in the set', () => {
  const lb = (name: string, policy: string, hc: number, nodePort: number) =>
    service('ns1', name, { type: 'LoadBalancer', clusterIP: `10.20.30.${nodePort - 2990}`, externalTrafficPolicy: policy, healthCheckNodePort: hc, ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort }] });
  const r = renderIpvs(state({ nodePortAddresses: ['100.101.102.0/24'] }, lb('valid-svc1', 'Local', 30000, 3000), lb('valid-svc2', 'Local', 30001, 3001), lb('invalid-svc3', 'Cluster', 30002, 3002)));
  assert.deepEqual(set(r, 'KUBE-HEALTH-CHECK-NODE-PORT'), ['30000', '30001']);
});

test('upstream TestExternalIPs / TestOnlyLocalExternalIPs: a virtual server per external IP of the family (127.0.0.1 included), local real servers for Local', () => {
  const svc = (policy: string, type = 'ClusterIP') => service('ns1', 'svc1', { type, clusterIP: '10.20.30.41', externalIPs: ['50.60.70.81', '2012::51', '127.0.0.1'], externalTrafficPolicy: type === 'ClusterIP' ? undefined : policy, ports: P80 });
  const eps = slice('ns1', 'svc1', [ep('10.180.0.1', 'test-node'), ep('10.180.1.1', 'other-node')], P80);
  const r = renderIpvs(state({}, svc('Cluster'), eps));
  assert.deepEqual(vs(r), ['TCP 10.20.30.41:80', 'TCP 127.0.0.1:80', 'TCP 50.60.70.81:80']);
  assert.deepEqual(rs(r, '50.60.70.81:80'), ['10.180.0.1:80', '10.180.1.1:80']);
  assert.deepEqual(set(r, 'KUBE-EXTERNAL-IP'), ['127.0.0.1,tcp:80', '50.60.70.81,tcp:80']);
  const local = renderIpvs(state({}, svc('Local', 'NodePort'), eps));
  assert.deepEqual(rs(local, '50.60.70.81:80'), ['10.180.0.1:80']);
  assert.deepEqual(rs(local, '10.20.30.41:80'), ['10.180.0.1:80', '10.180.1.1:80']);
  assert.deepEqual(set(local, 'KUBE-EXTERNAL-IP-LOCAL'), ['127.0.0.1,tcp:80', '50.60.70.81,tcp:80']);
});

test('upstream TestLoadBalancer / TestOnlyLocalLoadBalancing / TestLoadBalancerSourceRanges: ipsets and the KUBE-SERVICES, KUBE-LOAD-BALANCER and firewall rules', () => {
  const lb = (extra: Record<string, unknown>, nodePort?: number) =>
    service('ns1', 'svc1', { type: 'LoadBalancer', clusterIP: '10.20.30.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', ...(nodePort ? { nodePort } : {}) }], ...extra }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } });
  const eps = slice('ns1', 'svc1', [ep('10.180.0.1', 'test-node'), ep('10.180.1.1', 'other-node')], P80);
  const r = renderIpvs(state({ nodePortAddresses: ['100.101.102.0/24'] }, lb({}, 3001), eps));
  assert.deepEqual(vs(r), ['TCP 1.2.3.4:80', 'TCP 10.20.30.41:80', 'TCP 100.101.102.103:3001']);
  assert.deepEqual(set(r, 'KUBE-LOAD-BALANCER'), ['1.2.3.4,tcp:80']);
  assert.deepEqual(chain(r, 'KUBE-SERVICES'), ['RETURN src 127.0.0.0/8', 'KUBE-LOAD-BALANCER KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ KUBE-CLUSTER-IP', 'KUBE-NODE-PORT', 'ACCEPT KUBE-CLUSTER-IP', 'ACCEPT KUBE-LOAD-BALANCER']);
  assert.deepEqual(chain(r, 'KUBE-LOAD-BALANCER'), ['KUBE-MARK-MASQ']);

  const local = renderIpvs(state({ nodePortAddresses: ['100.101.102.0/24'] }, lb({ externalTrafficPolicy: 'Local' }, 3001), eps));
  assert.deepEqual(rs(local, '1.2.3.4:80'), ['10.180.0.1:80']);
  assert.deepEqual(set(local, 'KUBE-LOAD-BALANCER-LOCAL'), ['1.2.3.4,tcp:80']);
  assert.deepEqual(chain(local, 'KUBE-LOAD-BALANCER'), ['RETURN KUBE-LOAD-BALANCER-LOCAL', 'KUBE-MARK-MASQ']);

  // Source ranges, no NodePort: two virtual servers; the FW and SOURCE-CIDR sets; KUBE-PROXY-FIREWALL -> KUBE-SOURCE-RANGES-FIREWALL.
  const fw = renderIpvs(state({}, service('ns1', 'svc1', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, clusterIP: '10.20.30.41', loadBalancerSourceRanges: ['10.0.0.0/8'], ports: P80 }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }), eps));
  assert.deepEqual(vs(fw), ['TCP 1.2.3.4:80', 'TCP 10.20.30.41:80']);
  assert.deepEqual(set(fw, 'KUBE-LOAD-BALANCER-FW'), ['1.2.3.4,tcp:80']);
  assert.deepEqual(set(fw, 'KUBE-LOAD-BALANCER-SOURCE-CIDR'), ['1.2.3.4,tcp:80,10.0.0.0/8']);
  assert.deepEqual(chain(fw, 'KUBE-PROXY-FIREWALL'), ['KUBE-SOURCE-RANGES-FIREWALL KUBE-LOAD-BALANCER-FW']);
  assert.deepEqual(chain(fw, 'KUBE-SOURCE-RANGES-FIREWALL'), ['RETURN KUBE-LOAD-BALANCER-SOURCE-CIDR', 'DROP']);
});

test('upstream TestAcceptIPVSTraffic: KUBE-SERVICES order with cluster, external and load-balancer addresses', () => {
  const r = renderIpvs(
    state(
      {},
      service('ns1', 'svc1', { type: 'ClusterIP', clusterIP: '10.20.30.40', externalIPs: ['5.6.7.8'], ports: P80 }),
      service('ns1', 'svc2', { type: 'LoadBalancer', clusterIP: '10.20.30.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30080 }] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }),
      service('ns1', 'svc3', { type: 'NodePort', clusterIP: '10.20.30.42', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 30081 }] }),
    ),
  );
  assert.deepEqual(chain(r, 'KUBE-SERVICES'), [
    'RETURN src 127.0.0.0/8',
    'KUBE-LOAD-BALANCER KUBE-LOAD-BALANCER',
    'KUBE-MARK-MASQ KUBE-CLUSTER-IP',
    'KUBE-MARK-MASQ KUBE-EXTERNAL-IP',
    'ACCEPT KUBE-EXTERNAL-IP',
    'ACCEPT KUBE-EXTERNAL-IP',
    'KUBE-NODE-PORT',
    'ACCEPT KUBE-CLUSTER-IP',
    'ACCEPT KUBE-LOAD-BALANCER',
  ]);
});

test('upstream session affinity: ClientIP gives every virtual server of the port "persistent" with the timeout', () => {
  const r = renderIpvs(
    state(
      { nodePortAddresses: ['100.101.102.0/24'] },
      service('ns1', 'svc1', { type: 'NodePort', clusterIP: '10.20.30.41', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, externalIPs: ['50.60.70.81'], ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }] }),
      slice('ns1', 'svc1', [ep('10.180.0.1')], P80),
    ),
  );
  assert.deepEqual(r.table.virtualServers.map((v) => `${v.address}:${v.port} ${v.persistent}`), ['10.20.30.41:80 600', '100.101.102.103:3001 600', '50.60.70.81:80 600']);
});

test('upstream TestTestInternalTrafficPolicyE2E: internalTrafficPolicy Local keeps local real servers; with none there are none', () => {
  const svc = (itp: string) => service('ns1', 'svc1', { clusterIP: '172.20.1.1', internalTrafficPolicy: itp, ports: [{ name: '', port: 80, protocol: 'TCP' }] });
  const P = [{ name: '', port: 80, protocol: 'TCP' }];
  const withLocal = slice('ns1', 'svc1', [ep('10.0.1.1', 'test-node'), ep('10.0.1.2', 'node1'), ep('10.0.1.3', 'node2')], P);
  const noLocal = slice('ns1', 'svc1', [ep('10.0.1.1', 'node0'), ep('10.0.1.2', 'node1'), ep('10.0.1.3', 'node2')], P);
  assert.deepEqual(rs(renderIpvs(state({}, svc('Cluster'), withLocal)), '172.20.1.1:80'), ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.3:80']);
  assert.deepEqual(set(renderIpvs(state({}, svc('Cluster'), withLocal)), 'KUBE-LOOP-BACK'), ['10.0.1.1,tcp:80,10.0.1.1']);
  assert.deepEqual(rs(renderIpvs(state({}, svc('Cluster'), noLocal)), '172.20.1.1:80'), ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.3:80']);
  assert.deepEqual(rs(renderIpvs(state({}, svc('Local'), withLocal)), '172.20.1.1:80'), ['10.0.1.1:80']);
  const none = renderIpvs(state({}, svc('Local'), noLocal));
  assert.deepEqual(vs(none), ['TCP 172.20.1.1:80']);
  assert.deepEqual(rs(none, '172.20.1.1:80'), []);
  assert.deepEqual(set(none, 'KUBE-LOOP-BACK'), []);
});

const terminating = (localPolicy: boolean, conditions: [string, string, boolean, boolean, boolean][]) =>
  renderIpvs(
    state(
      {},
      service('ns1', 'svc1', { type: 'NodePort', clusterIP: '172.20.1.1', externalTrafficPolicy: localPolicy ? 'Local' : 'Cluster', internalTrafficPolicy: 'Cluster', externalIPs: ['1.2.3.4'], ports: [{ name: '', port: 80, protocol: 'TCP', nodePort: 30080 }] }),
      slice(
        'ns1',
        'svc1',
        conditions.map(([ip, nodeName, ready, serving, term]) => ep(ip, nodeName, { ready, serving, terminating: term })),
        [{ name: '', port: 80, protocol: 'TCP' }],
      ),
    ),
  );

test('upstream Test_EndpointSliceReadyAndTerminating{Cluster,Local}: ready endpoints win; every local endpoint is in KUBE-LOOP-BACK', () => {
  const eps: [string, string, boolean, boolean, boolean][] = [
    ['10.0.1.1', 'test-node', true, true, false],
    ['10.0.1.2', 'test-node', true, true, false],
    ['10.0.1.3', 'test-node', false, true, true],
    ['10.0.1.4', 'test-node', false, false, true],
    ['10.0.1.5', 'another-node', true, true, false],
  ];
  for (const local of [false, true]) {
    const r = terminating(local, eps);
    assert.deepEqual(set(r, 'KUBE-LOOP-BACK'), ['10.0.1.1,tcp:80,10.0.1.1', '10.0.1.2,tcp:80,10.0.1.2', '10.0.1.3,tcp:80,10.0.1.3', '10.0.1.4,tcp:80,10.0.1.4']);
    assert.deepEqual(rs(r, '172.20.1.1:80'), ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.5:80']);
    assert.deepEqual(rs(r, '1.2.3.4:80'), local ? ['10.0.1.1:80', '10.0.1.2:80'] : ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.5:80']);
  }
});

test('upstream Test_EndpointSliceOnlyReadyAndTerminating{Cluster,Local}: with no ready endpoint, serving terminating ones are used', () => {
  const cluster = terminating(false, [
    ['10.0.1.1', 'test-node', false, true, true],
    ['10.0.1.2', 'test-node', false, true, true],
    ['10.0.1.3', 'test-node', false, false, true],
    ['10.0.1.4', 'another-node', false, true, true],
    ['10.0.1.5', 'another-node', false, false, false],
  ]);
  assert.deepEqual(set(cluster, 'KUBE-LOOP-BACK'), ['10.0.1.1,tcp:80,10.0.1.1', '10.0.1.2,tcp:80,10.0.1.2', '10.0.1.3,tcp:80,10.0.1.3']);
  assert.deepEqual(rs(cluster, '172.20.1.1:80'), ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.4:80']);
  assert.deepEqual(rs(cluster, '1.2.3.4:80'), ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.4:80']);
  const local = terminating(true, [
    ['10.0.1.1', 'test-node', false, true, true],
    ['10.0.1.2', 'test-node', false, true, true],
    ['10.0.1.3', 'test-node', false, false, true],
    ['10.0.1.4', 'another-node', false, true, true],
    ['10.0.1.5', 'another-node', true, true, false],
  ]);
  assert.deepEqual(rs(local, '172.20.1.1:80'), ['10.0.1.5:80']);
  assert.deepEqual(rs(local, '1.2.3.4:80'), ['10.0.1.1:80', '10.0.1.2:80']);
});

test('upstream TestCreateAndLinkKubeChain: the helper payload declares the nat and filter chains in kube-proxy\'s order', () => {
  const r = renderIpvs(state({}, service('ns1', 'svc1', { clusterIP: '10.20.30.41', ports: P80 })));
  const [nat, filter] = r.iptables.split('COMMIT\n');
  const decl = (t: string | undefined) => (t ?? '').split('\n').filter((l) => l.startsWith(':')).join('\n');
  assert.equal(decl(nat), ':KUBE-SERVICES - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-NODE-PORT - [0:0]\n:KUBE-LOAD-BALANCER - [0:0]\n:KUBE-MARK-MASQ - [0:0]');
  assert.equal(decl(filter), ':KUBE-FORWARD - [0:0]\n:KUBE-NODE-PORT - [0:0]\n:KUBE-PROXY-FIREWALL - [0:0]\n:KUBE-SOURCE-RANGES-FIREWALL - [0:0]\n:KUBE-IPVS-FILTER - [0:0]\n:KUBE-IPVS-OUT-FILTER - [0:0]');
});

test('upstream TestClusterIP (IPv6 proxier): IPv6 virtual and real servers; the IPv4 Service is left to the other family', () => {
  const P8080 = [{ name: 'p8080', port: 8080, protocol: 'TCP' }];
  const s = state(
    {},
    service('ns1', 'svc1', { clusterIP: '10.20.30.41', ports: P80 }),
    slice('ns1', 'svc1', [ep('10.180.0.1')], P80),
    service('ns2', 'svc2', { clusterIP: '1002:ab8::2:1', ipFamilies: ['IPv6'], ports: P8080 }),
    slice('ns2', 'svc2', [ep('1009:ab8::5:6')], P8080, { addressType: 'IPv6' }),
    service('ns3', 'svc3', { clusterIP: '2001::1', ipFamilies: ['IPv6'], ports: P80 }),
  );
  const r = renderIpvs(s, { family: 'IPv6' });
  assert.deepEqual(vs(r), ['TCP 1002:ab8::2:1:8080', 'TCP 2001::1:80']);
  assert.deepEqual(rs(r, '1002:ab8::2:1:8080'), ['1009:ab8::5:6:8080']);
  assert.deepEqual(rs(r, '2001::1:80'), []);
  assert.deepEqual(set(r, 'KUBE-CLUSTER-IP'), ['1002:ab8::2:1,tcp:8080', '2001::1,tcp:80']);
  assert.equal(r.sets.actualName('KUBE-CLUSTER-IP'), 'KUBE-6-CLUSTER-IP');
});
