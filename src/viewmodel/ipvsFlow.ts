/**
 * A Service's IPVS rules drawn as a flow: each virtual server (ClusterIP, NodePort on each node address,
 * external and load-balancer IPs) to its real servers with their share of new connections under the
 * scheduler, and, when the ipsets are known (generated rules), the iptables helper rules kube-proxy keeps
 * beside IPVS that decide masquerade (KUBE-MARK-MASQ), source ranges (KUBE-SOURCE-RANGES-FIREWALL -> DROP)
 * and hairpin (KUBE-LOOP-BACK). An externalTrafficPolicy Local address on a node with no local endpoint keeps
 * the cluster's real servers (proxier.go syncEndpoint, kubernetes #97081) and writes no DROP: the flow shows
 * where that leaves a client from outside the cluster. Pure.
 */
import type { FlowEdge, FlowNode } from '../protocol/webview';
import type { IpvsRealServer, IpvsVirtualServer, LocalDetector } from '../core';

/** The helper state of a generated IPVS run: ipset membership and the masquerade settings. */
export interface IpvsFlowHelper {
  has(set: string, entry: string): boolean;
  entriesOf(set: string): Iterable<string>;
  masqueradeAll: boolean;
  detector: LocalDetector;
  /** The masquerade mark, e.g. 0x00004000. */
  mark: string;
}

/** Schedulers that weigh real servers (the others share new connections evenly among weight > 0). */
const WEIGHTED = new Set(['wrr', 'wlc', 'lblc', 'lblcr']);

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Each real server's share of new connections: by weight for weighted schedulers, else even; weight 0 gets none. */
export function realServerShares(vs: IpvsVirtualServer): number[] {
  const weighted = WEIGHTED.has(vs.scheduler ?? '');
  const w = (r: IpvsRealServer) => ((r.weight ?? 1) > 0 ? (weighted ? (r.weight ?? 1) : 1) : 0);
  const total = vs.realServers.reduce((n, r) => n + w(r), 0);
  return vs.realServers.map((r) => (total ? w(r) / total : 0));
}

export function ipvsFlow(virtualServers: readonly IpvsVirtualServer[], helper?: IpvsFlowHelper): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const nodes = new Map<string, FlowNode>();
  const edges: FlowEdge[] = [];
  const node = (id: string, label: string, kind: FlowNode['kind']) => {
    if (!nodes.has(id)) nodes.set(id, { id, label, kind });
    return id;
  };
  const edge = (from: string, to: string, label: string, probability?: number) => edges.push({ from, to, label, ...(probability !== undefined ? { probability } : {}) });
  const markMasq = () => {
    const id = node('nat/KUBE-MARK-MASQ', 'KUBE-MARK-MASQ', 'masquerade');
    if (!edges.some((e) => e.from === id)) edge(id, node('MASQUERADE', 'MASQUERADE (KUBE-POSTROUTING)', 'masquerade'), `mark ${helper?.mark ?? ''}`.trim());
    return id;
  };
  const kept = () => node('client-ip-kept', 'client IP kept (RETURN)', 'other');
  for (const vs of virtualServers) {
    const proto = vs.protocol.toLowerCase();
    const entry = `${vs.address},${proto}:${vs.port}`;
    const flags = [...(vs.persistent !== undefined ? [`persistent ${vs.persistent}`] : []), ...vs.flags].join(' ');
    const label = `${vs.protocol} ${vs.protocol === 'FWM' ? `fwmark ${vs.fwmark ?? ''}` : hostPort(vs.address, vs.port)} ${vs.scheduler ?? ''}${flags ? ` ${flags}` : ''}`.trimEnd();
    const vsId = node(`ipvs/${vs.protocol} ${hostPort(vs.address, vs.port)}`, label, vsKind(vs, helper));
    const shares = realServerShares(vs);
    const fallback = helper !== undefined && noLocalFallback(vs, helper);
    vs.realServers.forEach((r, i) => {
      const rs = node(`rs/${hostPort(r.address, r.port)}`, hostPort(r.address, r.port), 'endpoint');
      const weight = r.weight ?? 1;
      edge(vsId, rs, `${r.forward ?? 'Masq'} weight ${weight}${weight === 0 ? ' (drained: no new connections)' : ''}${fallback ? ' (on another node)' : ''}`, shares[i]);
      if (helper?.has('KUBE-LOOP-BACK', `${r.address},${proto}:${r.port},${r.address}`)) edge(rs, node('MASQUERADE', 'MASQUERADE (KUBE-POSTROUTING)', 'masquerade'), `from ${r.address} itself (hairpin, KUBE-LOOP-BACK)`);
    });
    if (!vs.realServers.length) edge(vsId, node('REJECT', 'REJECT', 'reject'), 'no real server (no ready endpoint): ICMP port unreachable');
    if (fallback)
      edge(
        vsId,
        node('no-local-reply', 'outside clients get no reply', 'reject'),
        'externalTrafficPolicy Local, no endpoint on this node: a pod on another node answers the kept client IP directly, so the reply never comes back through this node and is dropped; only pods on this node are served (kubernetes #97081; no DROP rule is written)',
      );
    if (!helper) continue;
    // The helpers in KUBE-SERVICES order (src/core/proxy/ipvs/helperRules.ts), decided by which ipset holds the virtual server.
    if (helper.has('KUBE-LOAD-BALANCER-FW', entry)) {
      const fw = node('filter/KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'firewall');
      edge(vsId, fw, 'set KUBE-LOAD-BALANCER-FW dst,dst');
      const allowed = [...helper.entriesOf('KUBE-LOAD-BALANCER-SOURCE-CIDR')].filter((e) => e.startsWith(`${entry},`)).map((e) => e.slice(entry.length + 1));
      edge(fw, node('DROP', 'DROP', 'reject'), `source not in ${allowed.join(', ') || 'any range'} (KUBE-LOAD-BALANCER-SOURCE-CIDR)`);
    }
    if (helper.has('KUBE-LOAD-BALANCER', entry)) {
      const lb = node('nat/KUBE-LOAD-BALANCER', 'KUBE-LOAD-BALANCER', 'loadbalancer');
      edge(vsId, lb, 'set KUBE-LOAD-BALANCER dst,dst');
      if (helper.has('KUBE-LOAD-BALANCER-LOCAL', entry)) edge(lb, kept(), 'set KUBE-LOAD-BALANCER-LOCAL dst,dst (externalTrafficPolicy Local)');
      else edge(lb, markMasq(), 'always');
    }
    if (helper.has('KUBE-CLUSTER-IP', entry)) {
      const d = helper.detector;
      if (helper.masqueradeAll) edge(vsId, markMasq(), 'set KUBE-CLUSTER-IP dst,dst (masqueradeAll)');
      else if (d.mode !== 'None') edge(vsId, markMasq(), `set KUBE-CLUSTER-IP dst,dst ${d.ifNotLocal.join(' ')}`.trimEnd());
      else edge(vsId, markMasq(), 'set KUBE-CLUSTER-IP src,dst (from the node itself)');
    }
    if (helper.has('KUBE-EXTERNAL-IP', entry)) edge(vsId, markMasq(), 'set KUBE-EXTERNAL-IP dst,dst');
    if (helper.has('KUBE-EXTERNAL-IP-LOCAL', entry)) edge(vsId, kept(), 'set KUBE-EXTERNAL-IP-LOCAL dst,dst (externalTrafficPolicy Local)');
    const sfx = proto === 'sctp' ? 'SCTP-HASH' : proto.toUpperCase();
    const npKey = proto === 'sctp' ? entry : String(vs.port);
    if (vsKind(vs, helper) === 'nodeport') {
      const np = node('nat/KUBE-NODE-PORT', 'KUBE-NODE-PORT', 'nodeport');
      edge(vsId, np, 'dst-type LOCAL');
      if (helper.has(`KUBE-NODE-PORT-LOCAL-${sfx}`, npKey)) edge(np, kept(), `set KUBE-NODE-PORT-LOCAL-${sfx} (externalTrafficPolicy Local)`);
      else edge(np, markMasq(), `-p ${proto} set KUBE-NODE-PORT-${sfx}`);
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/**
 * An externalTrafficPolicy Local address (load balancer, external IP or node port, by its -LOCAL ipset) whose
 * real servers are all on other nodes (none in KUBE-LOOP-BACK, which lists every local endpoint).
 */
function noLocalFallback(vs: IpvsVirtualServer, helper: IpvsFlowHelper): boolean {
  if (!vs.realServers.length || vs.protocol === 'FWM') return false;
  const proto = vs.protocol.toLowerCase();
  const entry = `${vs.address},${proto}:${vs.port}`;
  const sfx = proto === 'sctp' ? 'SCTP-HASH' : proto.toUpperCase();
  const local =
    helper.has('KUBE-LOAD-BALANCER-LOCAL', entry) ||
    helper.has('KUBE-EXTERNAL-IP-LOCAL', entry) ||
    (vsKind(vs, helper) === 'nodeport' && helper.has(`KUBE-NODE-PORT-LOCAL-${sfx}`, proto === 'sctp' ? entry : String(vs.port)));
  return local && !vs.realServers.some((r) => helper.has('KUBE-LOOP-BACK', `${r.address},${proto}:${r.port},${r.address}`));
}

/** What a virtual server is for, from the ipset that holds it (a plain Service node without ipsets). */
function vsKind(vs: IpvsVirtualServer, helper: IpvsFlowHelper | undefined): FlowNode['kind'] {
  if (!helper) return 'service';
  const proto = vs.protocol.toLowerCase();
  const entry = `${vs.address},${proto}:${vs.port}`;
  if (helper.has('KUBE-CLUSTER-IP', entry)) return 'service';
  if (helper.has('KUBE-LOAD-BALANCER', entry)) return 'loadbalancer';
  if (helper.has('KUBE-EXTERNAL-IP', entry) || helper.has('KUBE-EXTERNAL-IP-LOCAL', entry)) return 'external';
  const sfx = proto === 'sctp' ? 'SCTP-HASH' : proto.toUpperCase();
  if (helper.has(`KUBE-NODE-PORT-${sfx}`, proto === 'sctp' ? entry : String(vs.port))) return 'nodeport';
  return 'service';
}
