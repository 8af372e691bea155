import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { base32, buildProxyModel, categorizeEndpoints, hashBase32, servicePortInfos, sha256Hex, type ProxyEndpoint, type ServicePortInfo } from '../../src/core';
import { docs, node, service, slice, stateOf } from './proxy-helpers';

test('sha256 and base32 match the standard test vectors', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  // 56 bytes: the padding spills into a second block.
  assert.equal(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  assert.equal(base32(Uint8Array.from([0x66, 0x6f, 0x6f, 0x62, 0x61, 0x72])), 'MZXW6YTBOI======');
  assert.equal(hashBase32('ns1/svc1:p80tcp').slice(0, 16), 'XPGD46QRK7WJZT7O');
});

test('service ports: family filter, canonical IPs and ranges, VIP-mode LB IPs only', () => {
  const state = stateOf(
    service(
      'ns1',
      'svc1',
      {
        type: 'LoadBalancer',
        clusterIP: '172.30.0.041',
        clusterIPs: ['172.30.0.041'],
        externalIPs: ['192.168.099.11', 'fd00::1'],
        loadBalancerSourceRanges: [' 203.0.113.000/025', '2001:db8::/32'],
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 30000,
        ports: [{ name: 'p80', port: 80, nodePort: 3001 }],
      },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { ip: '5.6.7.8', ipMode: 'Proxy' }, { hostname: 'lb.example' }] } },
    ),
  );
  const [info] = servicePortInfos(state.services[0]!, 'IPv4');
  assert.ok(info);
  assert.equal(info.clusterIP, '172.30.0.41');
  assert.deepEqual(info.externalIPs, ['192.168.99.11']);
  assert.deepEqual(info.loadBalancerVIPs, ['1.2.3.4']);
  assert.deepEqual(info.loadBalancerSourceRanges, ['203.0.113.0/25']);
  assert.equal(info.nameString, 'ns1/svc1:p80');
  assert.equal(info.externalPolicyLocal, true);
  assert.equal(info.healthCheckNodePort, 30000);
  assert.equal(info.usesClusterEndpoints, true);
  assert.equal(info.usesLocalEndpoints, true);
  // No IPv6 cluster IP: the IPv6 proxier skips the Service.
  assert.deepEqual(servicePortInfos(state.services[0]!, 'IPv6'), []);
});

test('service ports: eTP Local is ignored where the Service is not externally accessible; headless is skipped', () => {
  const state = stateOf(
    docs(
      service('ns', 'a', { clusterIP: '10.96.0.10', externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local', ports: [{ port: 53, protocol: 'UDP' }] }),
      service('ns', 'h', { clusterIP: 'None', ports: [{ port: 80 }] }),
    ),
  );
  const [a] = servicePortInfos(state.services[0]!, 'IPv4');
  assert.equal(a!.externalPolicyLocal, false);
  assert.equal(a!.internalPolicyLocal, true);
  assert.equal(a!.nameString, 'ns/a');
  assert.equal(a!.usesClusterEndpoints, false);
  assert.equal(a!.usesLocalEndpoints, true);
  assert.deepEqual(servicePortInfos(state.services[1]!, 'IPv4'), []);
});

test('endpoints: port name and protocol must match, first address only, family filter, local wins on duplicates, sorted by ip:port string', () => {
  const state = stateOf(
    docs(
      node('n1', ['192.168.0.2']),
      service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80 }, { name: 'p53', port: 53, protocol: 'UDP' }] }),
      slice(
        'ns1',
        'svc1',
        [
          { addresses: ['10.1.1.1', '10.9.9.9'] },
          { addresses: ['10.1.1.11'] },
          { addresses: ['10.1.1.2'], conditions: { ready: false } },
          { addresses: ['fd00::1'] },
          { addresses: [] },
        ],
        [{ name: 'p80', port: 11 }, { name: 'p53', port: 53, protocol: 'TCP' }, { name: 'other', port: 99 }],
      ),
      slice('ns1', 'svc1', [{ addresses: ['10.1.1.1'], nodeName: 'n1' }], [{ name: 'p80', port: 11 }]),
    ),
  );
  const model = buildProxyModel(state, { family: 'IPv4' });
  const p80 = model.ports.find((p) => p.info.portName === 'p80')!;
  assert.deepEqual(
    p80.endpoints.map((e) => [e.hostPort, e.isLocal, e.ready]),
    [
      ['10.1.1.11:11', false, true],
      ['10.1.1.1:11', true, true],
      ['10.1.1.2:11', false, false],
    ],
  );
  // The slice's p53 port is TCP, the Service's is UDP: no endpoints.
  const p53 = model.ports.find((p) => p.info.portName === 'p53')!;
  assert.deepEqual(p53.endpoints, []);
  assert.equal(p53.categorized.hasAnyEndpoints, false);
  assert.equal(model.totalEndpoints, 3);
  assert.equal(model.node.name, 'n1');
  assert.deepEqual(model.detector.ifNotLocal, ['!', '-s', '10.244.0.0/16']);
});

const ep = (ip: string, o: Partial<ProxyEndpoint> = {}): ProxyEndpoint => ({
  ip,
  port: 80,
  hostPort: `${ip}:80`,
  isLocal: false,
  ready: true,
  serving: true,
  terminating: false,
  zoneHints: [],
  nodeHints: [],
  ...o,
});
const info = (o: Partial<ServicePortInfo>): ServicePortInfo => ({ usesClusterEndpoints: true, usesLocalEndpoints: false, ...o }) as ServicePortInfo;
const topo = { nodeName: 'n1', zone: 'zone-a', preferSameNode: true };
const ips = (eps: ProxyEndpoint[]) => eps.map((e) => e.ip);

test('CategorizeEndpoints: ready endpoints, else serving-terminating ones', () => {
  let r = categorizeEndpoints([ep('10.0.0.1'), ep('10.0.0.2', { ready: false })], info({}), topo);
  assert.deepEqual(ips(r.clusterEndpoints), ['10.0.0.1']);
  assert.equal(r.hasAnyEndpoints, true);
  r = categorizeEndpoints([ep('10.0.0.1', { ready: false, terminating: true }), ep('10.0.0.2', { ready: false, serving: false, terminating: true })], info({}), topo);
  assert.deepEqual(ips(r.clusterEndpoints), ['10.0.0.1']);
  assert.deepEqual(ips(r.allReachableEndpoints), ['10.0.0.1']);
  r = categorizeEndpoints([ep('10.0.0.2', { ready: false, serving: false })], info({}), topo);
  assert.equal(r.hasAnyEndpoints, false);
  assert.deepEqual(r.allReachableEndpoints, []);
});

test('CategorizeEndpoints: local endpoints, with a terminating fallback independent of the cluster set', () => {
  const eps = [ep('10.0.0.1'), ep('10.0.0.2', { isLocal: true, ready: false, terminating: true })];
  const r = categorizeEndpoints(eps, info({ usesLocalEndpoints: true }), topo);
  assert.deepEqual(ips(r.clusterEndpoints), ['10.0.0.1']);
  assert.deepEqual(ips(r.localEndpoints), ['10.0.0.2']);
  assert.deepEqual(ips(r.allReachableEndpoints), ['10.0.0.1', '10.0.0.2']);
  const onlyLocal = categorizeEndpoints([ep('10.0.0.1')], info({ usesClusterEndpoints: false, usesLocalEndpoints: true }), topo);
  assert.deepEqual(onlyLocal.localEndpoints, []);
  assert.equal(onlyLocal.hasAnyEndpoints, true, 'a remote ready endpoint still counts');
  assert.deepEqual(onlyLocal.allReachableEndpoints, []);
});

test('CategorizeEndpoints: zone hints and node hints (PreferSameZone / PreferSameNode)', () => {
  const zoned = [ep('10.0.0.1', { zoneHints: ['zone-a'] }), ep('10.0.0.2', { zoneHints: ['zone-b'] })];
  let r = categorizeEndpoints(zoned, info({}), topo);
  assert.equal(r.topologyMode, 'PreferSameZone');
  assert.deepEqual(ips(r.clusterEndpoints), ['10.0.0.1']);
  // No hint for this zone: hints are ignored.
  r = categorizeEndpoints(zoned, info({}), { ...topo, zone: 'zone-c' });
  assert.equal(r.topologyMode, '');
  assert.deepEqual(ips(r.clusterEndpoints), ['10.0.0.1', '10.0.0.2']);
  // One endpoint without hints: hints are ignored.
  r = categorizeEndpoints([...zoned, ep('10.0.0.3')], info({}), topo);
  assert.equal(r.topologyMode, '');
  const noded = [ep('10.0.0.1', { nodeHints: ['n1'], zoneHints: ['zone-a'] }), ep('10.0.0.2', { nodeHints: ['n2'], zoneHints: ['zone-a'] })];
  r = categorizeEndpoints(noded, info({}), topo);
  assert.equal(r.topologyMode, 'PreferSameNode');
  assert.deepEqual(ips(r.clusterEndpoints), ['10.0.0.1']);
  r = categorizeEndpoints(noded, info({}), { ...topo, preferSameNode: false });
  assert.equal(r.topologyMode, 'PreferSameZone');
  assert.deepEqual(ips(r.clusterEndpoints), ['10.0.0.1', '10.0.0.2']);
});

test('CategorizeEndpoints: with topology, local endpoints outside the zone still get SEP chains', () => {
  const eps = [ep('10.0.0.1', { zoneHints: ['zone-a'] }), ep('10.0.0.2', { zoneHints: ['zone-b'], isLocal: true })];
  const r = categorizeEndpoints(eps, info({ usesLocalEndpoints: true }), topo);
  assert.deepEqual(ips(r.clusterEndpoints), ['10.0.0.1']);
  assert.deepEqual(ips(r.localEndpoints), ['10.0.0.2']);
  assert.deepEqual(ips(r.allReachableEndpoints), ['10.0.0.1', '10.0.0.2']);
});

test('the node perspective: named node, unknown node error, placeholder without nodes', () => {
  const state = stateOf(docs(node('a', ['192.168.0.1'], 'z1', ['10.244.1.0/24']), node('b', ['192.168.0.2', 'fd00::2'])));
  assert.equal(buildProxyModel(state, { family: 'IPv4' }).node.name, 'a');
  const b = buildProxyModel(state, { family: 'IPv6', node: 'b' }).node;
  assert.deepEqual(b.primaryIP, { IPv4: '192.168.0.2', IPv6: 'fd00::2' });
  assert.throws(() => buildProxyModel(state, { family: 'IPv4', node: 'zz' }), /no Node "zz".*a, b/);
  const none = buildProxyModel(stateOf(''), { family: 'IPv4' }).node;
  assert.equal(none.placeholder, true);
});
