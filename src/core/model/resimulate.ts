/**
 * Simulated pods after an in-place edit, without simulating every workload again when that provably gives
 * the same pods (`resimulateWorkload`), and keeping the previous pod objects that came out the same
 * (`keepSamePods`) when everything was simulated again: later steps (which pods moved, the state's lookup
 * tables) compare pods by identity, so an unchanged pod should stay the same object.
 */
import { MAX_SIMULATED_PER_WORKLOAD, MAX_SIMULATED_PODS, deploymentKeys, onNodeAddress, runsPods, schedulableNodes, simulateWorkload, skippedBy, unknown, workloadKey, type Run } from './simulate';
import type { NodeModel, PodModel, WorkloadModel } from './types';

/**
 * The simulated pods after one workload changed in place (`before` -> `after`, same namespace, kind and
 * name), from the pods `previous` gave for the same other inputs: the pods of the workloads before it in
 * order are kept, its own are handed out again, and those after it are kept when that provably gives what
 * a full `simulatePods` would (each got its first-choice addresses, none of which the changed workload now
 * takes, and no node round-robin shift). Undefined when that cannot be shown: simulate everything.
 */
export function resimulateWorkload(
  previous: readonly PodModel[],
  before: WorkloadModel,
  after: WorkloadModel,
  workloads: WorkloadModel[],
  realPods: PodModel[],
  nodes: NodeModel[],
  clusterCIDRs: string[],
): PodModel[] | undefined {
  const key = workloadKey(after);
  if (workloadKey(before) !== key || workloads.filter((w) => workloadKey(w) === key).length !== 1) return undefined;
  if (previous.length + MAX_SIMULATED_PER_WORKLOAD >= MAX_SIMULATED_PODS) return undefined;
  // The changed workload's pods sit where its key sorts (pods of one workload are contiguous, in key order).
  let from = 0;
  for (let hi = previous.length; from < hi; ) {
    const mid = (from + hi) >> 1;
    if (podWorkloadKey(previous[mid]!) < key) from = mid + 1;
    else hi = mid;
  }
  let to = from;
  while (to < previous.length && previous[to]!.loaded === before.loaded && podWorkloadKey(previous[to]!) === key) to++;
  if (to < previous.length && podWorkloadKey(previous[to]!) === key) return undefined;
  const run: Run = { used: new Set(realPods.flatMap((p) => p.ips)), schedulable: schedulableNodes(nodes), rr: 0, clusterCIDRs };
  for (let i = 0; i < from; i++) {
    const p = previous[i]!;
    if (!onNodeAddress.has(p)) for (const ip of p.ips) run.used.add(ip);
    if (p.owner?.kind !== 'DaemonSet' && run.schedulable.length) run.rr++;
  }
  const own: PodModel[] = [];
  const realInNamespace = realPods.filter((p) => p.namespace === after.namespace);
  // Only a ReplicaSet asks which Deployments are given (building that set per edit was a third of this).
  const owned = after.kind === 'ReplicaSet' ? deploymentKeys(workloads) : new Set<string>();
  if (runsPods(after, owned, realInNamespace)) simulateWorkload(after, run, MAX_SIMULATED_PODS - from, own);
  const rest = previous.slice(to);
  if (own.length !== to - from && run.schedulable.length > 1 && rest.some((p) => p.owner?.kind !== 'DaemonSet')) return undefined;
  // A kept pod gets the same addresses when the ones it passed over are still taken and its own still free.
  const addressed = (pods: readonly PodModel[]) => new Set(pods.flatMap((p) => (onNodeAddress.has(p) ? [] : p.ips)));
  const oldIPs = addressed(previous.slice(from, to));
  const newIPs = addressed(own);
  for (const p of rest) {
    if (unknown.has(p)) return undefined;
    for (const ip of p.ips) if (newIPs.has(ip) && !oldIPs.has(ip)) return undefined;
    for (const ip of skippedBy.get(p) ?? []) if (oldIPs.has(ip) && !newIPs.has(ip)) return undefined;
  }
  return [...previous.slice(0, from), ...own, ...rest];
}

function podWorkloadKey(p: PodModel): string {
  return `${p.namespace}/${p.owner?.kind ?? ''}/${p.owner?.name ?? ''}`;
}


/**
 * `fresh` (every workload's simulated pods, handed out again from the previous state's other inputs) with
 * each pod replaced by the previous pod of its namespace and name when that one is alike: simulated from the
 * same workload object (so the same model and shape: labels, ports, owner, host fields and conditions all
 * follow from it and the pod's name) with the same node and addresses. The record of addresses passed over
 * while probing (which later in-place edits read) then agrees too: a pod's probe order is fixed by its name
 * and its node's pod network, and every address before the one it got was passed over. A name given twice
 * on either side is not reused.
 */
export function keepSamePods(previous: readonly PodModel[], fresh: PodModel[]): PodModel[] {
  const byKey = new Map<string, PodModel | null>();
  for (const p of previous) {
    const key = `${p.namespace}/${p.name}`;
    byKey.set(key, byKey.has(key) ? null : p);
  }
  const seen = new Set<string>();
  return fresh.map((p) => {
    const key = `${p.namespace}/${p.name}`;
    if (seen.has(key)) return p;
    seen.add(key);
    const old = byKey.get(key);
    return old && samePod(old, p) ? old : p;
  });
}

function samePod(a: PodModel, b: PodModel): boolean {
  return a.loaded === b.loaded && a.nodeName === b.nodeName && sameStrings(a.ips, b.ips);
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
