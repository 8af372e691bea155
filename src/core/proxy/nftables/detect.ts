/** Which kube-proxy release wrote a node's nftables table, told from the objects only one layout has. */
import type { NftRuleset } from '../rulesDeps';
import { NFT_PROFILES } from './profiles';

export interface NftLayoutGuess {
  /** A profile id (e.g. "v1.31-v1.33"), or "1.37+" for the layout we read but do not render. */
  id: string;
  /** The object that told it, for the message. */
  evidence: string;
  /** A `--kube-proxy-version` that selects it (undefined for 1.37+). */
  version?: string;
}

/** The layout of the first `kube-proxy` table of the family, or undefined when nothing tells it. */
export function nftLayoutOf(rs: NftRuleset, family: 'ip' | 'ip6'): NftLayoutGuess | undefined {
  const t = rs.tables.find((x) => x.name === 'kube-proxy' && x.family === family);
  if (!t) return undefined;
  if (t.sets.has('hairpin-connections') || (t.chains.has('masquerading') && !t.chains.has('mark-for-masquerade'))) {
    // 1.37 (kubernetes #140723) DNATs a single endpoint straight from the service chain; 1.36 always uses a numgen map there.
    for (const c of t.chains.values()) {
      if (!/^(service|local)-/.test(c.name)) continue;
      if (c.rules.some((r) => r.statements.some((st) => st.kind === 'dnat'))) return { id: '1.37+', evidence: `a direct dnat in ${c.name}` };
    }
    const why = t.sets.has('hairpin-connections') ? 'set hairpin-connections' : 'no mark-for-masquerade chain';
    return { id: 'v1.36', evidence: `${why}, no single-endpoint dnat`, version: '1.36' };
  }
  const chainLayouts = NFT_PROFILES.filter((x) => x.masquerade === 'chain');
  for (const p of chainLayouts) {
    const own = p.baseChains.find((b) => {
      const c = t.chains.get(b.name);
      const shared = chainLayouts.some((o) => o !== p && o.baseChains.some((ob) => ob.name === b.name && ob.priority === b.priority && ob.hook === b.hook));
      return !shared && c?.hook === b.hook && c.priority === b.priority;
    });
    if (own) return { id: p.id, evidence: `base chain ${own.name} at ${own.hook} priority ${own.priority}`, version: `1.${p.maxMinor}` };
  }
  return undefined;
}
