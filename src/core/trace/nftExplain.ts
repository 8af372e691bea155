/** One paragraph, in plain words, of what kube-proxy's nftables rules did with the packet. */
import type { TraceBranch, TraceContext, TraceDetail, TracePacket } from './types';
import { joinHostPort } from '../net/ip';
import { acceptedSentence, affinitySentence, percent, unmatchedSentences } from './summary';

type Lookup = { map: string; key: string; value: string; comment?: string };



/** `service-ULMVA6XW-ns1/svc1/tcp/p80` -> `ns1/svc1:p80`; undefined for other names. */
export function servicePortOfChain(chain: string): string | undefined {
  const m = /^(?:service|local|external|firewall|endpoint|affinity)-[A-Z2-7]{8}-([^/]+)\/([^/]+)\/(tcp|udp|sctp)\/([^_]*)/.exec(chain);
  if (!m) return undefined;
  return `${m[1]}/${m[2]}${m[4] ? `:${m[4]}` : ''}`;
}

function serviceOf(lookups: Lookup[], b: TraceBranch): string | undefined {
  for (const l of lookups) {
    const target = l.value.split(' ')[1];
    const svc = target ? servicePortOfChain(target) : undefined;
    if (svc) return svc;
    if (l.comment) return l.comment;
  }
  for (const c of b.comments) if (/^[\w.-]+\/[\w.-]+(:[\w.-]+)?$/.test(c.comment)) return c.comment;
  return undefined;
}

function pathKind(lookups: Lookup[]): string {
  const l = lookups.find((x) => x.map === '@service-ips' || x.map === '@service-nodeports');
  if (!l) return '';
  if (l.map === '@service-nodeports') return 'NodePort';
  return /goto external-/.test(l.value) ? 'external IP or LoadBalancer IP' : 'ClusterIP';
}

export function explainNft(d: TraceDetail, branches: (TraceBranch & { lookups: Lookup[] })[], p: TracePacket, ctx: TraceContext): string {
  const where = ctx.nodeName ? ` on node ${ctx.nodeName}` : '';
  const what = `${p.protocol} ${p.from} -> ${joinHostPort(p.to, p.port)}`;
  const first = branches.find((b) => b.verdict === d.verdict) ?? branches[0];
  const svc = first ? serviceOf(first.lookups, first) : undefined;
  const parts: string[] = [];
  switch (d.verdict) {
    case 'DNAT': {
      const kind = first ? pathKind(first.lookups) : '';
      const eps = d.endpoints.map((e) => `${joinHostPort(e.ip, e.port)} (${percent(e.probability)})`).join(', ');
      parts.push(`${what}${where} matches ${svc ? `Service port ${svc}` : 'a kube-proxy rule'}${kind ? ` (${kind})` : ''} and is DNATed to ${d.endpoints.length === 1 ? 'its only endpoint' : `one of ${d.endpoints.length} endpoints, each new connection picked at random (numgen)`}: ${eps}.`);
      const dnat = branches.filter((b) => b.verdict === 'DNAT');
      const short = dnat.flatMap((b) => b.comments).find((c) => /^short-circuit (pod|local) traffic$/.test(c.comment));
      if (short) parts.push(`externalTrafficPolicy is Local, but ${short.comment.includes('pod') ? 'traffic from a pod' : 'traffic from the node itself'} is short-circuited to all of the Service's endpoints, not only local ones.`);
      const masq = dnat.filter((b) => b.masquerade);
      if (!masq.length) parts.push('The source address is kept (no masquerade), so the endpoint sees the client IP.');
      else if (masq.length === dnat.length) parts.push("The packet is marked for masquerade, so its source becomes the node's address and the endpoint does not see the client IP.");
      else parts.push(`Only when it lands on ${masq.map((b) => (b.dnat ? joinHostPort(b.dnat.ip, b.dnat.port) : '?')).join(', ')} (the sending pod itself: hairpin) is the source masqueraded; otherwise the client IP is kept.`);
      const aff = dnat.find((b) => b.affinity);
      if (aff) parts.push(affinitySentence(p.from, aff.affinity?.seconds));
      const lost = branches.filter((b) => b.verdict === 'DROP' || b.verdict === 'REJECT');
      if (lost.length) parts.push(`${percent(lost.reduce((s, b) => s + b.probability, 0))} of connections are ${lost[0]!.verdict === 'DROP' ? 'dropped' : 'rejected'} instead.`);
      break;
    }
    case 'REJECT':
    case 'DROP': {
      const by = first?.decidedBy;
      const verb = d.verdict === 'DROP' ? 'dropped (the client times out)' : 'rejected (the client gets "connection refused")';
      const noEp = first?.lookups.find((l) => l.map === '@no-endpoint-services' || l.map === '@no-endpoint-nodeports');
      if (noEp && d.verdict === 'REJECT') parts.push(`${what}${where} is ${verb}: Service port ${noEp.comment ?? svc ?? '?'} has no endpoints (no ready pod, and no serving pod that is terminating).`);
      else if (noEp) {
        parts.push(`${what}${where} is ${verb}: Service port ${noEp.comment ?? svc ?? '?'} uses a Local traffic policy and ${ctx.nodeName ? `node ${ctx.nodeName}` : 'this node'} has no ready endpoint for it.`);
        // The check ran on the output hook before nat-output (filter chains at -110, kube-proxy before 1.34).
        if (ctx.source === 'node' && noEp.map === '@no-endpoint-services' && !d.steps.some((s) => s.chain === 'nat-output'))
          parts.push('The check ran before DNAT on the output hook, as kube-proxy before 1.34 does: for an external address of a Service with externalTrafficPolicy Local this drops the node\'s own connections, which 1.34 and later short-circuit to all endpoints (kubernetes #131765).');
      }
      else if (by?.chain.startsWith('firewall-')) parts.push(`${what}${where} is ${verb}: source ${p.from} is outside the loadBalancerSourceRanges of ${servicePortOfChain(by.chain) ?? 'the Service'}.`);
      else if (by?.comment === 'Reject traffic to invalid ports of ClusterIPs') parts.push(`${what}${where} is ${verb}: ${p.to} is a ClusterIP, but no Service port ${p.port}/${p.protocol} is defined on it (nftables mode rejects this; iptables mode would let it through untouched).`);
      else if (by?.comment === 'Drop traffic to unallocated ClusterIPs') parts.push(`${what}${where} is ${verb}: ${p.to} is inside the service CIDR but no Service has it as its ClusterIP.`);
      else parts.push(`${what}${where} is ${verb} by ${by ? `${by.table} ${by.chain}` : 'a rule'}${by?.comment ? ` ("${by.comment}")` : ''}.`);
      break;
    }
    case 'ACCEPT': {
      const by = first?.decidedBy;
      parts.push(acceptedSentence(`${what}${where}`, by));
      break;
    }
    case 'NONE':
      parts.push(...unmatchedSentences(`${what}${where}`, p.to, ctx.unmatched?.(p) ?? []));
  }
  // Facts from the cluster state (why a Service has no endpoints, topology, where Local endpoints run), as the iptables explanation adds them.
  const named = svc ?? (d.verdict === 'DROP' || d.verdict === 'REJECT' ? first?.lookups.find((l) => l.comment)?.comment : undefined);
  if (named && ctx.notes) parts.push(...ctx.notes(named, d.verdict));
  if (d.warnings.length) parts.push(`Note: ${d.warnings.join('; ')}.`);
  return parts.join(' ');
}
