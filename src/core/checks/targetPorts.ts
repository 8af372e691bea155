/** KSD201-KSD203: a Service's targetPorts against the container ports of the pods it selects. */
import type { Diagnostic, Fix, RelatedInfo } from '../diagnostics';
import { findPort, portNotFoundReason } from '../endpoints/findPort';
import type { LoadedObject } from '../manifest/load';
import { arr, rec, str } from '../model/read';
import type { ClusterState, ContainerPortModel, PodModel, ServiceModel, ServicePortModel, WorkloadModel } from '../model/types';
import { focusSelecting, ownerWorkload, podsFor, workloadName } from './scope';
import type { Check, CheckContext, CheckOptions } from './types';
import { addEntry, closeEnough, diag, fix, loc, portNameProblems, replaceValue } from './util';

/** "the pods of Deployment "web" (simulated from its template)", "pod "web-0"", ... */
export function describePods(state: ClusterState, pods: readonly PodModel[]): string {
  const groups = new Map<string, { simulated: boolean; count: number }>();
  const ownerKeys = new Map<WorkloadModel, string>();
  for (const p of pods) {
    const w = ownerWorkload(state, p);
    let key: string;
    if (w) {
      key = ownerKeys.get(w) ?? `the pods of ${workloadName(w)}`;
      ownerKeys.set(w, key);
    } else key = p.simulated ? `pod "${p.name}" (no status given: assumed running and ready)` : `pod "${p.name}"`;
    const g = groups.get(key) ?? { simulated: true, count: 0 };
    g.simulated = g.simulated && p.simulated && !!w;
    g.count++;
    groups.set(key, g);
  }
  const parts = [...groups].map(([k, g]) => (g.simulated ? `${k} (simulated from its pod template: no Pod objects were given)` : k));
  return parts.length > 3 ? `${parts.slice(0, 3).join(', ')} and ${parts.length - 3} more` : parts.join(', ');
}

/** Where a pod's spec is written: the Pod, or the pod template of the workload it is simulated from. */
export function podSpecAt(state: ClusterState, pod: PodModel): { loaded?: LoadedObject; path: (string | number)[] } {
  const w = ownerWorkload(state, pod);
  if (pod.loaded && pod.loaded.kind === 'Pod') return { loaded: pod.loaded, path: ['spec'] };
  if (w) return { loaded: w.loaded, path: [...w.templatePath, 'spec'] };
  return { loaded: pod.loaded, path: ['spec'] };
}

/** The path of a container (by name) inside a pod spec: containers, or native sidecars in initContainers. */
export function containerPath(loaded: LoadedObject | undefined, specPath: (string | number)[], container: string): (string | number)[] | undefined {
  let spec: unknown = loaded?.object;
  for (const k of specPath) spec = typeof k === 'number' ? arr(spec)[k] : rec(spec)[k];
  for (const list of ['containers', 'initContainers']) {
    const i = arr(rec(spec)[list]).findIndex((c) => str(rec(c)['name']) === container);
    if (i >= 0) return [...specPath, list, i];
  }
  return undefined;
}

function portsRelated(state: ClusterState, pod: PodModel): RelatedInfo[] {
  const at = podSpecAt(state, pod);
  const out: RelatedInfo[] = [];
  const containers = new Set(pod.ports.map((p) => p.container));
  if (!at.loaded?.source) return out;
  for (const c of containers.size ? containers : new Set([''])) {
    const cp = c ? containerPath(at.loaded, at.path, c) : undefined;
    const loc = cp ? [...cp, 'ports'] : [...at.path, 'containers'];
    const list = pod.ports.filter((p) => p.container === c).map((p) => `${p.name ? `${p.name}=` : ''}${p.containerPort}/${p.protocol}`);
    out.push({ location: { file: at.loaded.source.file, range: rangeFor(at.loaded, loc) }, message: c ? `container "${c}" declares ${list.join(', ') || 'no ports'}` : 'the containers declare no ports' });
  }
  return out;
}

function rangeFor(o: LoadedObject, path: (string | number)[]) {
  return loc(o, path).range;
}

function namedPortProblems(state: ClusterState, svc: ServiceModel, sp: ServicePortModel, pods: readonly PodModel[]): Diagnostic | undefined {
  const name = sp.targetPort as string;
  if (/^\d+$/.test(name.trim()) || portNameProblems(name).length) return undefined; // KSD204 / KSD206
  const lacking = pods.filter((p) => findPort(p, sp) === undefined);
  if (!lacking.length) return undefined;
  if (lacking.length < pods.length) {
    const path = ['spec', 'ports', sp.index, 'targetPort'];
    return diag(svc.loaded, path, 'warning', 'KSD201', `targetPort "${name}" resolves on some selected pods but not on ${describePods(state, lacking)} (${portNotFoundReason(lacking[0]!, sp)}), so those pods get no endpoint for this port. Name the port the same way in every workload the selector catches, or narrow the selector.`, { related: portsRelated(state, lacking[0]!) });
  }
  const pod = pods[0]!;
  const path = ['spec', 'ports', sp.index, 'targetPort'];
  const who = describePods(state, pods);
  // Simulated pods of one workload share their ports array: walk each array once (same order, same result).
  const portLists = [...new Set(pods.map((p) => p.ports))];
  const sameName = portLists.flat().find((p) => p.name === name);
  const sameProto = pod.ports.filter((p) => p.protocol === sp.protocol);
  const namedSameProto = sameProto.filter((p) => p.name);
  const near = namedSameProto.find((p) => closeEnough(name, p.name!)) ?? (namedSameProto.length === 1 ? namedSameProto[0] : undefined);
  const tail = 'so the EndpointSlice controller leaves this port out of every endpoint and the Service port has no usable endpoints (kubernetes#109627).';
  if (sameName) {
    const protoPath = ['spec', 'ports', sp.index, 'protocol'];
    const edit = rec(arr(rec(svc.loaded?.object['spec'])['ports'])[sp.index])['protocol'] !== undefined ? replaceValue(svc.loaded, protoPath, sameName.protocol) : addEntry(svc.loaded, ['spec', 'ports', sp.index], 'protocol', sameName.protocol);
    const fixes = [...keepProtocolFixes(svc, sp, path, sameProto, near, sameName), ...fix(`Change the Service port protocol to ${sameName.protocol}`, [edit])];
    return diag(svc.loaded, path, 'error', 'KSD202', `targetPort "${name}" is a ${sameName.protocol} port on container "${sameName.container}" of ${who}, but this Service port is ${sp.protocol}. A named targetPort must match the container port's name and protocol, ${tail}`, { related: portsRelated(state, pod), fixes });
  }
  const fixes: Fix[] = [];
  if (near) fixes.push(...fix(`Use the container port "${near.name}" (${near.containerPort}/${near.protocol})`, [replaceValue(svc.loaded, path, near.name!)], true));
  else if (sameProto.length === 1) fixes.push(...fix(`Use port number ${sameProto[0]!.containerPort}`, [replaceValue(svc.loaded, path, sameProto[0]!.containerPort, false)], true));
  const names = [...new Set(portLists.flat().filter((p) => p.name).map((p) => `"${p.name}" (${p.containerPort}/${p.protocol})`))];
  const didYouMean = near ? ` Did you mean "${near.name}"?` : '';
  const have = names.length ? `Their named ports: ${names.join(', ')}.` : 'They declare no named ports.';
  return diag(svc.loaded, path, 'error', 'KSD201', `targetPort "${name}" matches no container port name on ${who}, ${tail}${didYouMean} ${have}`, { related: portsRelated(state, pod), fixes });
}

/**
 * KSD202's first choice keeps the Service port's protocol (switching it can break clients, e.g. UDP DNS): point
 * targetPort at a container port that has the protocol, by name when it has one, else by number. When no
 * container port has it, target the same-named port's number: containerPort is informational, so the number
 * reaches the process if it listens on that protocol too (as DNS servers do on 53).
 */
function keepProtocolFixes(svc: ServiceModel, sp: ServicePortModel, path: (string | number)[], sameProto: readonly ContainerPortModel[], near: ContainerPortModel | undefined, sameName: ContainerPortModel): Fix[] {
  const target = near ?? sameProto.find((p) => p.name) ?? sameProto[0];
  if (target?.name) return fix(`Keep ${sp.protocol}: use the container port "${target.name}" (${target.containerPort}/${target.protocol})`, [replaceValue(svc.loaded, path, target.name)], true);
  if (target) return fix(`Keep ${sp.protocol}: use port number ${target.containerPort} (declared as ${target.containerPort}/${target.protocol})`, [replaceValue(svc.loaded, path, target.containerPort, false)], true);
  return fix(`Keep ${sp.protocol}: use port number ${sameName.containerPort} (no container port is ${sp.protocol}; works if the process listens on ${sameName.containerPort}/${sp.protocol})`, [replaceValue(svc.loaded, path, sameName.containerPort, false)], true);
}

function numericNotDeclared(state: ClusterState, svc: ServiceModel, sp: ServicePortModel, pods: readonly PodModel[]): Diagnostic | undefined {
  const num = sp.targetPort as number;
  const declaring = pods.filter((p) => p.ports.length);
  if (!declaring.length) return undefined;
  if (pods.some((p) => p.ports.some((c) => c.containerPort === num && c.protocol === sp.protocol))) return undefined;
  const pod = declaring[0]!;
  const sameProto = pod.ports.filter((p) => p.protocol === sp.protocol);
  const path = sp.targetPortDefaulted ? ['spec', 'ports', sp.index, 'port'] : ['spec', 'ports', sp.index, 'targetPort'];
  const listed = [...new Set(declaring.flatMap((p) => p.ports).map((p) => `${p.containerPort}/${p.protocol}`))].join(', ');
  const fixes =
    sameProto.length === 1 && !sp.targetPortDefaulted
      ? fix(`Use targetPort ${sameProto[0]!.containerPort}${sameProto[0]!.name ? ` (or its name "${sameProto[0]!.name}")` : ''}`, [replaceValue(svc.loaded, path, sameProto[0]!.containerPort, false)])
      : sameProto.length === 1
        ? fix(`Add targetPort: ${sameProto[0]!.containerPort}`, [addEntry(svc.loaded, ['spec', 'ports', sp.index], 'targetPort', sameProto[0]!.containerPort)])
        : [];
  const tpText = sp.targetPortDefaulted ? `targetPort (defaulted to port ${num})` : `targetPort ${num}`;
  return diag(svc.loaded, path, 'info', 'KSD203', `${tpText}/${sp.protocol} is not declared by any container of ${describePods(state, declaring)} (they declare ${listed}). containerPort is informational, so this works if the process listens on ${num}; if it does not, point targetPort at the port it listens on.`, { related: portsRelated(state, pod), fixes });
}

function run(ctx: CheckContext, options: CheckOptions, want: 'named' | 'numeric'): Diagnostic[] {
  const state = ctx.state;
  const out: Diagnostic[] = [];
  const selecting = focusSelecting(ctx);
  for (let at_ = 0; at_ < selecting.length; at_++) {
    const svc = selecting[at_]!;
    if (svc.headless && !svc.ports.length) continue;
    const pods = podsFor(state, svc, options);
    if (!pods.length) continue;
    for (const sp of svc.ports) {
      const d = typeof sp.targetPort === 'string' ? (want === 'named' ? namedPortProblems(state, svc, sp, pods) : undefined) : want === 'numeric' ? numericNotDeclared(state, svc, sp, pods) : undefined;
      if (d) out.push(d);
    }
  }
  return out;
}

/** The named-targetPort pass per check context, kept for the context's state, focus and options. */
const namedRuns = new WeakMap<CheckContext, { state: CheckContext['state']; focus: CheckContext['focus']; options: CheckOptions; found: Diagnostic[] }>();

/**
 * KSD201 and KSD202 findings from one pass over the Services (both checks read it: each check used to walk
 * every selecting Service's ports and pods once for itself). Read-only.
 */
export function namedTargetPortFindings(ctx: CheckContext, options: CheckOptions): readonly Diagnostic[] {
  const hit = namedRuns.get(ctx);
  if (hit && hit.state === ctx.state && hit.focus === ctx.focus && hit.options === options) return hit.found;
  const found = run(ctx, options, 'named');
  namedRuns.set(ctx, { state: ctx.state, focus: ctx.focus, options, found });
  return found;
}

export const namedTargetPortCheck: Check = {
  reads: ['Pod'],
  code: 'KSD201',
  id: 'named-target-port-missing',
  title: 'Named targetPort missing on the selected pods',
  defaultSeverity: 'error',
  description: 'A named targetPort that no container port of the selected pods carries leaves the Service port without endpoints.',
  run: (ctx, options) => namedTargetPortFindings(ctx, options).filter((d) => d.code === 'KSD201'),
};

export const namedTargetPortProtocolCheck: Check = {
  reads: ['Pod'],
  code: 'KSD202',
  id: 'named-target-port-protocol',
  title: 'Named targetPort has another protocol on the pods',
  defaultSeverity: 'error',
  description: 'A named targetPort must match the container port by name and protocol (kubernetes#109627); a TCP name does not serve a UDP Service port.',
  run: (ctx, options) => namedTargetPortFindings(ctx, options).filter((d) => d.code === 'KSD202'),
};

export const numericTargetPortCheck: Check = {
  reads: ['Pod'],
  code: 'KSD203',
  id: 'target-port-not-declared',
  title: 'Numeric targetPort not declared by any container',
  defaultSeverity: 'info',
  description: 'No container declares the numeric targetPort. containerPort is informational, so this is only a hint that targetPort may be wrong.',
  run: (ctx, options) => run(ctx, options, 'numeric'),
};
