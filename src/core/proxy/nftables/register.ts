/** `ksd rules --mode nftables`: registers the nftables renderer with the mode registry. */
import { listNftTable, parseNft } from '../rulesDeps';
import { activeFamilies } from '../model';
import { registerRulesRenderer, RulesRequestError, type RulesRequest } from '../renderers';
import { renderNftables } from './render';

export const NFT_FORMATS = ['restore', 'save'] as const;

/** nftables mode is beta from 1.31 (alpha 1.29-1.30 with a different chain layout); we model 1.31+. */
export function checkNftVersion(version: string | undefined): void {
  if (!version) return;
  const m = /^v?1\.(\d{1,3})(?:\.\d{1,4})?$/.exec(version.trim());
  if (!m) throw new RulesRequestError(`--kube-proxy-version must look like 1.31 or v1.31.2 (got "${version}")`);
  const minor = Number(m[1]);
  if (minor < 29) throw new RulesRequestError(`kube-proxy 1.${minor} has no nftables mode (it arrived as alpha in 1.29)`);
  if (minor < 31) throw new RulesRequestError(`kube-proxy 1.${minor} used an earlier nftables chain layout (alpha) that is not modelled; the layout of 1.31 and later is`);
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
