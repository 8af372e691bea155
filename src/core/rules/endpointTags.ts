/**
 * Which Service port and endpoint ("svc|ip:port") each endpoint rule of an iptables ruleset belongs to: the
 * KUBE-SEP chains (their comment and DNAT target) and the jumps to them. Jumps are named by their
 * "svc -> ip:port" comment (v1.24+), else by the SEP chain they target when their comment is the service's
 * (before v1.24). In large-cluster mode (over 1,000 endpoints) kube-proxy leaves the comments out of SEP
 * chains and of the jumps to them; the service is then read from the commented KUBE-SERVICES / KUBE-NODEPORTS
 * jump that leads, through the port's own chains, to the SEP chain.
 */
import type { Chain, Rule, RuleSet } from './types';

/** The port's own chains that lead to its SEP chains. */
const PORT_CHAIN = /^KUBE-(?:SVC|SVL|EXT|FW|XLB)-/;

/** In large-cluster mode: uncommented SEP chains of the nat table, by the service whose chains jump to them. */
function sepOwners(nat: Map<string, Chain>): Map<string, string> {
  const owner = new Map<string, string>();
  const queue: string[] = [];
  for (const entry of ['KUBE-SERVICES', 'KUBE-NODEPORTS'])
    for (const r of nat.get(entry)?.rules ?? []) {
      const svc = r.comment?.split(' ')[0];
      if (!svc || r.target?.kind !== 'chain' || !PORT_CHAIN.test(r.target.chain) || owner.has(r.target.chain)) continue;
      owner.set(r.target.chain, svc);
      queue.push(r.target.chain);
    }
  const seps = new Map<string, string>();
  while (queue.length) {
    const name = queue.pop()!;
    const svc = owner.get(name)!;
    for (const r of nat.get(name)?.rules ?? []) {
      if (r.target?.kind !== 'chain') continue;
      const to = r.target.chain;
      if (to.startsWith('KUBE-SEP-')) {
        if (!seps.has(to)) seps.set(to, svc);
      } else if (PORT_CHAIN.test(to) && !owner.has(to)) {
        owner.set(to, svc);
        queue.push(to);
      }
    }
  }
  return seps;
}

export function endpointTags(set: RuleSet): Map<Rule, string> {
  const tags = new Map<Rule, string>();
  const sepTags = new Map<string, string>();
  let uncommented = false;
  for (const t of set.tables.values()) {
    for (const c of t.chains.values()) {
      if (c.name.startsWith('KUBE-SEP-')) {
        const dnat = c.rules.find((r) => r.target?.kind === 'DNAT');
        const svc = c.rules.find((r) => r.comment !== undefined)?.comment;
        if (dnat?.target?.kind === 'DNAT' && svc) {
          const tag = `${svc}|${dnat.target.text}`;
          sepTags.set(`${t.name}/${c.name}`, tag);
          for (const r of c.rules) tags.set(r, tag);
        } else if (dnat) uncommented = true;
      }
      for (const r of c.rules) {
        const m = r.comment?.includes(' -> ') ? /^(\S+) -> (\S+)$/.exec(r.comment) : null;
        if (m) tags.set(r, `${m[1]}|${m[2]}`);
      }
    }
  }
  const nat = set.tables.get('nat')?.chains;
  if (uncommented && nat) {
    for (const [name, svc] of sepOwners(nat)) {
      const c = nat.get(name);
      const dnat = c?.rules.find((r) => r.target?.kind === 'DNAT');
      if (!c || dnat?.target?.kind !== 'DNAT' || sepTags.has(`nat/${name}`)) continue;
      const tag = `${svc}|${dnat.target.text}`;
      sepTags.set(`nat/${name}`, tag);
      for (const r of c.rules) tags.set(r, tag);
    }
  }
  if (!sepTags.size) return tags;
  for (const t of set.tables.values())
    for (const c of t.chains.values())
      for (const r of c.rules) {
        if (tags.has(r) || r.target?.kind !== 'chain' || !r.target.chain.startsWith('KUBE-SEP-')) continue;
        const tag = sepTags.get(`${t.name}/${r.target.chain}`);
        // The jump's comment, when it has one, must be the service's own (large-cluster mode writes none).
        if (tag && (r.comment === undefined || r.comment === tag.slice(0, tag.indexOf('|')))) tags.set(r, tag);
      }
  return tags;
}
