/**
 * kube-proxy nftables layouts by version. Each profile switches the facts of pkg/proxy/nftables/proxier.go
 * that changed between releases; the evidence for each is listed in README ("nftables version profiles").
 * Releases whose layout we could not establish are refused with a message rather than shown wrongly.
 */
import { RulesRequestError } from '../renderers';

export interface NftBaseChain {
  name: string;
  type: 'filter' | 'nat';
  hook: string;
  priority: number;
}

export interface NftJumpChain {
  dst: string;
  src: string;
  extra: string;
}

export interface NftProfile {
  /** Short id shown in output, e.g. "v1.34-v1.35". */
  id: string;
  minMinor: number;
  maxMinor: number;
  /** nftablesBaseChains in upstream's order (the order the transaction writes them). */
  baseChains: readonly NftBaseChain[];
  /** nftablesJumpChains in upstream's order. */
  jumpChains: readonly NftJumpChain[];
  /** The ClusterIP masquerade rule also matches `tcp dport N` (until kubernetes #131492, v1.34). */
  masqMatchesPort: boolean;
  /**
   * How masquerading is written: 'chain' = a mark-for-masquerade chain jumped to from service and
   * endpoint chains (up to v1.35); 'inline' = kubernetes #135800/#136499 (v1.36): the mark is set inline,
   * the ClusterIP rule sits in `services`, endpoints are DNATed from a numgen map in the service chain,
   * and pods reaching themselves are masqueraded from the hairpin-connections set.
   */
  masquerade: 'chain' | 'inline';
}

/** v1.34 (kubernetes #132456): filter chains split around DNAT; input/forward/output at priority 0. */
const v134: NftProfile = {
  id: 'v1.34-v1.35',
  minMinor: 34,
  maxMinor: 35,
  baseChains: [
    { name: 'filter-prerouting-pre-dnat', type: 'filter', hook: 'prerouting', priority: -110 },
    { name: 'filter-output-pre-dnat', type: 'filter', hook: 'output', priority: -110 },
    { name: 'filter-input', type: 'filter', hook: 'input', priority: 0 },
    { name: 'filter-forward', type: 'filter', hook: 'forward', priority: 0 },
    { name: 'filter-output', type: 'filter', hook: 'output', priority: 0 },
    { name: 'nat-prerouting', type: 'nat', hook: 'prerouting', priority: -100 },
    { name: 'nat-output', type: 'nat', hook: 'output', priority: -100 },
    { name: 'nat-postrouting', type: 'nat', hook: 'postrouting', priority: 100 },
  ],
  jumpChains: [
    { dst: 'nodeport-endpoints-check', src: 'filter-input', extra: 'ct state new' },
    { dst: 'service-endpoints-check', src: 'filter-input', extra: 'ct state new' },
    { dst: 'service-endpoints-check', src: 'filter-forward', extra: 'ct state new' },
    { dst: 'service-endpoints-check', src: 'filter-output', extra: 'ct state new' },
    { dst: 'firewall-check', src: 'filter-prerouting-pre-dnat', extra: 'ct state new' },
    { dst: 'firewall-check', src: 'filter-output-pre-dnat', extra: 'ct state new' },
    { dst: 'services', src: 'nat-output', extra: '' },
    { dst: 'services', src: 'nat-prerouting', extra: '' },
    { dst: 'masquerading', src: 'nat-postrouting', extra: '' },
    { dst: 'cluster-ips-check', src: 'filter-forward', extra: 'ct state new' },
    { dst: 'cluster-ips-check', src: 'filter-output', extra: 'ct state new' },
  ],
  masqMatchesPort: false,
  masquerade: 'chain',
};

/**
 * v1.36 (kubernetes #135800 "rework nftables masquerading code, part 1" and #136499 "further nftables
 * masquerading improvements"): same base chains and jumps as v1.34, masquerading inline.
 */
const v136: NftProfile = { ...v134, id: 'v1.36', minMinor: 36, maxMinor: 36, masquerade: 'inline' };

/** v1.31-v1.33: every filter chain at dstnat-10 (-110), cluster-ips-check on output from filter-output-post-dnat (dstnat+10). */
const v131: NftProfile = {
  id: 'v1.31-v1.33',
  minMinor: 31,
  maxMinor: 33,
  baseChains: [
    { name: 'filter-prerouting', type: 'filter', hook: 'prerouting', priority: -110 },
    { name: 'filter-input', type: 'filter', hook: 'input', priority: -110 },
    { name: 'filter-forward', type: 'filter', hook: 'forward', priority: -110 },
    { name: 'filter-output', type: 'filter', hook: 'output', priority: -110 },
    { name: 'filter-output-post-dnat', type: 'filter', hook: 'output', priority: -90 },
    { name: 'nat-prerouting', type: 'nat', hook: 'prerouting', priority: -100 },
    { name: 'nat-output', type: 'nat', hook: 'output', priority: -100 },
    { name: 'nat-postrouting', type: 'nat', hook: 'postrouting', priority: 100 },
  ],
  jumpChains: [
    { dst: 'nodeport-endpoints-check', src: 'filter-input', extra: 'ct state new' },
    { dst: 'service-endpoints-check', src: 'filter-input', extra: 'ct state new' },
    { dst: 'service-endpoints-check', src: 'filter-forward', extra: 'ct state new' },
    { dst: 'service-endpoints-check', src: 'filter-output', extra: 'ct state new' },
    { dst: 'firewall-check', src: 'filter-prerouting', extra: 'ct state new' },
    { dst: 'firewall-check', src: 'filter-output', extra: 'ct state new' },
    { dst: 'services', src: 'nat-output', extra: '' },
    { dst: 'services', src: 'nat-prerouting', extra: '' },
    { dst: 'masquerading', src: 'nat-postrouting', extra: '' },
    { dst: 'cluster-ips-check', src: 'filter-forward', extra: 'ct state new' },
    { dst: 'cluster-ips-check', src: 'filter-output-post-dnat', extra: 'ct state new' },
  ],
  masqMatchesPort: true,
  masquerade: 'chain',
};

export const NFT_PROFILES: readonly NftProfile[] = [v136, v134, v131];

/**
 * The layout used when neither the user nor the cluster names a version (resolveProxyVersion in
 * ../proxyVersion.ts reads the kube-proxy DaemonSet's image and the node's kubelet first): the newest
 * modelled one, 1.36. Current releases write it or something close to it: 1.37 differs only where a
 * Service port has a single endpoint (a direct DNAT in place of the numgen map, kubernetes #140723) and by
 * alpha localhost-NodePort objects; 1.34-1.35's chain-based masquerading is further from both.
 */
export const NFT_DEFAULT_PROFILE = v136;

const MODELLED = `modelled nftables layouts: ${[...NFT_PROFILES].reverse().map((p) => p.id).join(', ')}`;

/**
 * The profile for "1.x" / "v1.x" / "1.x.y" (the default layout when no version is given); a
 * RulesRequestError naming what is known about the release otherwise.
 */
export function nftProfile(version?: string): NftProfile {
  if (version === undefined || version.trim() === '') return NFT_DEFAULT_PROFILE;
  const m = /^v?1\.(\d{1,3})(?:\.\d{1,4})?$/.exec(version.trim());
  if (!m) throw new RulesRequestError(`--kube-proxy-version must look like 1.34 or v1.34.2 (got "${version.slice(0, 40)}"); ${MODELLED}`);
  const minor = Number(m[1]);
  const p = NFT_PROFILES.find((x) => minor >= x.minMinor && minor <= x.maxMinor);
  if (p) return p;
  if (minor < 29) throw new RulesRequestError(`kube-proxy 1.${minor} has no nftables mode (it arrived as alpha in 1.29); ${MODELLED}`);
  if (minor < 31)
    throw new RulesRequestError(
      `kube-proxy 1.${minor}'s nftables mode (alpha) wrote an earlier layout (an "endpoints-check" chain, no cluster-ips set in the first releases) whose exact rules per release are not established; ${MODELLED}`,
    );
  if (minor === 37)
    throw new RulesRequestError(
      `kube-proxy 1.37's nftables rules are not modelled: 1.37 changed the 1.36 layout in two ways whose full transaction is not established here. ` +
        `kubernetes #140723 DNATs a Service port with a single endpoint directly ("meta l4proto tcp dnat to IP:PORT" in the service chain, no numgen map), ` +
        `and #138427 (KubeProxyNFTablesLocalhostNodePorts, alpha, off by default) added localhost NodePort objects to every full sync (a localhost-nodeport-reject-ports map, localhost-nodeport-reject-<proto> chains, localhost-nodeport-rejected-<proto> counters); ` +
        `what a 1.37.x node with the gate off adds and deletes of them is known only from later master code (the cleanup there looks like #142184, the fix for #142183, opened after 1.37.0). ` +        `--kube-proxy-version 1.36 shows the rest of the layout (inline masquerading, numgen DNAT maps, hairpin-connections); ${MODELLED}. ` +
        `To trace a 1.37 node, pass its "nft list table ip kube-proxy" output with --rules`,
    );
  throw new RulesRequestError(
    `kube-proxy 1.${minor}'s nftables rules are not modelled: the newest release we have evidence for is 1.37 (itself not rendered, see --kube-proxy-version 1.37); ${MODELLED}. ` +
      `To trace such a node, pass its "nft list table ip kube-proxy" output with --rules`,
  );
}
