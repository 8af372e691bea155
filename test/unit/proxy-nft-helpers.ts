/**
 * The environment of upstream's nftables NewFakeProxier, as manifests: node "test-node" with
 * 192.168.0.2 (primary), 192.168.1.2 and 192.168.99.11; pod CIDR 10.0.0.0/8 (ClusterCIDR detection);
 * service CIDR 172.30.0.0/16; nodePortAddresses 192.168.0.2/32; mark 0x4000 (the fake's value).
 */
import { dumpNftTable, parseNft, renderNftables, type ClusterState, type NftRenderOptions } from '../../src/core';
import { docs, service, slice, stateOf } from './proxy-helpers';

export const FAKE_NODE = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'test-node' },
  status: {
    addresses: ['192.168.0.2', '192.168.1.2', '192.168.99.11'].map((address) => ({ type: 'InternalIP', address })),
    conditions: [{ type: 'Ready', status: 'True' }],
  },
});

export const FAKE_PROXY_CONFIG = JSON.stringify({
  apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
  kind: 'KubeProxyConfiguration',
  mode: 'nftables',
  clusterCIDR: '10.0.0.0/8',
  detectLocalMode: 'ClusterCIDR',
  nodePortAddresses: ['192.168.0.2/32'],
});

export function fakeState(...objects: string[]): ClusterState {
  return stateOf(docs(FAKE_NODE, FAKE_PROXY_CONFIG, ...objects), { serviceCIDRs: ['172.30.0.0/16'] });
}

/** The table kube-proxy's transaction leaves behind, as knftables' Fake.Dump() writes it. */
export function fakeDump(state: ClusterState, options: NftRenderOptions = {}): string {
  const rendered = renderNftables(state, { masqueradeMark: '0x4000', ...options });
  return dumpNftTable(parseNft(rendered.text).tables[0]!);
}

/**
 * Upstream compares tables after sorting lines: by object type (table, chain, set, map, rule, element),
 * then object name; rules keep their order within a chain, other lines sort by full text.
 */
export function sortTransaction(text: string): string {
  const order: Record<string, number> = { table: 1, chain: 2, set: 3, map: 4, rule: 5, element: 6 };
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const indexed = lines.map((l, i) => ({ l, i, w: l.split(' ') }));
  indexed.sort((a, b) => {
    const ta = order[a.w[1]!] ?? 0;
    const tb = order[b.w[1]!] ?? 0;
    if (ta !== tb) return ta - tb;
    const na = a.w[4] ?? '';
    const nb = b.w[4] ?? '';
    if (na !== nb) return na < nb ? -1 : 1;
    if (a.w[1] === 'rule') return a.i - b.i;
    return a.l < b.l ? -1 : a.l > b.l ? 1 : 0;
  });
  return indexed.map((x) => x.l).join('\n');
}

const P80 = [{ name: 'p80', port: 80, protocol: 'TCP' }];
const ep = (ip: string, nodeName?: string) => ({ addresses: [ip], ...(nodeName ? { nodeName } : {}) });

/**
 * TestOverallNFTablesRules' six Services and their EndpointSlices. The test of v1.36 (proxier_test.go at
 * edca5633) gives the endpoints node names (10.180.0.1, .3 and .5 on test-node, .2 and .4 on other-node);
 * the older test (81810de6) gives none except 10.180.0.5.
 */
export function overallState(nodeNames = false) {
  const on = (ip: string, node: string) => ep(ip, nodeNames ? node : undefined);
  return fakeState(
    service('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
    service(
      'ns2',
      'svc2',
      {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        clusterIP: '172.30.0.42',
        ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }],
        externalIPs: ['192.168.99.22'],
        healthCheckNodePort: 30000,
      },
      { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    ),
    service('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3003 }] }),
    // Upstream makes svc4 a NodePort Service without a nodePort (the fake allocates none). The API
    // server would allocate one, so we express the same rules as a ClusterIP Service with an external IP.
    service('ns4', 'svc4', { type: 'ClusterIP', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'], ports: [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 80 }] }),
    service(
      'ns5',
      'svc5',
      {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Cluster',
        clusterIP: '172.30.0.45',
        ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3002 }],
        healthCheckNodePort: 30000,
        loadBalancerSourceRanges: [' 203.0.113.0/25'],
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
      },
      { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } },
    ),
    service('ns6', 'svc6', { type: 'ClusterIP', clusterIP: '172.30.0.46', ports: [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 80 }] }),
    slice('ns1', 'svc1', [on('10.180.0.1', 'test-node')], P80),
    slice('ns2', 'svc2', [on('10.180.0.2', 'other-node')], P80),
    slice('ns3', 'svc3', [on('10.180.0.3', 'test-node')], P80),
    slice('ns4', 'svc4', [on('10.180.0.4', 'other-node'), ep('10.180.0.5', 'test-node')], P80),
    slice('ns5', 'svc5', [on('10.180.0.3', 'test-node')], P80),
  );
}

