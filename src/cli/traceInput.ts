/** Turns `ksd trace` arguments (--from, --to, --node, --rules) into a packet, a node and a trace context. */
import {
  canonicalIP,
  compareStrings,
  cidrContains,
  ipFamily,
  kubeProxyMinor,
  parseCIDR,
  parseRules,
  proxiedPortsShared,
  proxyNode,
  resolveProxyVersion,
  RulesParseError,
  serviceEndpoints,
  servicePortNameString,
  splitHostPort,
  topologyNote,
  unmatchedDestinationNotes,
  topologyInput,
  type ClusterState,
  type IPFamily,
  type NodeModel,
  type PodModel,
  type ProxiedServicePort,
  type ProxyNode,
  type TopologyInput,
  type Protocol,
  type RuleSet,
  type ServiceModel,
  type SourceKind,
  type TraceContext,
  type TracePacket,
  type Verdict,
} from '../core';
import { readInputFile } from './inputFile';
import { CliError } from './io';
import { knownHint, lookupPod, noPodMessage } from './findPod';
import { splitRef } from './ref';

export const FROM_SYNTAX = `SRC is an IP (kind guessed: a Node address is the node, a pod IP or an address in the
  cluster CIDR is a pod, anything else is external), or pod:NS/NAME, node:NAME, pod:IP, node:IP,
  external:IP, or a bare NAME / NS/NAME (a pod or workload, else a Node).`;

export interface Source {
  ip: string;
  kind: SourceKind;
  /** The node the source sits on (pods, nodes), when known. */
  node?: string;
  label: string;
}

function findNode(state: ClusterState, name: string): NodeModel | undefined {
  return state.nodes.find((n) => n.name === name);
}

function nodeIP(n: NodeModel): string {
  const ip = n.ips[0];
  if (!ip) throw new CliError(`Node ${n.name} has no InternalIP/ExternalIP address to send from`);
  return ip;
}

export function resolveSource(state: ClusterState, text: string, clusterCIDRs: string[]): Source {
  const [prefix, rest] = /^(pod|node|external):(.+)$/.exec(text)?.slice(1) ?? ['', text];
  const ip = canonicalIP(rest!);
  if (ip) {
    if (prefix === 'external') return { ip, kind: 'external', label: ip };
    const node = state.nodes.find((n) => n.ips.some((x) => canonicalIP(x) === ip));
    const pod = podByIP(state, ip);
    if (prefix === 'node' || (!prefix && node)) return { ip, kind: 'node', node: node?.name, label: node ? `node ${node.name} (${ip})` : ip };
    if (prefix === 'pod' || pod || clusterCIDRs.some((c) => { const cidr = parseCIDR(c); return !!cidr && cidrContains(cidr, ip); }))
      return { ip, kind: 'pod', node: pod?.nodeName, label: pod ? `pod ${pod.namespace}/${pod.name} (${ip})` : ip };
    return { ip, kind: 'external', label: ip };
  }
  if (prefix !== 'node') {
    const pod = lookupPod(state, rest!);
    if (pod) {
      const ns = pod.namespace;
      if (!pod.ip) throw new CliError(`--from ${text}: pod ${ns}/${pod.name} has no IP (not scheduled or not running)`);
      if (pod.hostNetwork) return { ip: pod.ip, kind: 'node', node: pod.nodeName, label: `pod ${ns}/${pod.name} (hostNetwork, ${pod.ip})` };
      return { ip: pod.ip, kind: 'pod', node: pod.nodeName, label: `pod ${ns}/${pod.name}${pod.simulated ? ' [simulated]' : ''} (${pod.ip})` };
    }
    if (prefix === 'pod') throw new CliError(`--from ${text}: ${noPodMessage(state, rest!)}`);
  }
  const node = findNode(state, rest!);
  if (node) return { ip: nodeIP(node), kind: 'node', node: node.name, label: `node ${node.name} (${nodeIP(node)})` };
  const nodes = knownHint('Nodes', state.nodes.map((n) => n.name));
  if (prefix === 'node') throw new CliError(`--from ${text}: no Node ${rest} in the given manifests${nodes}`);
  throw new CliError(`--from ${text}: not an IP address, and no pod, workload or Node of that name in the given manifests${knownHint('pods', state.pods.map((p) => `${p.namespace}/${p.name}`))}${nodes}`);
}

export interface Destination {
  ip: string;
  port: number;
}

/** DST:PORT with DST an IP ([v6]:port), a Service NS/NAME (its ClusterIP) or node:NAME (its address). */
export function resolveDestination(state: ClusterState, text: string): Destination {
  const m = /^(.+):(\d{1,5})$/.exec(text);
  const parsed = splitHostPort(text) ?? (m && !m[1]!.replace(/^node:/, '').includes(':') ? { host: m[1]!, port: Number(m[2]) } : undefined);
  if (!parsed || parsed.port < 1 || parsed.port > 65535) throw new CliError(`--to ${text}: expected DST:PORT (IPv6 as [addr]:port), with a port from 1 to 65535${portHint(state, text)}`);
  const ip = canonicalIP(parsed.host);
  if (ip) return { ip, port: parsed.port };
  if (parsed.host.startsWith('node:')) {
    const node = findNode(state, parsed.host.slice(5));
    if (!node) throw new CliError(`--to ${text}: no Node ${parsed.host.slice(5)} in the given manifests`);
    return { ip: nodeIP(node), port: parsed.port };
  }
  const [ns, name] = splitRef(parsed.host);
  const svc = state.services.find((s) => s.namespace === ns && s.name === name);
  if (svc && svc.clusterIP && svc.clusterIP !== 'None') return { ip: svc.clusterIP, port: parsed.port };
  throw new CliError(`--to ${text}: "${parsed.host}" is not an IP address, a Service with a ClusterIP, or node:NAME`);
}

/** When DST names a Service but no port: the ports it has, spelled as --to wants them. */
function portHint(state: ClusterState, text: string): string {
  const [ns, name] = splitRef(text);
  const svc = state.services.find((s) => s.namespace === ns && s.name === name);
  if (!svc || !svc.ports.length) return '';
  return ` (Service ${ns}/${name} has ${svc.ports.map((p) => `${ns}/${name}:${p.port} (${p.protocol}${p.name ? `, ${p.name}` : ''})`).join(', ')})`;
}

/**
 * --node, else the node owning the destination address (NodePorts and node addresses are handled there),
 * else the first Node: exactly the CLI contract (shared/design/architecture.md), which other tools rely on.
 * A pod's packet meets kube-proxy's rules on the pod's own node; pass --node for that view.
 */
export function chooseNode(state: ClusterState, explicit: string | undefined, src: Source, dst: Destination): NodeModel | undefined {
  if (explicit) {
    const n = findNode(state, explicit);
    if (!n) throw new CliError(`--node ${explicit}: no such Node in the given manifests${state.nodes.length ? ` (Nodes: ${state.nodes.map((x) => x.name).slice(0, 10).join(', ')})` : ''}`);
    return n;
  }
  return state.nodes.find((n) => n.ips.some((x) => canonicalIP(x) === dst.ip)) ?? state.nodes[0];
}

export function parseProtocol(v: string | undefined): Protocol {
  const p = (v ?? 'TCP').toUpperCase();
  if (p !== 'TCP' && p !== 'UDP' && p !== 'SCTP') throw new CliError(`protocol must be TCP, UDP or SCTP (got "${v}")`);
  return p;
}

/** `version`: the --kube-proxy-version given (undefined: the cluster's, as the tracer resolves it). */
export function traceContext(state: ClusterState, node: NodeModel | undefined, src: Source, extraLocal: string[], family: IPFamily, version?: string): TraceContext {
  const localIPs = [...(node?.ips ?? []), ...extraLocal];
  // A node's packet to another node arrives there from the network, like an external client's.
  const kind: SourceKind = src.kind === 'node' && node && src.node && src.node !== node.name ? 'external' : src.kind;
  if (kind === 'node' && !localIPs.includes(src.ip)) localIPs.push(src.ip);
  const p = state.proxy;
  let inInterface: string | undefined;
  const onNode = !src.node || !node || src.node === node.name;
  if (kind === 'pod' && onNode && p.detectLocalMode === 'BridgeInterface' && p.bridgeInterface) inInterface = p.bridgeInterface;
  if (kind === 'pod' && onNode && p.detectLocalMode === 'InterfaceNamePrefix' && p.interfaceNamePrefix) inInterface = `${p.interfaceNamePrefix}0`;
  return { source: kind, localIPs, inInterface, nodeName: node?.name, notes: serviceNotes(state, node, family, version), unmatched: (packet) => unmatchedDestinationNotes(state, packet.to, packet.port, packet.protocol, releaseMinor(state, node, version), node?.name) };
}

/** The kube-proxy release the tracer uses: the one given, else the cluster's (as resolveProxyVersion finds it). */
function releaseMinor(state: ClusterState, node: NodeModel | undefined, given: string | undefined): number | undefined {
  return kubeProxyMinor(given || resolveProxyVersion(state, 'iptables', { node: node?.name }).version);
}

/** Cluster-state facts about a Service port, keyed by kube-proxy's service-port name, for explanations. */
function serviceNotes(state: ClusterState, node: NodeModel | undefined, family: IPFamily, given: string | undefined): (svc: string, verdict: Verdict) => string[] {
  let minor: number | undefined | null = null;
  return (name, verdict) => {
    if (!state.services.length) return [];
    // The release whose topology gates apply, resolved once per context as the tracer resolves it.
    if (minor === null) minor = releaseMinor(state, node, given);
    const found = portByName(state, node?.name, family, name, minor);
    if (!found) return [];
    const { sp, topo } = found;
    const notes: string[] = [];
    const c = sp.categorized;
    if (!sp.endpoints.length || !c.hasAnyEndpoints) {
      const excluded = serviceEndpoints(state, sp.info.service).excluded;
      if (excluded.length) notes.push(`In the manifests: ${excluded.slice(0, 5).map((x) => `pod ${x.pod.namespace}/${x.pod.name} is not served (${x.reason})`).join('; ')}${excluded.length > 5 ? `; and ${excluded.length - 5} more` : ''}.`);
      else if (!sp.endpoints.length) notes.push(`In the manifests, no pod matches the selector of ${sp.info.namespace}/${sp.info.name}.`);
    } else if (c.clusterEndpoints.length && c.clusterEndpoints.every((e) => !e.ready && e.serving && e.terminating)) {
      notes.push(`Every endpoint of ${name} is terminating but still serving: kube-proxy falls back to them because no endpoint is ready.`);
    }
    if (verdict === 'DROP' && sp.info.externalPolicyLocal && !c.localEndpoints.length) {
      const where = [...new Set(sp.endpoints.filter((e) => e.ready && e.nodeName).map((e) => e.nodeName!))];
      const steer = sp.info.healthCheckNodePort ? `the load balancer's health check on port ${sp.info.healthCheckNodePort} keeps it away from other nodes` : 'a NodePort Service has no health check, so clients must pick such a node themselves';
      if (where.length) notes.push(`Ready endpoints run on ${where.map((n) => `node ${n}`).join(', ')}; external traffic must arrive there (${steer}).`);
    }
    if ((verdict === 'DROP' || verdict === 'REJECT') && sp.info.internalPolicyLocal && !c.localEndpoints.length && c.hasAnyEndpoints) {
      const where = [...new Set(sp.endpoints.filter((e) => e.ready && e.nodeName).map((e) => e.nodeName!))];
      if (where.length) notes.push(`The ready endpoints of ${name} run on ${where.map((n) => `node ${n}`).join(', ')}: with internalTrafficPolicy Local only clients on ${where.length === 1 ? 'that node' : 'those nodes'} reach it through its ClusterIP.`);
    }
    const topology = verdict === 'DNAT' ? topologyNote(sp, topo, minor) : undefined;
    if (topology) notes.push(topology);
    return notes;
  };
}

/**
 * The proxy model's service port of a name (the first in kube-proxy's order, as buildProxyModel lists
 * them), computed for the Services of that name alone (their index is built once per state and family):
 * a --batch of 10,000 flows explains 10,000 traces, and none needs the model of every Service.
 */
const portIndexes = new WeakMap<ClusterState, Map<IPFamily, Map<string, ServiceModel[]>>>();

const nodeViews = new WeakMap<ClusterState, { key: string; pn: ProxyNode; topo: TopologyInput }>();

function portByName(state: ClusterState, node: string | undefined, family: IPFamily, name: string, minor: number | undefined): { sp: ProxiedServicePort; topo: TopologyInput } | undefined {
  let perState = portIndexes.get(state);
  if (!perState) portIndexes.set(state, (perState = new Map()));
  let index = perState.get(family);
  if (!index) {
    index = new Map();
    // By the names of every Service's ports (a superset of the family's: the ports below come from
    // proxiedPortsShared, which leaves out what kube-proxy of this family skips), without building
    // each Service's port infos here.
    for (const svc of state.services) {
      for (const p of svc.ports) {
        const name = servicePortNameString(svc.namespace, svc.name, p.name);
        const list = index.get(name);
        if (!list) index.set(name, [svc]);
        else if (list[list.length - 1] !== svc) list.push(svc);
      }
    }
    perState.set(family, index);
  }
  // The node as the proxy model sees it, made once per state and node (a batch explains 10,000 traces on one node).
  const key = `${node ?? ''}/${minor ?? ''}`;
  let at = nodeViews.get(state);
  if (!at || at.key !== key) {
    const pn = proxyNode(state, node);
    nodeViews.set(state, (at = { key, pn, topo: topologyInput(pn, { kubeProxyMinor: minor }) }));
  }
  const { pn, topo } = at;
  // Ordered by name, then protocol; among equals the first in state order.
  let best: ProxiedServicePort | undefined;
  for (const svc of index.get(name) ?? []) {
    for (const sp of proxiedPortsShared(state, svc, family, pn, topo)) if (sp.info.nameString === name && (!best || compareStrings(sp.info.protocol, best.info.protocol) < 0)) best = sp;
  }
  return best && { sp: best, topo };
}

/** Non-hostNetwork pods by each of their IPs (the first pod listed wins), built once per state. */
const podIndexes = new WeakMap<ClusterState, Map<string, PodModel>>();

function podByIP(state: ClusterState, ip: string): PodModel | undefined {
  let byIP = podIndexes.get(state);
  if (!byIP) {
    byIP = new Map();
    for (const p of state.pods) {
      if (p.hostNetwork) continue;
      for (const x of [p.ip, ...p.ips]) if (x && !byIP.has(x)) byIP.set(x, p);
    }
    podIndexes.set(state, byIP);
  }
  return byIP.get(ip);
}

export async function readRulesFile(file: string): Promise<RuleSet> {
  const text = await readInputFile('rules', file);
  try {
    return parseRules(text);
  } catch (e) {
    if (e instanceof RulesParseError) throw new CliError(`${file}: line ${e.line}: ${e.detail}`);
    throw e;
  }
}

export function familyOf(ip: string): IPFamily {
  return ipFamily(ip) ?? 'IPv4';
}

export type { TracePacket };
