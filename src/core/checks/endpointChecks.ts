/** KSD601-KSD603: Services whose endpoints are all unready, a single endpoint, selectorless without slices. */
import type { Diagnostic, RelatedInfo } from '../diagnostics';
import { serviceEndpoints, type ServiceEndpoints } from '../endpoints/service';
import type { ExclusionCode } from '../endpoints/controller';
import { hasPath } from '../manifest/source';
import type { ClusterState, PodModel, ServiceModel } from '../model/types';
import { focusSelecting, focusServices, podsFor } from './scope';
import { describePods } from './targetPorts';
import type { Check } from './types';
import { diag, loc, plural, related } from './util';

const NOT_READY: ReadonlySet<ExclusionCode> = new Set(['not-ready', 'readiness-gate', 'node-not-ready', 'terminating', 'no-ip', 'terminal', 'node-missing', 'not-in-slices']);

function podRelated(pod: PodModel, message: string): RelatedInfo[] {
  const o = pod.loaded;
  if (!o?.source || o.kind !== 'Pod') return [];
  const path = hasPath(o.source, ['status', 'conditions']) ? ['status', 'conditions'] : hasPath(o.source, ['status']) ? ['status'] : ['metadata', 'name'];
  return [{ location: loc(o, path, 'key'), message }];
}

/** readyPods per endpoints result (itself kept per state and Service): KSD601 and KSD602 both ask. */
const readyCache = new WeakMap<ServiceEndpoints, ReadonlySet<string>>();

/** The ready endpoints (by pod, else address) that carry at least one usable port, as endpointRows counts them. Read-only. */
export function readyPods(state: ClusterState, svc: ServiceModel): ReadonlySet<string> {
  const eps = serviceEndpoints(state, svc);
  let hit = readyCache.get(eps);
  if (!hit) readyCache.set(eps, (hit = countReady(eps)));
  return hit;
}

function countReady(eps: ServiceEndpoints): Set<string> {
  const out = new Set<string>();
  // Indexed loops without callbacks: this runs once per Service of a first analysis, unoptimised.
  for (let s = 0; s < eps.slices.length; s++) {
    const slice = eps.slices[s]!;
    if (!hasUsablePort(slice.ports ?? [])) continue;
    const endpoints = slice.endpoints ?? [];
    for (let i = 0; i < endpoints.length; i++) {
      const e = endpoints[i]!;
      if (e.conditions?.ready !== false && e.addresses[0]) out.add(e.targetRef?.name ?? e.addresses[0]);
    }
  }
  return out;
}

function hasUsablePort(ports: readonly { port?: number; name?: string }[]): boolean {
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (p.port !== undefined && p.port !== 0 && p.name !== undefined) return true;
  }
  return false;
}

export const allUnreadyCheck: Check = {
  reads: ['Pod', 'EndpointSlice', 'Node'],
  code: 'KSD601',
  id: 'no-ready-endpoints',
  title: 'Every selected pod is unready',
  defaultSeverity: 'error',
  description: 'When every pod a Service selects is excluded from its ready endpoints (not Ready, failing readiness gate, node NotReady, terminating, no IP), connections to the Service fail.',
  run(ctx, options) {
    const out: Diagnostic[] = [];
    const selecting = focusSelecting(ctx);
    for (let at_ = 0; at_ < selecting.length; at_++) {
      const svc = selecting[at_]!;
      if (svc.publishNotReadyAddresses || !svc.ports.length) continue;
      const pods = podsFor(ctx.state, svc, options);
      if (!pods.length) continue;
      const eps = serviceEndpoints(ctx.state, svc);
      if (readyPods(ctx.state, svc).size) continue;
      const reasons = new Map<PodModel, string>();
      for (const e of eps.excluded) if (NOT_READY.has(e.code) && !reasons.has(e.pod)) reasons.set(e.pod, e.reason);
      // Pods left out only for a missing named port are KSD201/KSD202's business.
      if (!pods.every((p) => reasons.has(p))) continue;
      const list = pods.slice(0, 3).map((p) => `${p.name}: ${reasons.get(p)}`);
      const more = pods.length > 3 ? `; and ${pods.length - 3} more` : '';
      out.push(
        diag(svc.loaded, ['spec', 'selector'], 'error', 'KSD601', `All ${plural(pods.length, 'pod')} this Service selects are unready, so it has no ready endpoints and connections to it fail (${list.join('; ')}${more}). Fix the pods' readiness (kubectl describe pod shows the failing probe or condition).`, {
          which: 'key',
          related: pods.slice(0, 5).flatMap((p) => podRelated(p, reasons.get(p) ?? 'unready')),
        }),
      );
    }
    return out;
  },
};

export const singleEndpointCheck: Check = {
  reads: ['Pod', 'EndpointSlice', 'Node'],
  code: 'KSD602',
  id: 'single-endpoint',
  title: 'Service has a single ready endpoint',
  defaultSeverity: 'info',
  description: 'A Service backed by one ready pod goes down with that pod (restarts, rollouts, node drains).',
  run(ctx, options) {
    const out: Diagnostic[] = [];
    const selecting = focusSelecting(ctx);
    for (let at_ = 0; at_ < selecting.length; at_++) {
      const svc = selecting[at_]!;
      // A per-pod Service (selecting one StatefulSet pod by name) is single by design.
      if (!svc.ports.length || 'statefulset.kubernetes.io/pod-name' in (svc.selector ?? {})) continue;
      const pods = podsFor(ctx.state, svc, options);
      if (!pods.length) continue;
      const ready = readyPods(ctx.state, svc);
      if (ready.size !== 1) continue;
      const who = describePods(ctx.state, pods);
      out.push(diag(svc.loaded, ['spec', 'selector'], 'info', 'KSD602', `Only one ready endpoint backs this Service (${who}${pods.length > 1 ? `; ${pods.length - 1} other selected pods are not ready` : ''}): it is unavailable whenever that pod restarts or moves. Run at least two replicas if it must stay up.`, { which: 'key' }));
    }
    return out;
  },
};

export const selectorlessCheck: Check = {
  reads: ['EndpointSlice'],
  code: 'KSD603',
  id: 'selectorless-without-endpoints',
  title: 'Selectorless Service without EndpointSlices',
  defaultSeverity: 'warning',
  description: 'A Service without a selector gets endpoints only from EndpointSlices (or Endpoints) you create; without them it has no endpoints.',
  run(ctx) {
    const out: Diagnostic[] = [];
    const services = focusServices(ctx);
    for (let at_ = 0; at_ < services.length; at_++) {
      const svc = services[at_]!;
      if (svc.type === 'ExternalName' || svc.selector) continue;
      const eps = serviceEndpoints(ctx.state, svc);
      if (eps.given.length) {
        if (eps.given.some((g) => (g.slice.endpoints ?? []).some((e) => e.addresses?.length))) continue;
        const g = eps.given[0]!;
        const at = g.mirroredFrom ?? g.loaded;
        out.push(diag(at, ['metadata', 'name'], 'warning', 'KSD603', `The ${g.mirroredFrom ? 'Endpoints object' : 'EndpointSlice'} for selectorless Service ${svc.namespace}/${svc.name} lists no addresses, so the Service has no endpoints. Add the backends' addresses.`, { related: related(svc.loaded, ['metadata', 'name'], `Service ${svc.name}`) }));
        continue;
      }
      const legacy = ctx.state.objects.find((o) => o.kind === 'Endpoints' && !o.partial && o.name === svc.name && (o.namespace ?? 'default') === svc.namespace);
      if (legacy) {
        out.push(diag(legacy, ['metadata', 'name'], 'warning', 'KSD603', `The Endpoints object for selectorless Service ${svc.namespace}/${svc.name} has no addresses in its subsets, so the Service has no endpoints. Add the backends' addresses (or an EndpointSlice).`, { related: related(svc.loaded, ['metadata', 'name'], `Service ${svc.name}`) }));
        continue;
      }
      const emptySelector = svc.loaded?.object && typeof (svc.loaded.object['spec'] as Record<string, unknown> | undefined)?.['selector'] === 'object';
      out.push(
        diag(svc.loaded, emptySelector ? ['spec', 'selector'] : ['metadata', 'name'], 'warning', 'KSD603', `Service ${svc.namespace}/${svc.name} has no selector${emptySelector ? ' (an empty selector selects nothing)' : ''} and no EndpointSlice (label kubernetes.io/service-name: ${svc.name}) or Endpoints object is given, so it has no endpoints. Add a selector matching your pods, or create an EndpointSlice for the external backends.`, { which: emptySelector ? 'key' : 'value' }),
      );
    }
    return out;
  },
};
