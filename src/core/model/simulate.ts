/** Pods a workload would run, for workloads whose selector matches none of the given Pods. */
import { matchesLabelSelector } from '../selectors';
import { cidrAt, cidrSize, parseCIDR } from '../net/ip';
import { containerPortsOf } from './defaults';
import { dig, rec, str } from './read';
import { fnv1a, nameSuffix } from './hash';
import type { NodeModel, PodModel, WorkloadModel } from './types';

export function simulatePods(workloads: WorkloadModel[], realPods: PodModel[], nodes: NodeModel[], clusterCIDRs: string[]): PodModel[] {
  const out: PodModel[] = [];
  const usedIPs = new Set(realPods.flatMap((p) => p.ips));
  const schedulable = nodes.filter((n) => n.ready);
  let rr = 0;
  const owned = new Set(workloads.filter((w) => w.kind === 'Deployment').map((w) => `${w.namespace}/${w.name}`));
  const realByNamespace = new Map<string, PodModel[]>();
  for (const p of realPods) {
    const list = realByNamespace.get(p.namespace);
    if (list) list.push(p);
    else realByNamespace.set(p.namespace, [p]);
  }
  for (const w of workloads) {
    if (!w.template || !w.selector) continue;
    // A ReplicaSet owned by a given Deployment would double its pods; the Deployment speaks for it.
    if (w.kind === 'ReplicaSet' && ownedByDeployment(w, owned)) continue;
    const matchesReal = (realByNamespace.get(w.namespace) ?? []).some((p) => matchesLabelSelector(w.selector, p.labels));
    if (matchesReal) continue;
    const count = w.kind === 'DaemonSet' ? Math.max(1, schedulable.length) : w.replicas;
    const hash = nameSuffix(`${w.namespace}/${w.name}/template`, 10);
    for (let i = 0; i < count; i++) {
      const name =
        w.kind === 'StatefulSet' ? `${w.name}-${i}` : w.kind === 'Deployment' ? `${w.name}-${hash}-${nameSuffix(`${w.name}/${i}`, 5)}` : `${w.name}-${nameSuffix(`${w.namespace}/${w.name}/${i}`, 5)}`;
      const labels: Record<string, string> = { ...w.templateLabels };
      if (w.kind === 'Deployment') labels['pod-template-hash'] = hash;
      if (w.kind === 'StatefulSet') {
        labels['statefulset.kubernetes.io/pod-name'] = name;
        labels['apps.kubernetes.io/pod-index'] = String(i);
      }
      const node = w.kind === 'DaemonSet' ? schedulable[i] : schedulable.length ? schedulable[rr++ % schedulable.length] : undefined;
      const spec = rec(w.template.spec);
      // A hostNetwork pod has its node's address; others get one address per pod-network family.
      const hostNet = spec['hostNetwork'] === true;
      const ips = hostNet && node?.ips.length ? [node.ips[0]!] : podIPs(node?.podCIDRs.length ? node.podCIDRs : clusterCIDRs, `${w.namespace}/${name}`, usedIPs);
      out.push({
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
        ports: containerPortsOf(spec),
        owner: { kind: w.kind, name: w.name },
        simulated: true,
        loaded: w.loaded,
      });
    }
  }
  return out;
}

function ownedByDeployment(w: WorkloadModel, deployments: Set<string>): boolean {
  const refs = dig(w.loaded?.object, 'metadata', 'ownerReferences');
  if (!Array.isArray(refs)) return false;
  return refs.some((r) => rec(r)['kind'] === 'Deployment' && deployments.has(`${w.namespace}/${str(rec(r)['name'])}`));
}

/** One address per family, from the first CIDR of each family (a dual-stack pod network gives two). */
function podIPs(cidrs: string[], seed: string, used: Set<string>): string[] {
  const out: string[] = [];
  const families = new Set<string>();
  for (const c of cidrs) {
    const fam = parseCIDR(c)?.family;
    if (!fam || families.has(fam)) continue;
    families.add(fam);
    const ip = pickPodIP(c, seed, used);
    if (ip) {
      used.add(ip);
      out.push(ip);
    }
  }
  return out;
}

function pickPodIP(cidrText: string, seed: string, used: Set<string>): string {
  const cidr = parseCIDR(cidrText);
  if (!cidr) return '';
  const usable = cidrSize(cidr) - 2n;
  if (usable <= 0n) return '';
  const start = BigInt(fnv1a(seed)) % usable;
  for (let i = 0n; i < 4096n && i < usable; i++) {
    const ip = cidrAt(cidr, 1n + ((start + i) % usable));
    if (!used.has(ip)) return ip;
  }
  return '';
}

/**
 * A Pod manifest without `status` is a pod as written, not as running: give it the runtime state it would
 * have (an IP, a node, Ready) and mark it simulated, so its Service is not reported as having no endpoints.
 */
export function assumeRunning(pods: PodModel[], nodes: NodeModel[], clusterCIDRs: string[]): void {
  const used = new Set(pods.flatMap((p) => p.ips));
  const schedulable = nodes.filter((n) => n.ready);
  let rr = 0;
  for (const p of pods) {
    if (p.loaded && p.loaded.object['status'] !== undefined) continue;
    const node = p.nodeName ? nodes.find((n) => n.name === p.nodeName) : schedulable.length ? schedulable[rr++ % schedulable.length] : undefined;
    const ips = p.hostNetwork && node?.ips[0] ? [node.ips[0]] : podIPs(node?.podCIDRs.length ? node.podCIDRs : clusterCIDRs, `${p.namespace}/${p.name}`, used);
    if (ips.length) {
      p.ip = ips[0]!;
      p.ips = ips;
    }
    p.nodeName = p.nodeName ?? node?.name;
    p.phase = 'Running';
    p.conditions = [{ type: 'Ready', status: 'True' }, ...p.readinessGates.map((g) => ({ type: g, status: 'True' }))];
    p.simulated = true;
  }
}
