/** One paragraph, in plain words, of what happened to the packet, built from rule comments. */
import type { TraceBranch, TraceContext, TraceDetail, TracePacket } from './types';
import { joinHostPort } from '../net/ip';
import { acceptedSentence, affinitySentence, percent, unmatchedSentences } from './summary';

const SERVICE_COMMENT = / (cluster IP|external IP|loadbalancer IP|health check node port)$/;

const NO_ENDPOINTS = / has no (local )?endpoints$/;
const NOT_ACCEPTED = /^(.*) traffic not accepted by KUBE-FW-/;
const PORT_NAME = /^[\w.-]+\/[\w.-]+(:[\w.-]+)?$/;

const KUBELET_DROP_COMMENT = 'kubernetes firewall for dropping marked packets';

const KINDS: Record<string, string> = { 'cluster IP': 'ClusterIP', 'external IP': 'external IP', 'loadbalancer IP': 'LoadBalancer IP' };



/** The Service port a branch went through, from the comments of the rules it matched. */
export function serviceOf(b: TraceBranch): string | undefined {
  for (const c of b.comments) {
    const m = SERVICE_COMMENT.exec(c.comment);
    if (m) return c.comment.slice(0, m.index);
    const none = NO_ENDPOINTS.exec(c.comment);
    if (none) return c.comment.slice(0, none.index);
    const fw = NOT_ACCEPTED.exec(c.comment);
    if (fw) return fw[1];
  }
  for (const c of b.comments) if (PORT_NAME.test(c.comment)) return c.comment;
  return undefined;
}

/** The first comment, branch by branch, that passes the test. */
function firstComment(branches: readonly TraceBranch[], ok: (comment: string) => boolean): TraceBranch['comments'][number] | undefined {
  for (const b of branches) for (const c of b.comments) if (ok(c.comment)) return c;
  return undefined;
}

export function explain(d: TraceDetail, p: TracePacket, ctx: TraceContext): string {
  const where = ctx.nodeName ? ` on node ${ctx.nodeName}` : '';
  const what = `${p.protocol} ${p.from} -> ${joinHostPort(p.to, p.port)}`;
  const first = d.branches.find((b) => b.verdict === d.verdict) ?? d.branches[0];
  const svc = first ? serviceOf(first) : undefined;
  const parts: string[] = [];
  const via = first?.comments.find((c) => SERVICE_COMMENT.test(c.comment) || c.chain === 'KUBE-NODEPORTS');
  switch (d.verdict) {
    case 'DNAT': {
      const kind = !via ? '' : via.chain === 'KUBE-NODEPORTS' ? 'NodePort' : KINDS[SERVICE_COMMENT.exec(via.comment)?.[1] ?? ''] ?? '';
      const eps = d.endpoints.map((e) => `${joinHostPort(e.ip, e.port)} (${percent(e.probability)})`).join(', ');
      parts.push(`${what}${where} matches ${svc ? `Service port ${svc}` : 'a kube-proxy rule'}${kind ? ` (${kind})` : ''} and is DNATed to ${d.endpoints.length === 1 ? 'its only endpoint' : `one of ${d.endpoints.length} endpoints, each new connection picked at random`}: ${eps}.`);
      const dnat = d.branches.filter((b) => b.verdict === 'DNAT');
      const short = firstComment(dnat, (c) => c.startsWith('pod traffic for ') || c.startsWith('route LOCAL traffic for '));
      if (short) parts.push(`externalTrafficPolicy is Local, but ${short.comment.startsWith('pod') ? 'traffic from a pod' : 'traffic from the node itself'} is short-circuited to all of the Service's endpoints, not only local ones.`);
      const masq = dnat.filter((b) => b.masquerade);
      if (!masq.length) parts.push('The source address is kept (no masquerade), so the endpoint sees the client IP.');
      else if (masq.length === dnat.length) {
        const why = masq[0]!.comments.find((c) => c.target === 'KUBE-MARK-MASQ');
        parts.push(`The source is masqueraded to the node's address${why ? ` (rule "${why.comment}")` : ''}, so the endpoint does not see the client IP.`);
      } else {
        const eps = masq.map((b) => (b.dnat ? joinHostPort(b.dnat.ip, b.dnat.port) : '?')).join(', ');
        parts.push(`Only when it lands on ${eps} (the sending pod itself: hairpin) is the source masqueraded; otherwise the client IP is kept.`);
      }
      const aff = dnat.find((b) => b.affinity);
      if (aff) parts.push(affinitySentence(p.from, aff.affinity?.seconds));
      const lost = d.branches.filter((b) => b.verdict === 'DROP' || b.verdict === 'REJECT');
      if (lost.length) parts.push(`${percent(lost.reduce((s, b) => s + b.probability, 0))} of connections are ${lost[0]!.verdict === 'DROP' ? 'dropped' : 'rejected'} instead.`);
      break;
    }
    case 'REJECT':
    case 'DROP': {
      let by = first?.decidedBy;
      // Before v1.25 kube-proxy only marked such packets (KUBE-MARK-DROP); kubelet's KUBE-FIREWALL drops them.
      const marked = by?.comment === KUBELET_DROP_COMMENT ? first?.comments.find((x) => x.target === 'KUBE-MARK-DROP') : undefined;
      if (marked) by = { table: marked.table, chain: marked.chain, comment: marked.chain.startsWith('KUBE-FW-') ? `${svc ?? ''} traffic not accepted by ${marked.chain}` : marked.comment };
      const c = by?.comment ?? '';
      const verb = d.verdict === 'DROP' ? 'dropped (the client times out)' : 'rejected (the client gets "connection refused")';
      if (/ has no endpoints$/.test(c)) parts.push(`${what}${where} is ${verb}: Service port ${svc ?? c.replace(/ has no endpoints$/, '')} has no endpoints (no ready pod, and no serving pod that is terminating).`);
      else if (/ has no local endpoints$/.test(c)) {
        const policy = by?.chain === 'KUBE-SERVICES' ? 'internalTrafficPolicy' : 'externalTrafficPolicy';
        parts.push(`${what}${where} is ${verb}: ${policy} is Local and ${ctx.nodeName ? `node ${ctx.nodeName}` : 'this node'} has no ready endpoint for ${svc ?? 'the Service'}.`);
      } else if (/traffic not accepted by KUBE-FW-/.test(c)) {
        // The KUBE-FW chain let the source through (a jump to the Service's chains) but nothing DNATed it: with
        // externalTrafficPolicy Local the KUBE-EXT chain has no endpoint jump on a node without a local endpoint.
        const passed = first?.comments.some((x) => x.chain.startsWith('KUBE-FW-') && /^KUBE-(EXT|XLB|SVC|SVL)-/.test(x.target ?? ''));
        if (passed) parts.push(`${what}${where} is ${verb}: source ${p.from} is within the loadBalancerSourceRanges of ${svc ?? 'the Service'}, but ${ctx.nodeName ? `node ${ctx.nodeName}` : 'this node'} has no endpoint for its external traffic (externalTrafficPolicy Local takes only endpoints on the node itself), so nothing DNATs it and KUBE-PROXY-FIREWALL drops it.`);
        else parts.push(`${what}${where} is ${verb}: source ${p.from} is outside the loadBalancerSourceRanges of ${svc ?? 'the Service'}.`);
      }
      else parts.push(`${what}${where} is ${verb} by ${by ? `${by.table} ${by.chain}` : 'a rule'}${c ? ` ("${c}")` : ''}.`);
      if (marked) parts.push(`(${marked.table} ${marked.chain} marks it with KUBE-MARK-DROP; kubelet's filter KUBE-FIREWALL chain drops marked packets, as nodes did before kube-proxy 1.25.)`);
      break;
    }
    case 'ACCEPT': {
      const by = first?.decidedBy;
      parts.push(acceptedSentence(`${what}${where}`, by));
      break;
    }
    case 'NONE':
      // A Service's rules were entered but none translated the packet (an unreadable DNAT, a chain cut off).
      if (svc) parts.push(`${what}${where} enters the rules of Service port ${svc}, but none of them DNATs it: it goes on to ${p.to} unchanged (see the notes).`);
      else parts.push(...unmatchedSentences(`${what}${where}`, p.to, ctx.unmatched?.(p) ?? []));
      break;
  }
  const unenforced = d.verdict !== 'DROP' ? first?.comments.find((c) => c.target === 'KUBE-MARK-DROP') : undefined;
  if (unenforced) {
    parts.push(`${unenforced.table} ${unenforced.chain} marked it for dropping (KUBE-MARK-DROP), but only kubelet's KUBE-FIREWALL, hooked into filter INPUT and OUTPUT, drops marked packets: traffic the node forwards is not dropped.`);
  }
  if (svc && ctx.notes) parts.push(...ctx.notes(svc, d.verdict));
  return parts.join(' ');
}
