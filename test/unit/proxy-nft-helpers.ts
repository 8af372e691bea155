/**
 * The environment of upstream's nftables NewFakeProxier, as manifests: node "test-node" with
 * 192.168.0.2 (primary), 192.168.1.2 and 192.168.99.11; pod CIDR 10.0.0.0/8 (ClusterCIDR detection);
 * service CIDR 172.30.0.0/16; nodePortAddresses 192.168.0.2/32; mark 0x4000 (the fake's value).
 */
import { dumpNftTable, parseNft, renderNftables, type ClusterState, type NftRenderOptions } from '../../src/core';
import { docs, stateOf } from './proxy-helpers';

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
