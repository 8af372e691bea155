/** Pods a workload would run, for workloads whose selector matches none of the given Pods. */
import { matchesLabelSelector } from '../selectors';
import { cidrAt, cidrSize, ipv4At, parseCIDR, type CIDR } from '../net/ip';
import { containerPortsOf } from './defaults';
import { dig, rec, str } from './read';
import { fnv1a, nameSuffix, shortSuffix } from './hash';
import type { ContainerPortModel, NodeModel, PodModel, WorkloadModel } from './types';

/**
 * Bounds on simulated pods: a workload stands for at most this many (its replicas may say billions), and
 * all workloads together for at most MAX_SIMULATED_PODS, so a hostile or mistyped count cannot hang us.
 */
export const MAX_SIMULATED_PER_WORKLOAD = 1000;
export const MAX_SIMULATED_PODS = 50_000;

export function simulatePods(workloads: WorkloadModel[], realPods: PodModel[], nodes: NodeModel[], clusterCIDRs: string[]): PodModel[] {
  const out: PodModel[] = [];
  const run: Run = { used: new Set(realPods.flatMap((p) => p.ips)), schedulable: schedulableNodes(nodes), rr: 0, clusterCIDRs };
  const owned = deploymentKeys(workloads);
  const realByNamespace = new Map<string, PodModel[]>();
  for (const p of realPods) {
    const list = realByNamespace.get(p.namespace);
    if (list) list.push(p);
    else realByNamespace.set(p.namespace, [p]);
  }
  for (const w of sortedBy(workloads, workloadKey)) {
    if (!runsPods(w, owned, realByNamespace.get(w.namespace) ?? [])) continue;
    simulateWorkload(w, run, MAX_SIMULATED_PODS - out.length, out);
  }
  return out;
}

/** What handing out pods to workloads in order carries from one workload to the next. */
export interface Run {
  used: Set<string>;
  /** Ready nodes, by name. */
  schedulable: NodeModel[];
  /** Round-robin counter over `schedulable` (DaemonSets do not move it). */
  rr: number;
  clusterCIDRs: string[];
}

/**
 * The taken addresses each simulated pod passed over before its own (per family, in probe order); none for
 * most pods. A pod left without an address of some family has no entry in `skippedBy` but is in `unknown`.
 */
export const skippedBy = new WeakMap<PodModel, string[]>();
export const unknown = new WeakSet<PodModel>();
/** Host-network simulated pods given their node's address (not taken from the pod network). */
export const onNodeAddress = new WeakSet<PodModel>();

export function schedulableNodes(nodes: NodeModel[]): NodeModel[] {
  // Sorted, so the same manifests give the same pods whatever order the files were read in (CLI, editor, live).
  return byName(nodes.filter((n) => n.ready));
}

export function workloadKey(w: WorkloadModel): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

export function deploymentKeys(workloads: readonly WorkloadModel[]): Set<string> {
  return new Set(workloads.filter((w) => w.kind === 'Deployment').map((w) => `${w.namespace}/${w.name}`));
}

/** Does the workload get simulated pods (a template and selector, no given Pod of its own, not owned)? */
export function runsPods(w: WorkloadModel, owned: Set<string>, realInNamespace: readonly PodModel[]): boolean {
  if (!w.template || !w.selector) return false;
  // A ReplicaSet owned by a given Deployment would double its pods; the Deployment speaks for it.
  if (w.kind === 'ReplicaSet' && ownedByDeployment(w, owned)) return false;
  return !realInNamespace.some((p) => matchesLabelSelector(w.selector, p.labels));
}

function wantedPods(w: WorkloadModel, run: Run, room: number): number {
  const wanted = w.kind === 'DaemonSet' ? Math.max(1, run.schedulable.length) : w.replicas;
  return Math.max(0, Math.min(wanted, MAX_SIMULATED_PER_WORKLOAD, room));
}

export function simulateWorkload(w: WorkloadModel, run: Run, room: number, out: PodModel[]): void {
  const count = wantedPods(w, run, room);
  const shape = shapeOf(w);
  const schedulable = run.schedulable;
  for (let i = 0; i < count; i++) {
    const { name, labels } = podShape(w, shape, i);
    const node = w.kind === 'DaemonSet' ? schedulable[i] : schedulable.length ? schedulable[run.rr++ % schedulable.length] : undefined;
    const spec = shape.spec;
    // A hostNetwork pod has its node's address; others get one address per pod-network family.
    const hostNet = spec['hostNetwork'] === true;
    const probe: Probe = { skipped: [], failed: false };
    const nodeAddress = !!(hostNet && node?.ips.length);
    const ips =
      nodeAddress
        ? [node.ips[0]!]
        : podIPs(node?.podCIDRs.length ? node.podCIDRs : run.clusterCIDRs, `${w.namespace}/${name}`, run.used, probe);
    const pod: PodModel = {
      namespace: w.namespace,
      name,
      labels,
      ip: ips[0] ?? '',
      ips,
      nodeName: node?.name,
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      readinessGates: [],
      terminating: false,
      hostname: w.kind === 'StatefulSet' ? name : str(spec['hostname']),
      subdomain: w.kind === 'StatefulSet' ? w.serviceName : str(spec['subdomain']),
      hostNetwork: spec['hostNetwork'] === true,
      enableServiceLinks: spec['enableServiceLinks'] !== false,
      ports: shape.ports,
      owner: shape.owner,
      simulated: true,
      loaded: w.loaded,
    };
    if (probe.failed) unknown.add(pod);
    else if (probe.skipped.length) skippedBy.set(pod, probe.skipped);
    if (nodeAddress) onNodeAddress.add(pod);
    out.push(pod);
  }
}

/**
 * What a workload's simulated pods look like apart from their addresses and nodes (names, labels, ports),
 * remembered per workload model: models are kept across builds while their object is unchanged, so a
 * rebuild only hands out addresses again. Pods of different builds share these read-only parts.
 */
interface Shape {
  spec: Record<string, unknown>;
  hash: string;
  ports: ContainerPortModel[];
  owner: { kind: string; name: string };
  pods: { name: string; labels: Record<string, string> }[];
  /** fnv1a of the part of each pod's suffix seed before its index (hashed once, not once per pod). */
  seedHash: number;
}
const shapes = new WeakMap<WorkloadModel, Shape>();

function shapeOf(w: WorkloadModel): Shape {
  let shape = shapes.get(w);
  if (!shape) {
    const spec = rec(w.template?.spec);
    const seedHash = fnv1a(w.kind === 'Deployment' ? `${w.name}/` : `${w.namespace}/${w.name}/`);
    shape = { spec, hash: nameSuffix(`${w.namespace}/${w.name}/template`, 10), ports: containerPortsOf(spec), owner: { kind: w.kind, name: w.name }, pods: [], seedHash };
    shapes.set(w, shape);
  }
  return shape;
}

function podShape(w: WorkloadModel, shape: Shape, i: number): { name: string; labels: Record<string, string> } {
  const known = shape.pods[i];
  if (known) return known;
  const hash = shape.hash;
  const name =
    w.kind === 'StatefulSet' ? `${w.name}-${i}` : generatedName(w.kind === 'Deployment' ? `${w.name}-${hash}-` : `${w.name}-`, shortSuffix(fnv1a(String(i), shape.seedHash), 5));
  const labels: Record<string, string> = { ...w.templateLabels };
  if (w.kind === 'Deployment') labels['pod-template-hash'] = hash;
  if (w.kind === 'StatefulSet') {
    labels['statefulset.kubernetes.io/pod-name'] = name;
    labels['apps.kubernetes.io/pod-index'] = String(i);
  }
  const made = { name, labels };
  shape.pods[i] = made;
  return made;
}

/**
 * A name from metadata.generateName, as the API server makes it (apiserver storage/names): the base cut to
 * 58 characters, then 5 random ones, so generated pod names never pass 63 characters.
 */
function generatedName(base: string, suffix: string): string {
  return (base.length > 58 ? base.slice(0, 58) : base) + suffix;
}

function ownedByDeployment(w: WorkloadModel, deployments: Set<string>): boolean {
  const refs = dig(w.loaded?.object, 'metadata', 'ownerReferences');
  if (!Array.isArray(refs)) return false;
  return refs.some((r) => rec(r)['kind'] === 'Deployment' && deployments.has(`${w.namespace}/${str(rec(r)['name'])}`));
}

/** Pod CIDRs are few and asked for once per pod: parse each text once (the cache stays small). */
const parsedCIDRs = new Map<string, CIDR | undefined>();
function cidrOf(text: string): CIDR | undefined {
  if (parsedCIDRs.has(text)) return parsedCIDRs.get(text);
  if (parsedCIDRs.size >= 256) parsedCIDRs.clear();
  const c = parseCIDR(text);
  parsedCIDRs.set(text, c);
  return c;
}

/** One address per family, from the first CIDR of each family (a dual-stack pod network gives two). */
/** What handing out one pod's addresses went through. */
interface Probe {
  skipped: string[];
  failed: boolean;
}

function podIPs(cidrs: string[], seed: string, used: Set<string>, probe?: Probe): string[] {
  const out: string[] = [];
  const families = new Set<string>();
  for (const c of cidrs) {
    const fam = cidrOf(c)?.family;
    if (!fam || families.has(fam)) continue;
    families.add(fam);
    const ip = pickPodIP(c, seed, used, probe?.skipped);
    if (probe && !ip) probe.failed = true;
    if (ip) {
      used.add(ip);
      out.push(ip);
    }
  }
  return out;
}

/**
 * Each pod's first-choice address (from the hash of its name), remembered across builds: an edit rebuilds
 * every simulated pod, and the hash and big-integer arithmetic were most of that. Only the first choice is
 * remembered, so the result is the same as probing from scratch.
 */
const firstChoice = new Map<string, string>();

function pickPodIP(cidrText: string, seed: string, used: Set<string>, skipped?: string[]): string {
  const memo = `${cidrText}\0${seed}`;
  const first = firstChoice.get(memo);
  if (first !== undefined && !used.has(first)) return first;
  const cidr = cidrOf(cidrText);
  if (!cidr) return '';
  const usable = cidrSize(cidr) - 2n;
  if (usable <= 0n) return '';
  const hash = fnv1a(seed);
  if (first === undefined && firstChoice.size >= 200_000) firstChoice.clear();
  if (cidr.family === 'IPv4') {
    // The same probe on plain numbers (an IPv4 network has at most 2^32 addresses).
    const n = Number(usable);
    const base = Number(cidr.base);
    const start = hash % n;
    if (first === undefined) firstChoice.set(memo, ipv4At(base, 1 + start));
    for (let i = 0; i < 4096 && i < n; i++) {
      const ip = ipv4At(base, 1 + ((start + i) % n));
      if (!used.has(ip)) return ip;
      skipped?.push(ip);
    }
    return '';
  }
  const start = BigInt(hash) % usable;
  if (first === undefined) firstChoice.set(memo, cidrAt(cidr, 1n + start));
  for (let i = 0n; i < 4096n && i < usable; i++) {
    const ip = cidrAt(cidr, 1n + ((start + i) % usable));
    if (!used.has(ip)) return ip;
    skipped?.push(ip);
  }
  return '';
}

/**
 * A Pod manifest without `status` is a pod as written, not as running: give it the runtime state it would
 * have (an IP, a node, Ready) and mark it simulated, so its Service is not reported as having no endpoints.
 */
export function assumeRunning(pods: PodModel[], nodes: NodeModel[], clusterCIDRs: string[]): void {
  const used = new Set(pods.flatMap((p) => p.ips));
  const schedulable = byName(nodes.filter((n) => n.ready));
  let rr = 0;
  for (const p of sortedBy(pods, (x) => `${x.namespace}/${x.name}`)) {
    if (p.loaded && p.loaded.object['status'] !== undefined) continue;
    const node = p.nodeName ? nodes.find((n) => n.name === p.nodeName) : schedulable.length ? schedulable[rr++ % schedulable.length] : undefined;
    const ips = p.hostNetwork && node?.ips[0] ? [node.ips[0]] : podIPs(node?.podCIDRs.length ? node.podCIDRs : clusterCIDRs, `${p.namespace}/${p.name}`, used);
    runAssumed(p, node?.name, ips);
  }
}

/** Gives a Pod written without status the runtime state `assumeRunning` assumes: its addresses, a node, Ready. */
export function runAssumed(p: PodModel, nodeName: string | undefined, ips: string[]): void {
  if (ips.length) {
    p.ip = ips[0]!;
    p.ips = ips;
  }
  p.nodeName = p.nodeName ?? nodeName;
  p.phase = 'Running';
  p.conditions = [{ type: 'Ready', status: 'True' }, ...p.readinessGates.map((g) => ({ type: g, status: 'True' }))];
  p.simulated = true;
}

/** A sorted copy, each sort key built once (not twice per comparison). */
function sortedBy<T>(list: readonly T[], key: (x: T) => string): T[] {
  const keyed = list.map((x) => ({ x, k: key(x) }));
  keyed.sort((a, b) => cmp(a.k, b.k));
  return keyed.map((e) => e.x);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byName<T extends { name: string }>(list: T[]): T[] {
  return list.sort((a, b) => cmp(a.name, b.name));
}
