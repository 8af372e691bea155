/** `ksd rules --mode nftables`: registers the nftables renderer with the mode registry. */
import { listNftTable, parseNft } from '../rulesDeps';
import { activeFamilies } from '../model';
import { registerRulesRenderer, RulesRequestError, type RulesRequest } from '../renderers';
import { renderNftables } from './render';

export const NFT_FORMATS = ['restore', 'save'] as const;

/**
 * The nftables layout we model is the one of upstream's TestOverallNFTablesRules after kubernetes #131492
 * (v1.34: the ClusterIP masquerade rule no longer matches the port) and before #135800 (v1.36: the
 * mark-for-masquerade chain inlined). Other releases wrote different rules, so they are refused rather
 * than shown wrongly: 1.29-1.30 (alpha), 1.31-1.33 (`tcp dport N` in that rule; base chains and priorities
 * that changed during those releases, e.g. filter-input at -110 on real nodes), 1.36 and later (reworked
 * masquerading).
 */
export function checkNftVersion(version: string | undefined): void {
  if (!version) return;
  const m = /^v?1\.(\d{1,3})(?:\.\d{1,4})?$/.exec(version.trim());
  if (!m) throw new RulesRequestError(`--kube-proxy-version must look like 1.34 or v1.34.2 (got "${version}")`);
  const minor = Number(m[1]);
  if (minor < 29) throw new RulesRequestError(`kube-proxy 1.${minor} has no nftables mode (it arrived as alpha in 1.29)`);
  if (minor < 31) throw new RulesRequestError(`kube-proxy 1.${minor} used an earlier nftables chain layout (alpha) that is not modelled; the layout of 1.34-1.35 is`);
  if (minor < 34) throw new RulesRequestError(`kube-proxy 1.${minor}'s nftables rules are not modelled (its ClusterIP masquerade rule still matched the port, until kubernetes #131492 in 1.34, and base chain names and priorities changed during those releases); the layout of 1.34-1.35 is`);
  if (minor > 35) throw new RulesRequestError(`kube-proxy 1.${minor}'s nftables masquerading (mark-for-masquerade inlined, kubernetes #135800) is not modelled; the layout of 1.34-1.35 is`);
}

export function renderNftRules(req: RulesRequest): string {
  checkNftVersion(req.version);
  const format = req.format ?? 'restore';
  if (!(NFT_FORMATS as readonly string[]).includes(format)) throw new RulesRequestError(`--format must be one of ${NFT_FORMATS.join(', ')} for --mode nftables (got "${format}")`);
  const families = req.families ?? (req.service ? req.service.ipFamilies : activeFamilies(req.state));
  const parts: string[] = [];
  for (const family of families) {
    const r = renderNftables(req.state, { family, node: req.node, services: req.service ? [`${req.service.namespace}/${req.service.name}`] : undefined, annotate: format === 'restore' });
    const notes = r.notes.map((n) => `# note: ${n}`);
    if (format === 'restore') parts.push([...notes, r.text.trimEnd()].join('\n'));
    else parts.push([...notes, ...parseNft(r.text).tables.map((t) => listNftTable(t).trimEnd())].join('\n'));
  }
  return parts.join('\n\n') + '\n';
}

registerRulesRenderer({ mode: 'nftables', formats: NFT_FORMATS, render: renderNftRules });
