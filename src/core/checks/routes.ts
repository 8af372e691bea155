/** KSD501-KSD503: Ingress backends and Gateway API route backendRefs that name a missing Service or port. */
import type { Diagnostic, Fix } from '../diagnostics';
import type { LoadedObject } from '../manifest/load';
import { arr, rec, str } from '../model/read';
import type { ClusterState, ServiceModel } from '../model/types';
import { inFocus } from './scope';
import type { Check } from './types';
import { closeEnough, diag, fix, nsOf, related, replaceValue, type Path } from './util';

interface BackendRef {
  from: LoadedObject;
  what: string;
  namespace: string;
  name: string;
  namePath: Path;
  /** Port number or name, with its path; undefined when not given. */
  port?: { value: number | string; path: Path };
  portPath: Path;
  /** Gateway routes require a port for Service backends. */
  portRequired: boolean;
}

function ingressRefs(o: LoadedObject): BackendRef[] {
  const out: BackendRef[] = [];
  const ns = nsOf(o);
  const add = (b: unknown, path: (string | number)[], where: string) => {
    const r = rec(b);
    const svc = rec(r['service']);
    if (r['service'] !== undefined) {
      const name = str(svc['name']);
      if (!name) return;
      const port = rec(svc['port']);
      const num = port['number'];
      const pname = str(port['name']);
      const value = typeof num === 'number' ? num : pname;
      const key = typeof num === 'number' ? 'number' : 'name';
      out.push({ from: o, what: `Ingress "${o.name}" ${where}`, namespace: ns, name, namePath: [...path, 'service', 'name'], port: value !== undefined ? { value, path: [...path, 'service', 'port', key] } : undefined, portPath: [...path, 'service'], portRequired: true });
    } else if (r['serviceName'] !== undefined) {
      // extensions/v1beta1 and networking.k8s.io/v1beta1 backends.
      const name = str(r['serviceName']);
      if (!name) return;
      const sp = r['servicePort'];
      const value = typeof sp === 'number' ? sp : str(sp);
      out.push({ from: o, what: `Ingress "${o.name}" ${where}`, namespace: ns, name, namePath: [...path, 'serviceName'], port: value !== undefined ? { value, path: [...path, 'servicePort'] } : undefined, portPath: [...path, 'servicePort'], portRequired: false });
    }
  };
  const spec = rec(o.object['spec']);
  if (spec['defaultBackend'] !== undefined) add(spec['defaultBackend'], ['spec', 'defaultBackend'], 'default backend');
  if (spec['backend'] !== undefined) add(spec['backend'], ['spec', 'backend'], 'default backend');
  arr(spec['rules']).forEach((rule, i) => {
    const host = str(rec(rule)['host']);
    arr(rec(rec(rule)['http'])['paths']).forEach((p, j) => {
      const pathText = str(rec(p)['path']) ?? '/';
      add(rec(p)['backend'], ['spec', 'rules', i, 'http', 'paths', j, 'backend'], `backend for ${host ?? '*'}${pathText}`);
    });
  });
  return out;
}

function routeRefs(o: LoadedObject): BackendRef[] {
  const out: BackendRef[] = [];
  arr(rec(o.object['spec'])['rules']).forEach((rule, i) => {
    arr(rec(rule)['backendRefs']).forEach((b, j) => {
      const r = rec(b);
      const group = str(r['group']) ?? '';
      const kind = str(r['kind']) ?? 'Service';
      const name = str(r['name']);
      if (group !== '' || kind !== 'Service' || !name) return;
      const path = ['spec', 'rules', i, 'backendRefs', j];
      const port = r['port'];
      out.push({
        from: o,
        what: `${o.kind} "${o.name}" rules[${i}].backendRefs[${j}]`,
        namespace: str(r['namespace']) ?? nsOf(o),
        name,
        namePath: [...path, 'name'],
        port: typeof port === 'number' ? { value: port, path: [...path, 'port'] } : undefined,
        portPath: path,
        portRequired: true,
      });
    });
  });
  return out;
}

function allRefs(state: ClusterState): BackendRef[] {
  return [...state.ingresses.filter((o) => !o.partial).flatMap(ingressRefs), ...state.routes.flatMap(routeRefs)];
}

function findService(state: ClusterState, ref: BackendRef): ServiceModel | undefined {
  return state.services.find((s) => s.namespace === ref.namespace && s.name === ref.name);
}

export const missingBackendServiceCheck: Check = {
  reads: ['Service'],
  scope: 'cluster',
  code: 'KSD501',
  id: 'backend-service-missing',
  title: 'Ingress or route backend names a missing Service',
  defaultSeverity: 'warning',
  description: 'An Ingress backend or Gateway API backendRef naming a Service that is not in the inputs (in the backend namespace) gets no traffic: controllers answer 503 or 500.',
  run(ctx) {
    const out: Diagnostic[] = [];
    const seen = new Set(ctx.state.objects.map(nsOf));
    for (const ref of allRefs(ctx.state)) {
      if (!inFocus(ctx, ref.from)) continue;
      if (findService(ctx.state, ref)) continue;
      // A backend in a namespace none of the inputs belong to is out of view, not known to be missing.
      if (ref.namespace !== nsOf(ref.from) && !seen.has(ref.namespace)) continue;
      const inNs = ctx.state.services.filter((s) => s.namespace === ref.namespace);
      const near = inNs.find((s) => closeEnough(ref.name, s.name));
      const elsewhere = ctx.state.services.find((s) => s.name === ref.name);
      const fixes: Fix[] = near ? fix(`Use Service "${near.name}"`, [replaceValue(ref.from, ref.namePath, near.name)], true) : [];
      const hint = near ? ` Did you mean "${near.name}"?` : elsewhere ? ` A Service "${ref.name}" exists in namespace "${elsewhere.namespace}", but ${ref.portRequired ? 'the backendRef points at namespace ' + `"${ref.namespace}" (set backendRefs[].namespace and add a ReferenceGrant)` : `an Ingress can only route to Services in its own namespace ("${ref.namespace}")`}.` : inNs.length ? ` Services in "${ref.namespace}": ${servicesList(inNs.map((s) => s.name))}.` : '';
      out.push(diag(ref.from, ref.namePath, 'warning', 'KSD501', `${ref.what} sends traffic to Service "${ref.name}", which does not exist in namespace "${ref.namespace}", so those requests fail (503/500 from the controller).${hint}`, { fixes, related: near ? related(near.loaded, ['metadata', 'name'], `Service "${near.name}"`) : [] }));
    }
    return out;
  },
};

export const backendPortCheck: Check = {
  reads: ['Service'],
  scope: 'cluster',
  code: 'KSD502',
  id: 'backend-port-missing',
  title: 'Ingress or route backend names a port the Service does not have',
  defaultSeverity: 'error',
  description: 'The backend port must be one of the Service ports (port number or port name, not the targetPort); Gateway API backendRefs to a Service must give a port.',
  run(ctx) {
    const out: Diagnostic[] = [];
    for (const ref of allRefs(ctx.state)) {
      if (!inFocus(ctx, ref.from)) continue;
      const svc = findService(ctx.state, ref);
      if (!svc || svc.type === 'ExternalName') continue;
      if (!ref.port) {
        if (ref.portRequired) out.push(diag(ref.from, ref.portPath, 'error', 'KSD502', `${ref.what} names Service "${svc.name}" without a port; ${ref.from.kind === 'Ingress' ? 'an Ingress service backend needs port.number or port.name' : 'Gateway API requires a port for Service backends'} (one of: ${svc.ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(', ')}).`, { which: 'key' }));
        continue;
      }
      const v = ref.port.value;
      const hit = typeof v === 'number' ? svc.ports.some((p) => p.port === v) : svc.ports.some((p) => p.name === v);
      if (hit) continue;
      const list = svc.ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(', ');
      let fixes: Fix[] = [];
      let hint = '';
      if (typeof v === 'number') {
        const byTarget = svc.ports.find((p) => p.targetPort === v);
        if (byTarget) hint = ` ${v} is the targetPort of Service port ${byTarget.port}; backends use the Service port.`;
        const to = byTarget ?? (svc.ports.length === 1 ? svc.ports[0] : undefined);
        if (to) fixes = fix(`Use Service port ${to.port}`, [replaceValue(ref.from, ref.port.path, to.port, false)], true);
      } else {
        const near = svc.ports.find((p) => p.name && closeEnough(v, p.name)) ?? (svc.ports.length === 1 && svc.ports[0]!.name ? svc.ports[0] : undefined);
        if (near) fixes = fix(`Use port "${near.name}"`, [replaceValue(ref.from, ref.port.path, near.name)], true);
      }
      out.push(diag(ref.from, ref.port.path, 'error', 'KSD502', `${ref.what} uses port ${typeof v === 'number' ? v : `"${v}"`} of Service "${svc.name}", which has no such port (its ports: ${list || 'none'}), so the backend gets no traffic.${hint}`, { fixes, related: related(svc.loaded, ['spec', 'ports'], `Service "${svc.name}" ports`) }));
    }
    return out;
  },
};

function granted(state: ClusterState, ref: BackendRef): boolean {
  return state.objects.some((o) => {
    if (o.kind !== 'ReferenceGrant' || o.partial || nsOf(o) !== ref.namespace) return false;
    const spec = rec(o.object['spec']);
    const fromOk = arr(spec['from']).some((f) => str(rec(f)['kind']) === ref.from.kind && str(rec(f)['namespace']) === nsOf(ref.from) && (str(rec(f)['group']) ?? '') === 'gateway.networking.k8s.io');
    const toOk = arr(spec['to']).some((t) => (str(rec(t)['group']) ?? '') === '' && str(rec(t)['kind']) === 'Service' && (str(rec(t)['name']) === undefined || str(rec(t)['name']) === ref.name));
    return fromOk && toOk;
  });
}

export const referenceGrantCheck: Check = {
  reads: ['Service', 'ReferenceGrant'],
  scope: 'cluster',
  code: 'KSD503',
  id: 'cross-namespace-backend-not-granted',
  title: 'Cross-namespace backendRef without a ReferenceGrant',
  defaultSeverity: 'warning',
  description: 'A Gateway API route may reference a Service in another namespace only when a ReferenceGrant in that namespace allows it; otherwise the reference is refused (ResolvedRefs=False, RefNotPermitted).',
  run(ctx) {
    const out: Diagnostic[] = [];
    for (const ref of ctx.state.routes.flatMap(routeRefs)) {
      if (!inFocus(ctx, ref.from)) continue;
      if (ref.namespace === nsOf(ref.from) || !findService(ctx.state, ref) || granted(ctx.state, ref)) continue;
      const ns = ref.namePath.slice(0, -1);
      out.push(diag(ref.from, [...ns, 'namespace'], 'warning', 'KSD503', `${ref.what} points at Service "${ref.name}" in namespace "${ref.namespace}", but no ReferenceGrant in "${ref.namespace}" allows ${ref.from.kind}s from "${nsOf(ref.from)}" to reference it, so the gateway refuses the reference (RefNotPermitted). Add a ReferenceGrant in "${ref.namespace}".`));
    }
    return out;
  },
};

/** Up to five Service names, sorted, and how many more there are ("a, b, c, d, e and 4 more"). */
function servicesList(names: string[]): string {
  const sorted = [...names].sort();
  const more = sorted.length - 5;
  return `${sorted.slice(0, 5).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}
