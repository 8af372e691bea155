/**
 * Which kube-proxy release's rules to show when the user names none: the cluster usually says. In order:
 * the version the user gave; the image tag of the kube-proxy DaemonSet (kube-system); the image tag of the
 * kube-proxy Pod on the node (static pods: GKE, kOps, which have no DaemonSet running there); the kubelet
 * version of the node the rules are for (kube-proxy runs the kubelet's minor in practice; the skew policy lets
 * it be older, never newer; nodeInfo.kubeProxyVersion is deprecated and not read); the mode's default layout.
 * A version that came from the cluster and that a mode cannot render falls back to the nearest modelled
 * layout with a note saying so; only a version the user gave is refused.
 */
import type { ClusterState, NodeModel, PodModel, WorkloadModel } from '../model/types';
import { iptablesProfile, PROFILES as IPTABLES_PROFILES } from './iptables/profiles';
import { NFT_PROFILES, nftProfile } from './nftables/profiles';

export type ProxyVersionMode = 'iptables' | 'nftables' | 'ipvs';

/** The newest Kubernetes minor release whose kube-proxy rules were compared with ours (README "Which version's rules"). */
export const NEWEST_KNOWN_MINOR = 37;
/** IPVS mode as modelled: the helper rules of 1.29 and later (ipvs/register.ts). */
export const IPVS_MIN_MINOR = 29;

export interface KubeVersion {
  minor: number;
  patch?: number;
}

/**
 * The minor (and patch) of a Kubernetes version as tags and nodeInfo write it: v1.33.2, 1.33, v1.33.2-eks-4c1a2b3,
 * v1.31.1-gke.123, v1.29.3+k3s1. Anything else (latest, a digest, a major other than 1) is undefined.
 */
export function parseKubeVersion(text: unknown): KubeVersion | undefined {
  if (typeof text !== 'string' || text.length > 128) return undefined;
  const t = text.trim();
  // Only what a tag or version may hold (no spaces or line breaks): the text is quoted in notes as written.
  if (!/^[\w.+~-]+$/.test(t)) return undefined;
  const m = /^v?1\.(\d{1,3})(?:\.(\d{1,5}))?(?=$|[-+_.~])/.exec(t);
  if (!m) return undefined;
  return { minor: Number(m[1]), patch: m[2] === undefined ? undefined : Number(m[2]) };
}

/** The minor of a --kube-proxy-version text ("1.33", "v1.33.2"); undefined for none or an unreadable one. */
export function kubeProxyMinor(version: string | undefined): number | undefined {
  return version ? parseKubeVersion(version)?.minor : undefined;
}

/** An image reference split as the container runtime reads it: [registry[:port]/]repository[:tag][@digest]. */
export function splitImage(image: string): { repository: string; tag?: string } {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return { repository: name.slice(0, colon), tag: name.slice(colon + 1) };
  return { repository: name };
}

export interface ClusterProxyVersion {
  /** The version as the cluster writes it (an image tag or a kubeletVersion). */
  raw: string;
  minor: number;
  source: 'daemonset' | 'pod' | 'node';
  /** Where it was read, e.g. "DaemonSet kube-system/kube-proxy", "Pod kube-system/kube-proxy-n1" or "node worker-1's kubelet v1.33.2". */
  from: string;
}

/** "kube-proxy v1.33.2 (from DaemonSet kube-system/kube-proxy)", "kube-proxy 1.33 (from node worker-1's kubelet v1.33.2)". */
export function describeClusterVersion(v: ClusterProxyVersion): string {
  return `kube-proxy ${v.source === 'node' ? `1.${v.minor}` : v.raw} (from ${v.from})`;
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** kube-proxy's image repository: .../kube-proxy, or the per-architecture .../kube-proxy-amd64 of older and GKE images. */
const PROXY_REPOSITORY = /(?:^|\/)kube-proxy(?:-(?:amd64|arm64|arm|ppc64le|s390x))?$/;

/** The kube-proxy container's version in a pod spec: the container named kube-proxy, or an image .../kube-proxy. */
function containerVersion(podSpec: unknown): KubeVersion & { raw: string } | undefined {
  const list = rec(podSpec)['containers'];
  if (!Array.isArray(list)) return undefined;
  for (const c of list) {
    const image = rec(c)['image'];
    if (typeof image !== 'string' || image.length > 512) continue;
    const { repository, tag } = splitImage(image.trim());
    const isProxy = rec(c)['name'] === 'kube-proxy' || PROXY_REPOSITORY.test(repository);
    const v = isProxy && tag !== undefined ? parseKubeVersion(tag) : undefined;
    if (v) return { ...v, raw: tag! };
  }
  return undefined;
}

function daemonSetVersion(w: WorkloadModel): KubeVersion & { raw: string } | undefined {
  return containerVersion(rec(w.template)['spec']);
}

/** Does the DaemonSet's nodeSelector let it run on the node (no selector: everywhere)? */
function runsOn(w: WorkloadModel, node: NodeModel): boolean {
  const sel = rec(rec(rec(w.template)['spec'])['nodeSelector']);
  return Object.entries(sel).every(([k, v]) => node.labels[k] === v);
}

type Found = { w: WorkloadModel; v: KubeVersion & { raw: string } }[];
const daemonSets = new WeakMap<ClusterState, Found>();

/** The kube-proxy DaemonSets with a readable version: one pass over the workloads per state. */
function kubeProxyDaemonSets(state: ClusterState): Found {
  let found = daemonSets.get(state);
  if (found) return found;
  found = [];
  for (const w of state.workloads) {
    if (w.kind !== 'DaemonSet' || w.namespace !== 'kube-system') continue;
    const v = daemonSetVersion(w);
    if (v) found.push({ w, v });
  }
  daemonSets.set(state, found);
  return found;
}

/** Do these kube-proxy versions name more than one minor release? */
function disagree(pool: readonly { v: KubeVersion }[]): boolean {
  return new Set(pool.map((f) => f.v.minor)).size > 1;
}

interface DaemonSetPick extends ClusterProxyVersion {
  /** false when the node is known and the DaemonSet's nodeSelector keeps it off that node. */
  runsOnNode: boolean;
}

function fromDaemonSets(state: ClusterState, node: NodeModel | undefined): DaemonSetPick | undefined {
  let pool = kubeProxyDaemonSets(state);
  // Several kube-proxy DaemonSets (one per OS or node pool) that disagree: the ones that run on the node decide.
  if (node && disagree(pool)) pool = pool.filter((f) => runsOn(f.w, node));
  if (!pool.length || disagree(pool)) return undefined;
  const pick = pool.find((f) => f.w.name === 'kube-proxy') ?? pool[0]!;
  const runsOnNode = !node || pool.some((f) => runsOn(f.w, node));
  return { raw: pick.v.raw, minor: pick.v.minor, source: 'daemonset', from: `DaemonSet ${pick.w.namespace}/${pick.w.name}`, runsOnNode };
}

/** The labels kube-proxy's own pods carry: component=kube-proxy (GKE's static pod), k8s-app=kube-proxy (kOps, kubeadm). */
function isKubeProxyPod(p: PodModel): boolean {
  return p.namespace === 'kube-system' && !p.simulated && (p.labels['component'] === 'kube-proxy' || p.labels['k8s-app'] === 'kube-proxy');
}

type FoundPods = { p: PodModel; v: KubeVersion & { raw: string } }[];
const proxyPods = new WeakMap<ClusterState, { all: FoundPods; byNode: Map<string, FoundPods> }>();

/** The real kube-proxy Pods with a readable version (mirror pods of static manifests, or a DaemonSet's pods), by node: one pass per state. */
function kubeProxyPods(state: ClusterState): { all: FoundPods; byNode: Map<string, FoundPods> } {
  let found = proxyPods.get(state);
  if (found) return found;
  found = { all: [], byNode: new Map() };
  for (const p of state.pods) {
    if (!isKubeProxyPod(p)) continue;
    const v = containerVersion(rec(p.loaded?.object)['spec']);
    if (!v) continue;
    found.all.push({ p, v });
    if (p.nodeName === undefined) continue;
    const list = found.byNode.get(p.nodeName);
    if (list) list.push({ p, v });
    else found.byNode.set(p.nodeName, [{ p, v }]);
  }
  proxyPods.set(state, found);
  return found;
}

/**
 * The kube-proxy Pod on the node (spec.nodeName; a static pod's mirror is named kube-proxy-NODE). Without a
 * known node, the pods speak only when they all agree. Pods that disagree (one terminating during an
 * upgrade): the ones not terminating decide; if they still disagree, none does.
 */
function fromPods(state: ClusterState, node: NodeModel | undefined, nodeName: string | undefined): ClusterProxyVersion | undefined {
  if (!node && nodeName) return undefined;
  const found = kubeProxyPods(state);
  let pool = node ? (found.byNode.get(node.name) ?? []) : found.all;
  if (disagree(pool)) pool = pool.filter((f) => !f.p.terminating);
  if (!pool.length || disagree(pool)) return undefined;
  const pick = pool[0]!;
  return { raw: pick.v.raw, minor: pick.v.minor, source: 'pod', from: `Pod ${pick.p.namespace}/${pick.p.name}` };
}

const hints = new WeakMap<ClusterState, Map<string, ClusterProxyVersion | null>>();

/**
 * The kube-proxy version the cluster states for a node (default: the first Node, as the renderers pick it):
 * its kube-proxy DaemonSet's image tag, else the image tag of the kube-proxy Pod on that node, else that
 * node's kubeletVersion. A DaemonSet whose nodeSelector keeps it off the node gives way to the pod that runs
 * there (GKE keeps a kube-proxy DaemonSet for nodes labelled node.kubernetes.io/kube-proxy-ds-ready, while
 * its other nodes run the static pod, which can lag behind during an upgrade). Cached per state (states are
 * immutable).
 */
export function clusterProxyVersion(state: ClusterState, nodeName?: string): ClusterProxyVersion | undefined {
  let per = hints.get(state);
  if (!per) hints.set(state, (per = new Map()));
  const key = nodeName ?? '';
  let hit = per.get(key);
  if (hit === undefined) {
    const node = nodeName ? state.nodes.find((n) => n.name === nodeName) : state.nodes[0];
    const ds = fromDaemonSets(state, node);
    const pod = ds?.runsOnNode ? undefined : fromPods(state, node, nodeName);
    hit = pod ?? (ds ? { raw: ds.raw, minor: ds.minor, source: ds.source, from: ds.from } : null);
    const kubelet = node ? parseKubeVersion(node.kubeletVersion) : undefined;
    if (!hit && node && kubelet) hit = { raw: node.kubeletVersion!.trim(), minor: kubelet.minor, source: 'node', from: `node ${node.name}'s kubelet ${node.kubeletVersion!.trim()}` };
    per.set(key, hit);
  }
  return hit ?? undefined;
}

export interface ResolvedProxyVersion {
  /** What to pass to the renderer ("1.x"); undefined: the mode's default layout. */
  version: string | undefined;
  source: 'user' | 'daemonset' | 'pod' | 'node' | 'default';
  cluster?: ClusterProxyVersion;
  /** For a version from the cluster: which release and layout the rules show, and why when it is not that release's. */
  note?: string;
}

interface Placement {
  /** The modelled minor to render. */
  minor: number;
  /** Why the layout shown is not that release's own, when it is not. */
  caveat?: string;
}

function newer(minor: number): string {
  return `1.${minor} is newer than 1.${NEWEST_KNOWN_MINOR}, the newest release whose rules were compared with ours`;
}

/** Where a cluster's minor lands among a mode's modelled layouts. */
function place(mode: ProxyVersionMode, minor: number): Placement {
  if (mode === 'nftables') {
    const newest = Math.max(...NFT_PROFILES.map((p) => p.maxMinor));
    const oldest = Math.min(...NFT_PROFILES.map((p) => p.minMinor));
    if (minor > newest) {
      const why = minor === 37 ? '1.37 differs for single-endpoint Services (it DNATs them directly, without a numgen map)' : `${newer(minor)}, and 1.37 already differs for single-endpoint Services`;
      return { minor: newest, caveat: `the newest modelled; ${why}` };
    }
    if (minor < 29) return { minor: oldest, caveat: `the oldest modelled; kube-proxy 1.${minor} has no nftables mode (it arrived as alpha in 1.29)` };
    if (minor < oldest) return { minor: oldest, caveat: `the oldest modelled; 1.${minor}'s alpha nftables layout differs (an endpoints-check chain, and its exact rules per release are not established)` };
    return { minor };
  }
  const oldest = mode === 'ipvs' ? IPVS_MIN_MINOR : IPTABLES_PROFILES[IPTABLES_PROFILES.length - 1]!.minMinor;
  if (minor < oldest) {
    const why = mode === 'ipvs' ? `1.${minor}'s IPVS helper rules (KUBE-MARK-DROP, no KUBE-PROXY-FIREWALL) differ` : `1.${minor}'s iptables layout is not modelled`;
    return { minor: oldest, caveat: `the oldest modelled; ${why}` };
  }
  if (minor > NEWEST_KNOWN_MINOR) return { minor, caveat: `the current one; ${newer(minor)}` };
  return { minor };
}

function layoutId(mode: ProxyVersionMode, version: string): string {
  if (mode === 'iptables') return iptablesProfile(version).id;
  if (mode === 'nftables') return nftProfile(version).id;
  return `v1.${IPVS_MIN_MINOR}+`;
}

/**
 * The kube-proxy version whose rules a mode shows: the user's (passed through as given: a version the mode
 * cannot render is the user's to fix), else the cluster's for the node (clamped to what the mode models,
 * with a note), else the mode's default layout.
 */
export function resolveProxyVersion(state: ClusterState, mode: ProxyVersionMode, options: { version?: string; node?: string } = {}): ResolvedProxyVersion {
  const given = options.version?.trim();
  if (given) return { version: given, source: 'user' };
  const cluster = clusterProxyVersion(state, options.node);
  if (!cluster) return { version: undefined, source: 'default' };
  const at = place(mode, cluster.minor);
  const version = `1.${at.minor}`;
  const who = describeClusterVersion(cluster);
  const text = at.caveat
    ? `${who}: rules shown in the ${layoutId(mode, version)} ${mode} layout, ${at.caveat}`
    : `${who}: rules in the ${layoutId(mode, version)} ${mode} layout`;
  // Object names are quoted into '# note:' comment lines: no control characters may break out of them.
  const note = text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return { version, source: cluster.source, cluster, note };
}
