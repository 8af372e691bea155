/**
 * Topology by kube-proxy release, and the hints the EndpointSlice controller writes for trafficDistribution.
 * Expectations come from upstream:
 * - pkg/proxy/topology.go canUseTopology (1.27-1.30: the hints annotation, deprecated key first, must be set
 *   and not "disabled"/"Disabled"; 1.24-1.26: only "Auto"/"auto" of service.kubernetes.io/topology-aware-hints)
 *   and topologyModeFromHints (1.33+: PreferSameNode behind PreferSameTrafficDistribution);
 * - the feature-gate pages TopologyAwareHints (on by default from 1.24), ServiceTrafficDistribution (beta, on,
 *   from 1.31: KEP-4444 "Changes within kube-proxy": hints are used whatever the annotation) and
 *   PreferSameTrafficDistribution (alpha/off in 1.33, on from 1.34);
 * - staging/src/k8s.io/endpointslice/trafficdist/trafficdist.go preferCloseHeuristic.update (ready endpoints
 *   get a hint for their own zone, plus their own node for PreferSameNode) and reconciler.go hintsEnabled
 *   (a topology-mode "Auto" Service is hinted by the topology cache instead).
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { categorizeEndpoints, rulesRenderer, serviceEndpoints, topologyGates, topologyNote, buildProxyModel, topologyInput, type ProxyEndpoint, type ServiceModel, type ServicePortInfo } from '../../src/core';
import { pod, stateOf } from './helpers';

test('topologyGates: which releases read hints, and node hints', () => {
  assert.deepEqual(topologyGates(23), { hints: 'never', preferSameNode: false });
  assert.deepEqual(topologyGates(24), { hints: 'auto', preferSameNode: false });
  assert.deepEqual(topologyGates(26), { hints: 'auto', preferSameNode: false });
  assert.deepEqual(topologyGates(27), { hints: 'annotation', preferSameNode: false });
  assert.deepEqual(topologyGates(30), { hints: 'annotation', preferSameNode: false });
  assert.deepEqual(topologyGates(31), { hints: 'always', preferSameNode: false });
  assert.deepEqual(topologyGates(33), { hints: 'always', preferSameNode: false });
  assert.deepEqual(topologyGates(34), { hints: 'always', preferSameNode: true });
  assert.deepEqual(topologyGates(undefined), { hints: 'always', preferSameNode: true });
});

const ep = (ip: string, o: Partial<ProxyEndpoint> = {}): ProxyEndpoint => ({ ip, port: 80, hostPort: `${ip}:80`, isLocal: false, ready: true, serving: true, terminating: false, zoneHints: [], nodeHints: [], ...o });
const info = (service: Partial<ServiceModel>): ServicePortInfo => ({ usesClusterEndpoints: true, usesLocalEndpoints: false, service: service as ServiceModel }) as ServicePortInfo;
const zoned = [ep('10.0.0.1', { zoneHints: ['zone-a'], nodeHints: ['n1'] }), ep('10.0.0.2', { zoneHints: ['zone-b'], nodeHints: ['n2'] })];
const modeFor = (minor: number, service: Partial<ServiceModel>) => {
  const g = topologyGates(minor);
  return categorizeEndpoints(zoned, info(service), { nodeName: 'n1', zone: 'zone-a', preferSameNode: g.preferSameNode, hints: g.hints }).topologyMode;
};

test('CategorizeEndpoints by release: the hints annotation before 1.31, none needed after', () => {
  // 1.23: TopologyAwareHints is off by default.
  assert.equal(modeFor(23, { topologyAwareHints: 'Auto' }), '');
  // 1.24-1.26: service.kubernetes.io/topology-aware-hints "Auto"/"auto" only; topology-mode did not exist yet.
  assert.equal(modeFor(25, { topologyAwareHints: 'Auto' }), 'PreferSameZone');
  assert.equal(modeFor(25, { topologyAwareHints: 'auto' }), 'PreferSameZone');
  assert.equal(modeFor(25, { topologyAwareHints: 'PreferZone' }), '');
  assert.equal(modeFor(25, { topologyMode: 'Auto' }), '');
  assert.equal(modeFor(25, {}), '');
  // 1.27-1.30: either key, any value but "", "disabled", "Disabled"; the deprecated key wins when present.
  assert.equal(modeFor(28, { topologyMode: 'Auto' }), 'PreferSameZone');
  assert.equal(modeFor(28, { topologyMode: 'SomethingElse' }), 'PreferSameZone');
  assert.equal(modeFor(28, { topologyAwareHints: 'Auto' }), 'PreferSameZone');
  assert.equal(modeFor(28, { topologyMode: 'Disabled' }), '');
  assert.equal(modeFor(28, { topologyAwareHints: 'disabled', topologyMode: 'Auto' }), '');
  assert.equal(modeFor(28, { topologyAwareHints: '', topologyMode: 'Auto' }), '');
  assert.equal(modeFor(30, { trafficDistribution: 'PreferClose' }), '');
  // 1.31 on: hints count without any annotation; node hints from 1.34.
  assert.equal(modeFor(31, { trafficDistribution: 'PreferClose' }), 'PreferSameZone');
  assert.equal(modeFor(31, { topologyMode: 'Disabled' }), 'PreferSameZone');
  assert.equal(modeFor(33, {}), 'PreferSameZone');
  assert.equal(modeFor(34, {}), 'PreferSameNode');
});

const NODES = ['n1:zone-a', 'n2:zone-b', 'n3:zone-a']
  .map((s) => s.split(':'))
  .map(([n, z]) => `apiVersion: v1
kind: Node
metadata: {name: ${n}, labels: {topology.kubernetes.io/zone: ${z}}}
status: {addresses: [{type: InternalIP, address: 192.168.0.${n!.slice(1)}}], conditions: [{type: Ready, status: "True"}]}
`)
  .join('---\n');

function cluster(spec: string, annotations = '', extra: string[] = []): string {
  return [
    NODES,
    `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default${annotations ? `, annotations: {${annotations}}` : ''}}
spec: {clusterIP: 10.96.0.10, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]${spec ? `, ${spec}` : ''}}
`,
    pod({ name: 'web-a', ip: '10.0.1.5', node: 'n1', ports: [{ containerPort: 8080 }] }),
    pod({ name: 'web-b', ip: '10.0.2.5', node: 'n2', ports: [{ containerPort: 8080 }] }),
    pod({ name: 'web-c', ip: '10.0.3.5', node: 'n3', ports: [{ containerPort: 8080 }], ready: false }),
    ...extra,
  ].join('---\n');
}

test('EndpointSlice controller: trafficDistribution hints on computed slices (ready endpoints only)', () => {
  const hintsOf = (yaml: string) => {
    const st = stateOf(yaml);
    return serviceEndpoints(st, st.services[0]!).slices.flatMap((s) => s.endpoints.map((e) => [e.addresses[0], JSON.stringify(e.hints ?? null)]));
  };
  assert.deepEqual(hintsOf(cluster('trafficDistribution: PreferClose')), [
    ['10.0.1.5', '{"forZones":[{"name":"zone-a"}]}'],
    ['10.0.2.5', '{"forZones":[{"name":"zone-b"}]}'],
    ['10.0.3.5', 'null'],
  ]);
  assert.deepEqual(hintsOf(cluster('trafficDistribution: PreferSameZone')).map((h) => h[1]), ['{"forZones":[{"name":"zone-a"}]}', '{"forZones":[{"name":"zone-b"}]}', 'null']);
  assert.deepEqual(hintsOf(cluster('trafficDistribution: PreferSameNode')).map((h) => h[1]), [
    '{"forZones":[{"name":"zone-a"}],"forNodes":[{"name":"n1"}]}',
    '{"forZones":[{"name":"zone-b"}],"forNodes":[{"name":"n2"}]}',
    'null',
  ]);
  // No trafficDistribution, an unknown value, or topology-mode Auto (the topology cache's job): no hints.
  for (const yaml of [cluster(''), cluster('trafficDistribution: Nearest'), cluster('trafficDistribution: PreferClose', 'service.kubernetes.io/topology-mode: Auto')]) {
    assert.deepEqual(hintsOf(yaml).map((h) => h[1]), ['null', 'null', 'null']);
  }
});

const svcJumps = (yaml: string, mode: string, version: string) =>
  rulesRenderer(mode)
    .render({ state: stateOf(yaml), node: 'n1', version })
    .split('\n')
    .filter((l) => /KUBE-SVC-\S+ .*-j KUBE-SEP-|numgen random|-> 10\.0\.|^ {2}-> 10\.0\./.test(l));

test('ksd rules: a PreferClose Service uses its own zone from 1.31, every endpoint on 1.30 (iptables)', () => {
  const yaml = cluster('trafficDistribution: PreferClose');
  const v130 = svcJumps(yaml, 'iptables', '1.30');
  assert.equal(v130.length, 2);
  assert.match(v130[0]!, /--probability 0\.5000000000 -j KUBE-SEP-/);
  const v131 = svcJumps(yaml, 'iptables', '1.31');
  assert.equal(v131.length, 1);
  assert.match(v131[0]!, /"default\/web -> 10\.0\.1\.5:8080" -j KUBE-SEP-/);
  // 1.30 with the annotation that release reads, over a given slice hinted as the topology cache would.
  const hinted = `${NODES}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default, annotations: {service.kubernetes.io/topology-mode: Auto}}
spec: {clusterIP: 10.96.0.10, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: "", port: 8080, protocol: TCP}]
endpoints:
- {addresses: [10.0.1.5], nodeName: n1, zone: zone-a, hints: {forZones: [{name: zone-a}]}}
- {addresses: [10.0.2.5], nodeName: n2, zone: zone-b, hints: {forZones: [{name: zone-b}]}}
`;
  assert.equal(svcJumps(hinted, 'iptables', '1.30').length, 1);
  assert.equal(svcJumps(hinted, 'iptables', '1.26').length, 2);
  assert.equal(svcJumps(hinted.replace('topology-mode', 'topology-aware-hints'), 'iptables', '1.26').length, 1);
});

test('ksd rules: nftables and IPVS follow the same gates', () => {
  // web-d runs on n3, in n1's zone: PreferSameNode (1.34+) keeps web-a alone, 1.33 falls back to the zone's two.
  const yaml = cluster('trafficDistribution: PreferSameNode', '', [pod({ name: 'web-d', ip: '10.0.4.5', node: 'n3', ports: [{ containerPort: 8080 }] })]);
  const nft = (v: string) => rulesRenderer('nftables').render({ state: stateOf(yaml), node: 'n1', version: v });
  assert.match(nft('1.34'), /numgen random mod 1 vmap \{ 0 : goto endpoint-\S+__10\.0\.1\.5\/8080 \}/);
  assert.match(nft('1.33'), /numgen random mod 2 vmap \{ 0 : goto endpoint-\S+__10\.0\.1\.5\/8080 , 1 : goto endpoint-\S+__10\.0\.4\.5\/8080 \}/);
  const ipvs = (v: string) => rulesRenderer('ipvs').render({ state: stateOf(yaml), node: 'n1', version: v, format: 'ipvsadm' });
  assert.match(ipvs('1.34'), /-> 10\.0\.1\.5:8080/);
  assert.doesNotMatch(ipvs('1.34'), /10\.0\.4\.5:8080|10\.0\.2\.5:8080/);
  assert.match(ipvs('1.33'), /-> 10\.0\.4\.5:8080/);
  assert.doesNotMatch(ipvs('1.33'), /10\.0\.2\.5:8080/);
  assert.match(ipvs('1.30'), /-> 10\.0\.2\.5:8080/);
});

test('topologyNote: what the trace says about hints, used or not', () => {
  const st = stateOf(cluster('trafficDistribution: PreferClose'));
  const note = (minor: number, node = 'n1') => {
    const m = buildProxyModel(st, { family: 'IPv4', node, kubeProxyMinor: minor });
    return topologyNote(m.ports[0]!, topologyInput(m.node, { kubeProxyMinor: minor }), minor);
  };
  assert.equal(note(31), 'Topology (PreferSameZone): kube-proxy 1.31 on node n1 sends cluster traffic only to the 1 of 2 ready endpoints hinted for zone zone-a.');
  assert.match(note(30)!, /carry topology hints, but kube-proxy 1\.30 uses them only when the Service is annotated service\.kubernetes\.io\/topology-mode: Auto/);
  assert.match(note(25)!, /annotated service\.kubernetes\.io\/topology-aware-hints: Auto/);
  assert.match(note(22)!, /does not use them \(the TopologyAwareHints feature gate is off by default before 1\.24\)/);
  // topology-mode Auto over computed slices: the topology cache's hints are not simulated, and the note says so.
  const auto = stateOf(cluster('', 'service.kubernetes.io/topology-mode: Auto'));
  const ma = buildProxyModel(auto, { family: 'IPv4', node: 'n1', kubeProxyMinor: 31 });
  assert.match(topologyNote(ma.ports[0]!, topologyInput(ma.node, {}), 31)!, /annotated service\.kubernetes\.io\/topology-mode: Auto, but its endpoints carry no topology hints: .*not simulated here/);
  // No hints at all: nothing to say.
  const plain = stateOf(cluster(''));
  const m = buildProxyModel(plain, { family: 'IPv4', node: 'n1', kubeProxyMinor: 31 });
  assert.equal(topologyNote(m.ports[0]!, topologyInput(m.node, {}), 31), undefined);
});
