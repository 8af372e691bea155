/** KSD701: NetworkPolicies that isolate a Service's pods for ingress and allow none of the ports it targets. */
import type { Diagnostic, RelatedInfo } from '../diagnostics';
import { findPort } from '../endpoints/findPort';
import type { LoadedObject } from '../manifest/load';
import { labelSelectorFrom, protocolOf } from '../model/defaults';
import { arr, int, rec, str } from '../model/read';
import type { PodModel, Protocol, ServicePortModel } from '../model/types';
import { matchesLabelSelector } from '../selectors';
import { focusSelecting, podsFor } from './scope';
import type { Check } from './types';
import { diag, loc, nsOf } from './util';

interface Policy {
  o: LoadedObject;
  /** undefined: the policy does not isolate for ingress. */
  rules: { ports: { protocol: Protocol; port?: number | string; endPort?: number }[] | undefined }[];
}

function ingressPolicy(o: LoadedObject): Policy | undefined {
  const spec = rec(o.object['spec']);
  const types = arr(spec['policyTypes']).map(str);
  // Without policyTypes, a policy always isolates for ingress (and for egress only with egress rules).
  if (types.length && !types.includes('Ingress')) return undefined;
  const rules = arr(spec['ingress']).map((r) => {
    const ports = rec(r)['ports'];
    return {
      ports: ports === undefined || ports === null || (Array.isArray(ports) && ports.length === 0)
        ? undefined
        : arr(ports).map((p) => {
            const pr = rec(p);
            const port = typeof pr['port'] === 'number' ? pr['port'] : str(pr['port']);
            return { protocol: protocolOf(pr['protocol']), port, endPort: int(pr['endPort']) };
          }),
    };
  });
  return { o, rules };
}

/** A policy read once per run: its namespace, pod selector and ingress rules (undefined: not ingress). */
interface Prepared {
  ns: string;
  selector: ReturnType<typeof labelSelectorFrom>;
  ingress: Policy | undefined;
}

function prepare(o: LoadedObject): Prepared {
  return { ns: nsOf(o), selector: labelSelectorFrom(rec(o.object['spec'])['podSelector'] ?? {}), ingress: ingressPolicy(o) };
}

/** Does any rule of the policies admit traffic to this pod port (from some source)? */
function admits(policies: Policy[], pod: PodModel, num: number, protocol: Protocol): boolean {
  const names = new Set(pod.ports.filter((p) => p.containerPort === num && p.protocol === protocol && p.name).map((p) => p.name!));
  return policies.some((pol) =>
    pol.rules.some(
      (r) =>
        !r.ports ||
        r.ports.some((p) => {
          if (p.protocol !== protocol) return false;
          if (p.port === undefined) return true;
          if (typeof p.port === 'string') return /^\d+$/.test(p.port) ? Number(p.port) === num : names.has(p.port);
          return p.endPort ? num >= p.port && num <= p.endPort : num === p.port;
        }),
    ),
  );
}

/** Rule descriptions, once per policy (reports name the same policies for many Services). */
const described = new WeakMap<Policy, string>();

function describeRules(p: Policy): string {
  let text = described.get(p);
  if (text === undefined) described.set(p, (text = describe(p)));
  return text;
}

function describe(p: Policy): string {
  if (!p.rules.length) return 'no ingress rules (deny all)';
  const ports = p.rules.flatMap((r) => r.ports ?? []).map((x) => `${x.port ?? 'any'}${x.endPort ? `-${x.endPort}` : ''}/${x.protocol}`);
  return `allows only ${[...new Set(ports)].join(', ')}`;
}

export const networkPolicyCheck: Check = {
  reads: ['Pod', 'NetworkPolicy'],
  code: 'KSD701',
  id: 'network-policy-blocks-service',
  title: 'NetworkPolicy blocks the Service port',
  defaultSeverity: 'warning',
  description: 'Pods selected by an ingress NetworkPolicy accept only what its rules allow; when no rule allows the port a Service targets, connections time out (with a CNI that enforces policies).',
  run(ctx, options) {
    const out: Diagnostic[] = [];
    const policies = ctx.state.objects.filter((o) => o.kind === 'NetworkPolicy' && !o.partial).map(prepare);
    if (!policies.length) return out;
    // The ingress policies of a pod, per namespace: pods are shared by many Services.
    const memo = new Map<string, Map<PodModel, Policy[]>>();
    const ingressFor = (ns: string, pod: PodModel): Policy[] => {
      let byPod = memo.get(ns);
      if (!byPod) memo.set(ns, (byPod = new Map()));
      let pols = byPod.get(pod);
      if (!pols) {
        pols = policies.filter((p) => p.ns === ns && matchesLabelSelector(p.selector, pod.labels)).flatMap((p) => (p.ingress ? [p.ingress] : []));
        byPod.set(pod, pols);
      }
      return pols;
    };
    // Whether a pod's policies admit a port: the same for every Service that selects the pod.
    const admitted = new Map<string, Map<PodModel, boolean>>();
    const admitsCached = (ns: string, pod: PodModel, pols: Policy[], num: number, protocol: Protocol): boolean => {
      const key = `${ns}\0${num}/${protocol}`;
      let byPod = admitted.get(key);
      if (!byPod) admitted.set(key, (byPod = new Map()));
      let yes = byPod.get(pod);
      if (yes === undefined) byPod.set(pod, (yes = admits(pols, pod, num, protocol)));
      return yes;
    };
    const selecting = focusSelecting(ctx);
    for (let at_ = 0; at_ < selecting.length; at_++) {
      const svc = selecting[at_]!;
      const pods = podsFor(ctx.state, svc, options);
      if (!pods.length) continue;
      const perPod = pods.map((pod) => ({ pod, pols: pod.hostNetwork ? [] : ingressFor(svc.namespace, pod) }));
      // A pod no ingress policy selects (or a host-network pod, which policies do not cover) accepts everything.
      if (perPod.some((x) => !x.pols.length)) continue;
      for (const sp of svc.ports) {
        const blocked = perPod.every(({ pod, pols }) => {
          const num = findPort(pod, sp);
          return num === undefined ? false : !admitsCached(svc.namespace, pod, pols, num, sp.protocol);
        });
        if (!blocked) continue;
        out.push(report(svc.loaded, sp, perPod[0]!.pod, perPod[0]!.pols));
      }
    }
    return out;
  },
};

function report(svcObj: LoadedObject | undefined, sp: ServicePortModel, pod: PodModel, pols: Policy[]): Diagnostic {
  const num = findPort(pod, sp)!;
  const names = pols.map((p) => `"${p.o.name}"`).join(', ');
  const detail = pols.map((p) => `${p.o.name}: ${describeRules(p)}`).join('; ');
  const path = sp.targetPortDefaulted ? ['spec', 'ports', sp.index, 'port'] : ['spec', 'ports', sp.index, 'targetPort'];
  const related: RelatedInfo[] = pols.filter((p) => p.o.source).map((p) => ({ location: loc(p.o, rec(p.o.object['spec'])['ingress'] !== undefined ? ['spec', 'ingress'] : ['spec', 'podSelector'], 'key'), message: `NetworkPolicy "${p.o.name}" ${describeRules(p)}` }));
  return diag(svcObj, path, 'warning', 'KSD701', `NetworkPolicy ${names} selects this Service's pods for ingress but allows no traffic to port ${num}/${sp.protocol} (${detail}), so connections through the Service time out. Add an ingress rule allowing port ${num}/${sp.protocol}${typeof sp.targetPort === 'string' ? ` (or "${sp.targetPort}")` : ''} from the clients.`, { related });
}
