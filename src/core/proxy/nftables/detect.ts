/** Which kube-proxy release wrote a node's nftables table, told from the objects only one layout has. */
import type { NftRuleset } from '../rulesDeps';
import { NFT_PROFILES } from './profiles';

export interface NftLayoutGuess {
  /** A profile id (e.g. "v1.31-v1.33"), or "1.36+" for the layout we read but do not render. */
  id: string;
  /** The object that told it, for the message. */
  evidence: string;
  /** A `--kube-proxy-version` that selects it (undefined for 1.36+). */
  version?: string;
}

/** The layout of the first `kube-proxy` table of the family, or undefined when nothing tells it. */
export function nftLayoutOf(rs: NftRuleset, family: 'ip' | 'ip6'): NftLayoutGuess | undefined {
  const t = rs.tables.find((x) => x.name === 'kube-proxy' && x.family === family);
  if (!t) return undefined;
  if (t.sets.has('hairpin-connections')) return { id: '1.36+', evidence: 'set hairpin-connections' };
  for (const p of NFT_PROFILES) {
    const own = p.baseChains.find((b) => {
      const c = t.chains.get(b.name);
      const shared = NFT_PROFILES.some((o) => o !== p && o.baseChains.some((ob) => ob.name === b.name && ob.priority === b.priority && ob.hook === b.hook));
      return !shared && c?.hook === b.hook && c.priority === b.priority;
    });
    if (own) return { id: p.id, evidence: `base chain ${own.name} at ${own.hook} priority ${own.priority}`, version: `1.${p.maxMinor}` };
  }
  if (t.chains.has('masquerading') && !t.chains.has('mark-for-masquerade')) return { id: '1.36+', evidence: 'no mark-for-masquerade chain' };
  return undefined;
}
