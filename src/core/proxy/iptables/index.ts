/** The iptables renderer: restore payloads and iptables-save views, per IP family, by version. */
import type { ClusterState, IPFamily } from '../coreDeps';
import { activeFamilies, buildProxyModel, proxiedPorts, topologyInput } from '../model';
import { proxyNode } from '../node';
import { registerRulesRenderer, RulesRequestError, type RulesRequest } from '../renderers';
import { LARGE_CLUSTER_ENDPOINTS_THRESHOLD, type IPTablesOptions } from './context';
import { restoreText, type IPTablesPayload } from './payload';
import { iptablesProfile } from './profiles';
import { renderIPTables, renderServiceIPTables } from './render';
import { saveText } from './save';
import { kubeletIPTables } from './kubelet';
import { kubeProxyMinor, resolveProxyVersion } from '../proxyVersion';

export * from './names';
export * from './payload';
export * from './profiles';
export * from './context';
export * from './render';
export * from './save';
export * from './saveFormat';
export * from './jumps';
export * from './kubelet';

export const IPTABLES_FORMATS = ['restore', 'save'] as const;

const endpointCounts = new WeakMap<ClusterState, Map<string, number>>();

/** Endpoints summed over every service port of a family (large-cluster mode), cached per state. */
export function totalEndpoints(state: ClusterState, family: IPFamily, node?: string): number {
  let per = endpointCounts.get(state);
  if (!per) endpointCounts.set(state, (per = new Map()));
  const key = `${family}/${node ?? ''}`;
  let n = per.get(key);
  if (n === undefined) {
    const pn = proxyNode(state, node);
    const topo = topologyInput(pn, {});
    n = 0;
    for (const svc of state.services) for (const sp of proxiedPorts(state, svc, family, pn, topo)) n += sp.endpoints.length;
    per.set(key, n);
  }
  return n;
}

const largeModes = new WeakMap<ClusterState, Map<string, boolean>>();

/**
 * kube-proxy's largeClusterMode (more endpoints than largeClusterEndpointsThreshold over all service
 * ports), cached per state. Counting stops once the threshold is passed: the answer needs no more.
 */
export function largeClusterMode(state: ClusterState, family: IPFamily, node?: string): boolean {
  const key = `${family}/${node ?? ''}`;
  const known = endpointCounts.get(state)?.get(key);
  if (known !== undefined) return known > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;
  let per = largeModes.get(state);
  if (!per) largeModes.set(state, (per = new Map()));
  let large = per.get(key);
  if (large === undefined) {
    const pn = proxyNode(state, node);
    const topo = topologyInput(pn, {});
    let n = 0;
    for (const svc of state.services) {
      for (const sp of proxiedPorts(state, svc, family, pn, topo)) n += sp.endpoints.length;
      if (n > LARGE_CLUSTER_ENDPOINTS_THRESHOLD) break;
    }
    per.set(key, (large = n > LARGE_CLUSTER_ENDPOINTS_THRESHOLD));
  }
  return large;
}

export function renderIPTablesRules(req: RulesRequest, options: IPTablesOptions = {}): string {
  const format = req.format ?? 'restore';
  if (!(IPTABLES_FORMATS as readonly string[]).includes(format)) throw new RulesRequestError(`--format must be one of ${IPTABLES_FORMATS.join(', ')} for iptables (got "${format}")`);
  // No version given: the cluster's (its kube-proxy DaemonSet, else the node's kubelet), else the current layout.
  const version = req.version || resolveProxyVersion(req.state, 'iptables', { node: req.node }).version;
  const profile = iptablesProfile(version);
  const minor = kubeProxyMinor(version);
  const families = req.families ?? (req.service ? req.service.ipFamilies : activeFamilies(req.state));
  const texts: string[] = [];
  for (const family of families) {
    let payload: IPTablesPayload;
    if (req.service) {
      const total = totalEndpoints(req.state, family, req.node);
      payload = renderServiceIPTables(req.state, req.service, { family, node: req.node, kubeProxyMinor: minor }, total, { ...options, profile });
    } else {
      payload = renderIPTables(req.state, buildProxyModel(req.state, { family, node: req.node, kubeProxyMinor: minor }), { ...options, profile });
    }
    const header = families.length > 1 ? [`# ${family === 'IPv4' ? 'iptables' : 'ip6tables'}`] : [];
    const kubelet = format === 'save' ? kubeletIPTables(version, family, profile) : undefined;
    const notes = kubelet ? [...payload.notes, kubelet.note] : payload.notes;
    const body = format === 'save' ? saveText(payload, { profile, date: req.date, kubelet }) : restoreText(payload);
    texts.push([...header.map((h) => h + '\n'), format === 'save' ? notes.map((n) => `# ${n}\n`).join('') : '', body].join(''));
  }
  return texts.join('');
}

registerRulesRenderer({ mode: 'iptables', formats: IPTABLES_FORMATS, render: (req) => renderIPTablesRules(req) });
