/**
 * How a pod resolves a name: its resolv.conf as kubelet writes it (pkg/kubelet/network/dns: dnsPolicy,
 * dnsConfig, the ClusterFirst search list and ndots:5), then the stub resolver's search order.
 */
import type { ClusterState, PodModel } from '../model/types';
import { arr, dig, rec, str } from '../model/read';
import { parseIP } from '../net/ip';
import { lookup } from './lookup';
import { absolute, clusterZone, reverseName } from './names';
import type { DnsOptions, RecordType, Resolution, ResolveAttempt, ResolverConfig } from './types';

/** kubelet's defaultDNSOptions for cluster DNS. */
export const CLUSTER_NDOTS = 5;
/** The stub resolver's default when resolv.conf sets no ndots. */
const DEFAULT_NDOTS = 1;

/** The pod spec a pod runs with: its own, or its workload's template for a simulated pod. */
export function podSpecOf(state: ClusterState, pod: PodModel): Record<string, unknown> {
  if (!pod.loaded) return {};
  if (pod.loaded.kind === 'Pod') return rec(pod.loaded.object['spec']);
  const w = state.workloads.find((x) => x.loaded === pod.loaded);
  return w ? rec(dig(w.loaded?.object, ...w.templatePath, 'spec')) : {};
}

/** The resolver configuration of a pod, or of a plain pod (ClusterFirst, no dnsConfig) in `namespace`. */
export function resolverConfig(namespace: string, podSpec: Record<string, unknown> = {}, options: DnsOptions = {}): ResolverConfig {
  const notes: string[] = [];
  const written = str(podSpec['dnsPolicy']);
  const dnsPolicy = written === 'Default' || written === 'None' || written === 'ClusterFirstWithHostNet' ? written : 'ClusterFirst';
  const hostNetwork = podSpec['hostNetwork'] === true;
  let clusterDNS = dnsPolicy === 'ClusterFirstWithHostNet' || (dnsPolicy === 'ClusterFirst' && !hostNetwork);
  if (dnsPolicy === 'ClusterFirst' && hostNetwork) notes.push('hostNetwork with dnsPolicy ClusterFirst uses the node\'s resolver (set dnsPolicy: ClusterFirstWithHostNet to reach cluster DNS)');
  if (dnsPolicy === 'Default') notes.push('dnsPolicy Default uses the node\'s resolver, which knows no Service names');
  const zone = clusterZone(options).slice(0, -1);
  let search: string[] = clusterDNS ? [`${namespace}.svc.${zone}`, `svc.${zone}`, zone] : [];
  let ndots = clusterDNS ? CLUSTER_NDOTS : DEFAULT_NDOTS;
  const dnsConfig = rec(podSpec['dnsConfig']);
  const nameservers = arr(dnsConfig['nameservers']).map(str).filter((s): s is string => !!s);
  if (dnsPolicy === 'None') {
    notes.push(nameservers.length ? `dnsPolicy None: nameservers ${nameservers.join(', ')} from dnsConfig` : 'dnsPolicy None without dnsConfig nameservers: the pod has no resolver');
    // Only dnsConfig counts; its nameservers are taken to be cluster DNS (said in the notes below).
    clusterDNS = nameservers.length > 0;
  }
  for (const s of arr(dnsConfig['searches']).map(str)) {
    const d = s?.trim().replace(/\.$/, '');
    if (d && !search.includes(d)) search.push(d);
  }
  for (const o of arr(dnsConfig['options'])) {
    const name = str(rec(o)['name']);
    const value = str(rec(o)['value']);
    if (name === 'ndots' && value !== undefined && /^\d+$/.test(value)) ndots = Math.min(15, Number(value));
  }
  if (dnsPolicy === 'None' && nameservers.length) notes.push('names are sent to those nameservers; if they are cluster DNS, the answers below apply');
  search = search.slice(0, 32);
  return { dnsPolicy, clusterDNS, search, ndots, notes };
}

/** The names the stub resolver tries, in order (glibc res_search). */
export function searchCandidates(name: string, config: Pick<ResolverConfig, 'search' | 'ndots'>): string[] {
  const n = name.trim();
  if (n.endsWith('.')) return [absolute(n)];
  const dots = (n.match(/\./g) ?? []).length;
  const searched = config.search.map((s) => absolute(`${n}.${s}`));
  return dots >= config.ndots ? [absolute(n), ...searched] : [...searched, absolute(n)];
}

export interface ResolveInput {
  namespace: string;
  /** The pod's spec (dnsPolicy, dnsConfig, hostNetwork); a plain ClusterFirst pod when absent. */
  podSpec?: Record<string, unknown>;
  /** Record types to ask for; default A+AAAA, SRV for `_port._proto` names, PTR for addresses. */
  types?: RecordType[];
}

export function resolveName(state: ClusterState, name: string, input: ResolveInput, options: DnsOptions = {}): Resolution {
  const config = resolverConfig(input.namespace, input.podSpec, options);
  const trimmed = name.trim();
  const ip = parseIP(trimmed.replace(/^\[|\]$/g, ''));
  let candidates: string[];
  let types: RecordType[];
  if (ip) {
    // An address is looked up by its reverse name, never through the search list.
    candidates = [reverseName(trimmed.replace(/^\[|\]$/g, ''))!];
    types = ['PTR'];
  } else {
    candidates = searchCandidates(trimmed, config);
    types = input.types?.length ? input.types : trimmed.startsWith('_') ? ['SRV'] : ['A', 'AAAA'];
  }
  const result: Resolution = { query: trimmed, namespace: input.namespace, config, types, attempts: [] };
  if (!config.clusterDNS) {
    result.upstream = candidates[0];
    result.attempts = candidates.slice(0, 1).map((c) => ({ name: c, outcome: 'upstream', note: 'sent to the node\'s resolver, not cluster DNS' }));
    return result;
  }
  for (const c of candidates) {
    const r = lookup(state, c, types, options);
    const attempt: ResolveAttempt = { name: c, outcome: 'nxdomain', ...(r.note && !r.records.length ? { note: r.note } : {}) };
    result.attempts.push(attempt);
    if (r.upstream) {
      attempt.outcome = 'upstream';
      result.upstream = c;
      break;
    }
    if (r.rcode === 'NXDOMAIN') continue;
    if (r.records.length) {
      attempt.outcome = 'answer';
      result.answer = r;
      break;
    }
    // NODATA: the resolver goes on with the next candidate.
    attempt.outcome = 'nodata';
  }
  return result;
}
