/** `ksd rules --mode nftables`: registers the nftables renderer with the mode registry. */
import { listNftTable, parseNft } from '../rulesDeps';
import { activeFamilies } from '../model';
import { registerRulesRenderer, RulesRequestError, type RulesRequest } from '../renderers';
import { nftProfile, type NftProfile } from './profiles';
import { renderNftables } from './render';
import { kubeProxyMinor, resolveProxyVersion } from '../proxyVersion';

export const NFT_FORMATS = ['restore', 'save'] as const;

/**
 * The layout of the requested kube-proxy release (see profiles.ts); a RulesRequestError for a release
 * whose nftables rules are not modelled.
 */
export function checkNftVersion(version: string | undefined): NftProfile {
  return nftProfile(version);
}

export function renderNftRules(req: RulesRequest): string {
  // No version given: the cluster's (its kube-proxy DaemonSet, else the node's kubelet), else the default layout.
  const version = req.version || resolveProxyVersion(req.state, 'nftables', { node: req.node }).version;
  const profile = nftProfile(version);
  const format = req.format ?? 'restore';
  if (!(NFT_FORMATS as readonly string[]).includes(format)) throw new RulesRequestError(`--format must be one of ${NFT_FORMATS.join(', ')} for --mode nftables (got "${format}")`);
  const families = req.families ?? (req.service ? req.service.ipFamilies : activeFamilies(req.state));
  const parts: string[] = [];
  for (const family of families) {
    const r = renderNftables(req.state, { family, node: req.node, services: req.service ? [`${req.service.namespace}/${req.service.name}`] : undefined, annotate: format === 'restore', profile, kubeProxyMinor: kubeProxyMinor(version) });
    const notes = r.notes.map((n) => `# note: ${n}`);
    if (format === 'restore') parts.push([...notes, r.text.trimEnd()].join('\n'));
    else parts.push([...notes, ...parseNft(r.text).tables.map((t) => listNftTable(t).trimEnd())].join('\n'));
  }
  return parts.join('\n\n') + '\n';
}

registerRulesRenderer({ mode: 'nftables', formats: NFT_FORMATS, render: renderNftRules });
