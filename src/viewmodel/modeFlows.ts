/**
 * The rule flow of a Service in nftables and IPVS mode, from the rules the renderers write for the node
 * (src/core/proxy): the nftables flow needs the node's whole table (the dispatch maps and shared chains
 * the Service's own commands refer to), the IPVS flow the Service's virtual servers and the ipsets.
 * Rendered once per state, version, family and node (states are immutable).
 */
import { checkNftVersion, kubeProxyMinor, masqueradeMark, parseNft, renderIpvs, renderNftables, type ClusterState, type IPFamily, type NftRuleset, type ServiceModel } from '../core';
import type { FlowEdge, FlowNode } from '../protocol/webview';
import { ipvsFlow } from './ipvsFlow';
import { nftFlow } from './nftFlow';

type Flow = { nodes: FlowNode[]; edges: FlowEdge[] };

const nftCache = new WeakMap<ClusterState, Map<string, NftRuleset>>();

function wholeNft(state: ClusterState, version: string | undefined, family: IPFamily, node: string | undefined): NftRuleset {
  let m = nftCache.get(state);
  if (!m) nftCache.set(state, (m = new Map()));
  const key = `${version ?? ''}/${family}/${node ?? ''}`;
  let rs = m.get(key);
  if (!rs) m.set(key, (rs = parseNft(renderNftables(state, { family, node, profile: checkNftVersion(version), kubeProxyMinor: kubeProxyMinor(version) }).text)));
  return rs;
}

/** The flow of `svc` in nftables or IPVS mode; `version` is the resolved kube-proxy release (undefined: the mode's default), `node` the node whose rules they are (undefined: the first Node). */
export function modeFlow(state: ClusterState, svc: ServiceModel, mode: 'nftables' | 'ipvs', version: string | undefined, node?: string): Flow {
  const families: IPFamily[] = svc.ipFamilies.length ? svc.ipFamilies : ['IPv4'];
  const ref = `${svc.namespace}/${svc.name}`;
  if (mode === 'nftables') {
    const tables = families.flatMap((f) => wholeNft(state, version, f, node).tables);
    return nftFlow({ form: 'transaction', tables, issues: [] }, ref);
  }
  const nodes = new Map<string, FlowNode>();
  const edges: FlowEdge[] = [];
  for (const family of families) {
    const r = renderIpvs(state, { family, node, services: [ref], kubeProxyMinor: kubeProxyMinor(version) });
    const flow = ipvsFlow(r.table.virtualServers, {
      has: (set, entry) => r.sets.has(set, entry),
      entriesOf: (set) => r.sets.entries.get(set) ?? [],
      masqueradeAll: r.masqueradeAll,
      detector: r.model.detector,
      mark: masqueradeMark(state.proxy.masqueradeBit),
    });
    for (const n of flow.nodes) if (!nodes.has(n.id)) nodes.set(n.id, n);
    for (const e of flow.edges) if (!edges.some((x) => x.from === e.from && x.to === e.to && x.label === e.label)) edges.push(e);
  }
  return { nodes: [...nodes.values()], edges };
}
