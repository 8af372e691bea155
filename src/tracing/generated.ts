/**
 * Tracing through the rules kube-proxy would write, in any proxy mode, for one cluster state. Shared by
 * `ksd trace`, the language server's ksd/trace request and the extension's panel: the rules of a node and
 * family are rendered and compiled once per state (a state is immutable; edits make a new one).
 */
import {
  checkIpvsVersion,
  checkNftVersion,
  GeneratedIPTables,
  kubeProxyMinor,
  parseNft,
  renderIpvs,
  renderNftables,
  resolveProxyVersion,
  RulesRequestError,
  traceIpvs,
  traceNft,
  type ClusterState,
  type IPFamily,
  type NftProfile,
  type TraceContext,
  type TraceDetail,
  type TracePacket,
  UnknownNodeError,
  UnknownVersionError,
} from '../core';
import { CliError } from '../cli/io';

export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';

/** Traces one packet on a node through the rules generated from the state. */
export type GeneratedTracer = (state: ClusterState, node: string | undefined, family: IPFamily, packet: TracePacket, ctx: TraceContext) => TraceDetail;

type Prepared = (packet: TracePacket, ctx: TraceContext) => TraceDetail;
const prepared = new WeakMap<ClusterState, Map<string, Prepared>>();

export function generatedTracer(mode: ProxyMode, version?: string): GeneratedTracer {
  return (state, node, family, packet, ctx) => {
    let perState = prepared.get(state);
    if (!perState) prepared.set(state, (perState = new Map()));
    const key = `${mode}/${version ?? ''}/${node ?? ''}/${family}`;
    let run = perState.get(key);
    if (!run) perState.set(key, (run = prepare(state, mode, version, node, family)));
    return run(packet, ctx);
  };
}

/** A version the mode's renderer does not model is a clear error, as for `ksd rules`. */
function checkVersion(mode: ProxyMode, version: string | undefined): NftProfile | undefined {
  try {
    if (mode === 'ipvs') checkIpvsVersion(version);
    return mode === 'nftables' ? checkNftVersion(version) : undefined;
  } catch (e) {
    if (e instanceof RulesRequestError) throw new CliError(e.message);
    throw e;
  }
}

function prepare(state: ClusterState, mode: ProxyMode, given: string | undefined, node: string | undefined, family: IPFamily): Prepared {
  // No version given: the cluster's (its kube-proxy DaemonSet, else the node's kubelet); the explanation says which.
  const { version, note } = resolveProxyVersion(state, mode, { version: given, node });
  const run = prepareVersion(state, mode, version, node, family);
  if (!note) return run;
  return (packet, ctx) => {
    const d = run(packet, ctx);
    return { ...d, explanation: `${d.explanation} Note: ${note}.` };
  };
}

function prepareVersion(state: ClusterState, mode: ProxyMode, version: string | undefined, node: string | undefined, family: IPFamily): Prepared {
  const profile = checkVersion(mode, version);
  if (mode === 'nftables') {
    const rs = parseNft(renderNftables(state, { family, node, profile, kubeProxyMinor: kubeProxyMinor(version) }).text);
    return (packet, ctx) => traceNft(rs, packet, ctx);
  }
  if (mode === 'ipvs') {
    const r = renderIpvs(state, { family, node, kubeProxyMinor: kubeProxyMinor(version) });
    const helper = { has: (s: string, e: string) => r.sets.has(s, e), entriesOf: (s: string) => r.sets.entries.get(s) ?? [], masqueradeAll: r.masqueradeAll, detector: r.model.detector, owners: r.owners };
    return (packet, ctx) => traceIpvs(r.table, packet, ctx, helper);
  }
  if (mode !== 'iptables') throw new CliError(`tracing is implemented for iptables rules; --mode ${mode as string} is not traced yet (ksd rules --mode ${mode as string} shows its rules)`);
  // The rules are compiled straight from the renderer, a Service's when a packet first needs them.
  let rules: GeneratedIPTables;
  try {
    rules = new GeneratedIPTables({ state, node, family, version });
  } catch (e) {
    if (e instanceof UnknownVersionError || e instanceof UnknownNodeError || e instanceof RulesRequestError) throw new CliError(e.message);
    throw e;
  }
  return (packet, ctx) => rules.trace(packet, ctx);
}
