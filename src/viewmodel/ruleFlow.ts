/**
 * A Service's kube-proxy rules drawn as a flow: chains as nodes, jumps as edges labelled with what they
 * match, and the effective probability of each endpoint (kube-proxy's statistic probabilities are
 * conditional on the earlier rules not matching, so they are multiplied out here). Pure.
 */
import type { FlowEdge, FlowNode } from '../protocol/webview';
import type { Match, Rule, RuleSet } from '../core';

export function chainKind(name: string): FlowNode['kind'] {
  if (name === 'KUBE-SERVICES' || name === 'PREROUTING' || name === 'OUTPUT') return 'entry';
  if (name === 'KUBE-NODEPORTS') return 'nodeport';
  if (/^KUBE-(SVC|SVL)-/.test(name)) return 'service';
  if (name.startsWith('KUBE-SEP-')) return 'endpoint';
  // KUBE-XLB- is the pre-1.24 name of the external-traffic-policy chain that became KUBE-EXT-.
  if (name.startsWith('KUBE-EXT-') || name.startsWith('KUBE-XLB-') || name === 'KUBE-EXTERNAL-SERVICES') return 'external';
  // KUBE-MARK-DROP (kubelet's, on old nodes) marks what kubelet's KUBE-FIREWALL then drops.
  if (name.startsWith('KUBE-FW-') || name === 'KUBE-PROXY-FIREWALL' || name === 'KUBE-FIREWALL' || name === 'KUBE-MARK-DROP') return 'firewall';
  if (name === 'KUBE-MARK-MASQ' || name === 'KUBE-POSTROUTING') return 'masquerade';
  return 'other';
}

function describeMatch(m: Match): string | undefined {
  switch (m.kind) {
    case 'src':
    case 'dst':
      return `${m.negate ? '!' : ''}${m.kind === 'src' ? 'from' : 'to'} ${m.text.replace(/\/(32|128)$/, '')}`;
    case 'proto':
      return `${m.negate ? '!' : ''}${m.proto}`;
    case 'port':
      return `${m.negate ? '!' : ''}${m.which === 'dport' ? 'dpt' : 'spt'}:${m.ranges.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`)).join(',')}`;
    case 'addrtype':
      return `${m.negate ? '!' : ''}${m.which}-type ${m.type}`;
    case 'statistic':
      return m.mode === 'random' ? `random ${m.text}` : `every ${m.every}`;
    case 'recent':
      return `recent ${m.op} ${m.name}`;
    case 'set':
      return `${m.negate ? '!' : ''}set ${m.name}`;
    default:
      return undefined;
  }
}

export function describeRule(r: Rule): string {
  const parts = r.matches.map(describeMatch).filter((x): x is string => !!x);
  return parts.join(' ') || 'always';
}

/** Does a kube-proxy rule comment belong to this Service ("ns/name", "ns/name:port ...", "ns/name -> ...")? */
export function commentIsFor(comment: string | undefined, service: string): boolean {
  if (!comment) return false;
  const c = comment.replace(/^"|"$/g, '');
  return c === service || c.startsWith(`${service}:`) || c.startsWith(`${service} `);
}

/**
 * Nodes and edges of the nat and filter tables. With `service` ("ns/name"), only the rules that belong to it
 * (by comment) and everything reachable from them; the entry chains they sit in are kept as entries.
 */
export function ruleFlow(set: RuleSet, service?: string): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const keep = service ? reachable(set, service) : undefined;
  const nodes = new Map<string, FlowNode>();
  const edges: FlowEdge[] = [];
  const node = (id: string, label: string, kind: FlowNode['kind']) => {
    if (!nodes.has(id)) nodes.set(id, { id, label, kind });
    return id;
  };
  for (const table of [set.tables.get('nat'), set.tables.get('filter')]) {
    if (!table) continue;
    for (const chain of table.chains.values()) {
      const rules = keep ? chain.rules.filter((r) => keep.has(r)) : chain.rules;
      if (keep && !rules.length) continue;
      const from = node(`${table.name}/${chain.name}`, chain.name, chainKind(chain.name));
      let remaining = 1;
      for (const r of rules) {
        const t = r.target;
        if (!t) continue;
        const label = describeRule(r);
        const stat = r.matches.find((m): m is Extract<Match, { kind: 'statistic'; mode: 'random' }> => m.kind === 'statistic' && m.mode === 'random');
        if (t.kind === 'chain') {
          const to = node(`${table.name}/${t.chain}`, t.chain, chainKind(t.chain));
          let probability: number | undefined;
          if (t.chain.startsWith('KUBE-SEP-')) {
            probability = stat ? remaining * stat.probability : remaining;
            if (stat) remaining *= 1 - stat.probability;
          }
          edges.push({ from, to, label, ...(probability !== undefined ? { probability } : {}) });
        } else if (t.kind === 'DNAT') {
          edges.push({ from, to: node(`dnat/${t.ip}:${t.port ?? ''}`, `DNAT ${t.ip}${t.port ? `:${t.port}` : ''}`, 'endpoint'), label });
        } else if (t.kind === 'REJECT' || t.kind === 'DROP') {
          edges.push({ from, to: node(`${t.kind}`, t.kind, 'reject'), label });
        } else if (t.kind === 'MASQUERADE') {
          edges.push({ from, to: node('MASQUERADE', 'MASQUERADE', 'masquerade'), label });
        }
      }
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** The Service's own rules (by comment) and every rule in the chains they jump to, transitively. */
function reachable(set: RuleSet, service: string): Set<Rule> {
  const out = new Set<Rule>();
  for (const table of set.tables.values()) {
    const queue: string[] = [];
    const seen = new Set<string>();
    for (const chain of table.chains.values())
      for (const r of chain.rules)
        if (commentIsFor(r.comment, service)) {
          out.add(r);
          if (r.target?.kind === 'chain') queue.push(r.target.chain);
        }
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      for (const r of table.chains.get(name)?.rules ?? []) {
        out.add(r);
        if (r.target?.kind === 'chain') queue.push(r.target.chain);
      }
    }
  }
  return out;
}
