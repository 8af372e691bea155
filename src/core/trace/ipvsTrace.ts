/**
 * Follows the first packet of a new connection in IPVS mode: the iptables helper rules kube-proxy keeps
 * (source ranges, masquerade marks, hairpin) decided from its ipsets, then the IPVS virtual server and
 * the scheduler's choice among real servers. Works on generated rules (with ipsets) and on imported
 * `ipvsadm -Ln` output (virtual servers only: masquerading is then unknown and said so).
 */
import { cidrContains, formatIP, isLoopback, joinHostPort, parseCIDR, parseIP } from '../net/ip';
import type { LocalDetector } from '../proxy/types';
import type { IpvsRealServer, IpvsTable, IpvsVirtualServer } from '../rules/ipvs/types';
import type { TraceContext, TraceDetail, TracePacket, TraceStep } from './types';
import { percent } from './summary';

/** What only a generated rule set knows: the ipsets and the masquerade configuration. */
export interface IpvsHelperState {
  has(set: string, entry: string): boolean;
  /** Entries of a set (for the source-range sets). */
  entriesOf(set: string): Iterable<string>;
  masqueradeAll: boolean;
  detector: LocalDetector;
  /** "ns/svc:port" per virtual server key (`TCP 10.96.0.1:443`). */
  owners?: Map<string, string>;
}

const WEIGHTED = new Set(['wrr', 'wlc', 'lblc', 'lblcr']);
const HASHED = new Set(['sh', 'dh', 'mh']);



export function traceIpvs(table: IpvsTable, packet: TracePacket, ctx: TraceContext, helper?: IpvsHelperState): TraceDetail {
  const s = parseIP(packet.from);
  const d = parseIP(packet.to);
  if (!s) throw new Error(`source "${packet.from}" is not an IP address`);
  if (!d) throw new Error(`destination "${packet.to}" is not an IP address`);
  if (s.family !== d.family) throw new Error(`source ${packet.from} and destination ${packet.to} are of different IP families`);
  if (!Number.isInteger(packet.port) || packet.port < 1 || packet.port > 65535) throw new Error(`port ${packet.port} is not between 1 and 65535`);
  const src = formatIP(s);
  const dst = formatIP(d);
  const proto = packet.protocol.toLowerCase();
  const steps: TraceStep[] = [];
  const warnings: string[] = [];
  const step = (tbl: string, chain: string, rule: string, effect: string) => steps.push({ table: tbl, chain, rule, effect });
  const what = `${packet.protocol} ${src} -> ${joinHostPort(dst, packet.port)}${ctx.nodeName ? ` on node ${ctx.nodeName}` : ''}`;
  const entry = `${dst},${proto}:${packet.port}`;
  const done = (verdict: TraceDetail['verdict'], explanation: string, decidedBy?: { table: string; chain: string; comment?: string }): TraceDetail => ({
    verdict,
    endpoints: [],
    masquerade: false,
    steps,
    explanation: warnings.length ? `${explanation} Note: ${warnings.join('; ')}.` : explanation,
    branches: [{ probability: 1, verdict, masquerade: false, comments: [], ...(decidedBy ? { decidedBy } : {}) }],
    warnings,
  });
  const vs = table.virtualServers.find((v) => v.protocol.toLowerCase() === proto && v.address === dst && v.port === packet.port);
  const owner = vs ? helper?.owners?.get(`${vs.protocol} ${joinHostPort(vs.address, vs.port)}`) : undefined;

  // filter: loadBalancerSourceRanges (KUBE-PROXY-FIREWALL from INPUT; KUBE-IPVS-OUT-FILTER for the node itself).
  if (helper?.has('KUBE-LOAD-BALANCER-FW', entry)) {
    const cidrOK = [...helper.entriesOf('KUBE-LOAD-BALANCER-SOURCE-CIDR')].some((e) => {
      if (!e.startsWith(`${entry},`)) return false;
      const c = parseCIDR(e.slice(entry.length + 1));
      return !!c && cidrContains(c, src);
    });
    const nodeOK = helper.has('KUBE-LOAD-BALANCER-SOURCE-IP', `${entry},${dst}`);
    if (ctx.source === 'node') {
      if (!nodeOK) {
        step('filter', 'KUBE-IPVS-OUT-FILTER', `-A KUBE-IPVS-OUT-FILTER -s ${dst} -m ipvs --vaddr ${dst} --vproto ${proto} --vport ${packet.port} -j DROP`, 'DROP');
        return done('DROP', `${what} is dropped (the client times out): no loadBalancerSourceRanges entry of ${owner ?? 'the Service'} holds this node's IP, so the node may not use the LoadBalancer IP.`, { table: 'filter', chain: 'KUBE-IPVS-OUT-FILTER' });
      }
    } else if (!cidrOK) {
      step('filter', 'KUBE-PROXY-FIREWALL', '-A KUBE-PROXY-FIREWALL -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL', 'jump to KUBE-SOURCE-RANGES-FIREWALL');
      step('filter', 'KUBE-SOURCE-RANGES-FIREWALL', '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP', 'DROP');
      return done('DROP', `${what} is dropped (the client times out): source ${src} is outside the loadBalancerSourceRanges of ${owner ?? 'the Service'}.`, { table: 'filter', chain: 'KUBE-SOURCE-RANGES-FIREWALL' });
    }
  }

  if (!vs) {
    const onDummy = helper ? helper.has('KUBE-IPVS-IPS', dst) : table.virtualServers.some((v) => v.address === dst) && !ctx.localIPs.includes(dst);
    if (onDummy) {
      // Read from bare ipvsadm output, the address being on kube-ipvs0 and the REJECT are inferred.
      if (!helper) warnings.push("that the address is on kube-ipvs0 is inferred from its other virtual servers, and the REJECT is kube-proxy's KUBE-IPVS-FILTER rule from v1.25 on (kubernetes#108460), which ipvsadm output does not show; before v1.25 the packet reaches the node's own sockets on that port instead");
      step('filter', 'KUBE-IPVS-FILTER', '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT', 'REJECT');
      return done('REJECT', `${what} is rejected (the client gets "connection refused"): ${dst} is a Service address bound to kube-ipvs0, but no virtual server listens on ${packet.port}/${packet.protocol}.`, { table: 'filter', chain: 'KUBE-IPVS-FILTER' });
    }
    return done('NONE', [`${what} matches no IPVS virtual server: it is not load-balanced and goes on to ${dst} unchanged.`, ...(ctx.unmatched?.(packet) ?? [])].join(' '));
  }
  const vsText = `${vs.protocol}  ${joinHostPort(vs.address, vs.port)} ${vs.scheduler ?? ''}${vs.persistent !== undefined ? ` persistent ${vs.persistent}` : ''}`.trimEnd();
  const live = vs.realServers.filter((r) => (r.weight ?? 1) > 0);
  const drained = vs.realServers.length - live.length;
  if (drained) warnings.push(`${drained} real server(s) have weight 0 (terminating or being drained) and get no new connections`);
  if (!live.length) {
    step('ipvs', vsText, '(no real server with weight > 0)', 'REJECT: IPVS answers ICMP port unreachable');
    return done('REJECT', `${what} is rejected (the client gets "connection refused"): IPVS virtual server ${joinHostPort(vs.address, vs.port)}${owner ? ` of ${owner}` : ''} has no usable real server (no endpoint this node may use).${owner && ctx.notes ? ctx.notes(owner, 'REJECT').map((n) => ` ${n}`).join('') : ''}`, { table: 'ipvs', chain: vsText });
  }

  // nat: the masquerade decisions, in KUBE-SERVICES order.
  let masq = false;
  const notes: string[] = [];
  /** The client IP is kept for externalTrafficPolicy Local (a -LOCAL ipset's RETURN). */
  let keptLocal = false;
  if (!helper) warnings.push('whether the source is masqueraded cannot be told from ipvsadm output alone (iptables rules and ipsets decide it): assumed not');
  else if (isLoopback(src)) step('nat', 'KUBE-SERVICES', `-A KUBE-SERVICES -s ${s.family === 'IPv4' ? '127.0.0.0/8' : '::1/128'} -j RETURN`, 'RETURN: localhost traffic is not marked');
  else {
    const masqStep = (chain: string, rule: string) => {
      masq = true;
      step('nat', chain, rule, 'jump to KUBE-MARK-MASQ');
    };
    let accepted = false;
    if (helper.has('KUBE-LOAD-BALANCER', entry)) {
      keptLocal = helper.has('KUBE-LOAD-BALANCER-LOCAL', entry);
      step('nat', 'KUBE-SERVICES', '-A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER', 'jump to KUBE-LOAD-BALANCER');
      if (helper.has('KUBE-LOAD-BALANCER-LOCAL', entry)) step('nat', 'KUBE-LOAD-BALANCER', '-A KUBE-LOAD-BALANCER -m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN', 'RETURN: externalTrafficPolicy Local keeps the client IP');
      else masqStep('KUBE-LOAD-BALANCER', '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ');
    }
    if (helper.has('KUBE-CLUSTER-IP', entry)) {
      const d2 = helper.detector;
      const cidr = d2.cidr ? parseCIDR(d2.cidr) : undefined;
      if (helper.masqueradeAll) masqStep('KUBE-SERVICES', '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ');
      else if (d2.mode !== 'None') {
        let local = false;
        if (cidr) local = cidrContains(cidr, src);
        else warnings.push(`local traffic is detected by interface (${d2.iface}); the packet is assumed to come from a pod`);
        if (!cidr && ctx.source !== 'node') local = true;
        if (!local) masqStep('KUBE-SERVICES', `-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst ${d2.ifNotLocal.join(' ')} -j KUBE-MARK-MASQ`);
      } else if (ctx.source === 'node') masqStep('KUBE-SERVICES', '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ');
    }
    if (helper.has('KUBE-EXTERNAL-IP', entry)) {
      masqStep('KUBE-SERVICES', '-A KUBE-SERVICES -m set --match-set KUBE-EXTERNAL-IP dst,dst -j KUBE-MARK-MASQ');
      accepted = true;
    }
    if (helper.has('KUBE-EXTERNAL-IP-LOCAL', entry)) accepted = keptLocal = true;
    const dstLocal = ctx.localIPs.includes(dst) || isLoopback(dst) || helper.has('KUBE-IPVS-IPS', dst);
    if (!accepted && dstLocal) {
      const sfx = proto === 'sctp' ? 'SCTP-HASH' : proto.toUpperCase();
      const key = proto === 'sctp' ? entry : String(packet.port);
      if (helper.has(`KUBE-NODE-PORT-LOCAL-${sfx}`, key)) {
        keptLocal = true;
        step('nat', 'KUBE-NODE-PORT', `-A KUBE-NODE-PORT -p ${proto} -m set --match-set KUBE-NODE-PORT-LOCAL-${sfx} dst -j RETURN`, 'RETURN: externalTrafficPolicy Local keeps the client IP');
      }
      else if (helper.has(`KUBE-NODE-PORT-${sfx}`, key)) masqStep('KUBE-NODE-PORT', `-A KUBE-NODE-PORT -p ${proto} -m set --match-set KUBE-NODE-PORT-${sfx} dst -j KUBE-MARK-MASQ`);
    }
  }

  // IPVS picks a real server.
  const total = live.reduce((n, r) => n + (WEIGHTED.has(vs.scheduler ?? '') ? (r.weight ?? 1) : 1), 0);
  const prob = (r: IpvsRealServer) => (WEIGHTED.has(vs.scheduler ?? '') ? (r.weight ?? 1) : 1) / total;
  // No local endpoint: kube-proxy keeps the cluster's real servers (proxier.go syncEndpoint, kubernetes #97081)
  // and writes no DROP; with the client IP kept, the reply of a pod on another node does not come back this way.
  if (helper && keptLocal && !masq && ctx.source === 'external' && live.length && !live.some((r) => helper.has('KUBE-LOOP-BACK', `${r.address},${proto}:${r.port},${r.address}`))) {
    notes.push(
      'externalTrafficPolicy Local and no endpoint on this node: these real servers are on other nodes and the client IP is kept, so the pod answers the client directly, not through this node, and the client drops the reply (kube-proxy keeps them for pods on this node, which are served; kubernetes #97081)',
    );
  }
  if (HASHED.has(vs.scheduler ?? '')) notes.push(`the ${vs.scheduler} scheduler picks by a hash of the ${vs.scheduler === 'dh' ? 'destination' : 'source'} address, so one client always lands on the same endpoint; the shares shown are over many clients`);
  const endpoints = live.map((r) => ({ ip: r.address, port: r.port, probability: prob(r) }));
  const branches: TraceDetail['branches'] = [];
  for (const r of live) {
    const hairpin = !!helper && r.address === src && helper.has('KUBE-LOOP-BACK', `${r.address},${proto}:${r.port},${src}`);
    step('ipvs', vsText, `-> ${joinHostPort(r.address, r.port)} ${r.forward ?? 'Masq'} ${r.weight ?? 1}`, `forward to ${joinHostPort(r.address, r.port)} (probability ${+prob(r).toFixed(10)})`);
    if (hairpin) step('nat', 'KUBE-POSTROUTING', '-A KUBE-POSTROUTING -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE', 'MASQUERADE (hairpin: the pod reaches itself)');
    branches.push({ probability: prob(r), verdict: 'DNAT', dnat: { ip: r.address, port: r.port }, masquerade: masq || hairpin, comments: [], ...(vs.persistent !== undefined ? { affinity: { seconds: vs.persistent } } : {}) });
  }
  if (masq) step('nat', 'KUBE-POSTROUTING', '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully', "MASQUERADE: source rewritten to the node's address");
  const masquerade = branches.some((b) => b.masquerade);
  const eps = endpoints.map((e) => `${joinHostPort(e.ip, e.port)} (${percent(e.probability)})`).join(', ');
  const parts = [
    `${what} hits IPVS virtual server ${joinHostPort(vs.address, vs.port)}${owner ? ` of Service port ${owner}` : ''} (scheduler ${vs.scheduler ?? '?'}) and is forwarded to ${endpoints.length === 1 ? 'its only real server' : `one of ${endpoints.length} real servers`}: ${eps}.`,
  ];
  // Without the helper rules, the note below says masquerade cannot be told.
  if (helper && masquerade && branches.every((b) => b.masquerade)) parts.push("The packet is marked for masquerade, so its source becomes the node's address.");
  else if (helper && masquerade) parts.push('Only when it lands on the sending pod itself (hairpin) is the source masqueraded; otherwise the client IP is kept.');
  else if (helper) parts.push('The source address is kept (no masquerade).');
  if (vs.persistent !== undefined) parts.push(`Persistence (ClientIP session affinity): later connections from ${src} go to the same real server until ${vs.persistent} s pass without one (the record is kept on this node only).`);
  parts.push(...notes.map((n) => `Note: ${n}.`));
  if (owner && ctx.notes) parts.push(...ctx.notes(owner, 'DNAT'));
  if (warnings.length) parts.push(`Note: ${warnings.join('; ')}.`);
  return { verdict: 'DNAT', endpoints, masquerade, steps, explanation: parts.join(' '), branches, warnings };
}

/** The virtual servers of a table keyed as ipvsadm shows them, for quick lookups. */
export function ipvsIndex(table: IpvsTable): Map<string, IpvsVirtualServer> {
  return new Map(table.virtualServers.map((v) => [`${v.protocol} ${joinHostPort(v.address, v.port)}`, v]));
}
