/**
 * Drift between a Service in a manifest and the live Service it describes: selector, ports, type
 * and traffic policies. Both sides go through the same API defaulting (serviceFrom), so a field the
 * manifest leaves out is compared with its default, not reported as a difference; fields the API
 * server assigns (clusterIP, nodePort) are compared only when the manifest sets them.
 */
import { formatSelector, rangeOf, serviceFrom, type ClusterState, type Diagnostic, type LoadedObject, type PathSegment, type ServiceModel, type ServicePortModel } from '../core';

export const DRIFT_CODE = 'KSD801';
export const NOT_DEPLOYED_CODE = 'KSD802';

interface Difference {
  path: PathSegment[];
  message: string;
}

export function serviceDrift(manifest: LoadedObject, live: ClusterState, context: string, defaultNamespace = 'default'): Diagnostic[] {
  const src = manifest.source;
  if (!src || manifest.partial || manifest.kind !== 'Service') return [];
  const want = serviceFrom(manifest, defaultNamespace);
  const have = live.services.find((s) => s.namespace === want.namespace && s.name === want.name);
  const ref = `${want.namespace}/${want.name}`;
  if (!have) {
    return [
      {
        file: src.file,
        range: rangeOf(src, ['metadata', 'name']),
        severity: 'info',
        code: NOT_DEPLOYED_CODE,
        message: `Service ${ref} does not exist in the cluster of context "${context}" (not applied yet, or another namespace).`,
      },
    ];
  }
  return differences(want, have).map((d) => ({
    file: src.file,
    range: rangeOf(src, d.path, 'value'),
    severity: 'warning',
    code: DRIFT_CODE,
    message: `Differs from the live Service ${ref} in context "${context}": ${d.message}`,
  }));
}

function q(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : String(v);
}

export function differences(want: ServiceModel, have: ServiceModel): Difference[] {
  const out: Difference[] = [];
  if (want.type !== have.type) out.push({ path: ['spec', 'type'], message: `type is ${have.type} in the cluster, ${want.type} here.` });
  if (!sameMap(want.selector, have.selector)) {
    out.push({ path: ['spec', 'selector'], message: `selector is ${have.selector ? formatSelector(have.selector) : '(none)'} in the cluster, ${want.selector ? formatSelector(want.selector) : '(none)'} here.` });
  }
  if (!want.clusterIPAssigned && want.clusterIP && want.clusterIP !== have.clusterIP) {
    out.push({ path: ['spec', 'clusterIP'], message: `clusterIP is ${have.clusterIP} in the cluster, ${want.clusterIP} here.` });
  }
  const external = (s: ServiceModel) => s.type === 'NodePort' || s.type === 'LoadBalancer';
  if (external(want) && external(have) && want.externalTrafficPolicy !== have.externalTrafficPolicy) {
    out.push({ path: ['spec', 'externalTrafficPolicy'], message: `externalTrafficPolicy is ${have.externalTrafficPolicy} in the cluster, ${want.externalTrafficPolicy} here.` });
  }
  if (want.type !== 'ExternalName' && want.internalTrafficPolicy !== have.internalTrafficPolicy) {
    out.push({ path: ['spec', 'internalTrafficPolicy'], message: `internalTrafficPolicy is ${have.internalTrafficPolicy} in the cluster, ${want.internalTrafficPolicy} here.` });
  }
  if (want.sessionAffinity !== have.sessionAffinity) out.push({ path: ['spec', 'sessionAffinity'], message: `sessionAffinity is ${have.sessionAffinity} in the cluster, ${want.sessionAffinity} here.` });
  out.push(...portDifferences(want, have));
  return out;
}

function portKey(p: ServicePortModel, all: ServicePortModel[]): string {
  return p.name || (all.length === 1 ? '' : `#${p.port}/${p.protocol}`);
}

function portDifferences(want: ServiceModel, have: ServiceModel): Difference[] {
  const out: Difference[] = [];
  const haveByKey = new Map(have.ports.map((p) => [portKey(p, have.ports), p]));
  const label = (p: ServicePortModel) => (p.name ? `port "${p.name}"` : `port ${p.port}/${p.protocol}`);
  for (const w of want.ports) {
    const h = haveByKey.get(portKey(w, want.ports));
    haveByKey.delete(portKey(w, want.ports));
    const base: PathSegment[] = ['spec', 'ports', w.index];
    if (!h) {
      out.push({ path: base, message: `${label(w)} is not on the live Service.` });
      continue;
    }
    if (w.port !== h.port) out.push({ path: [...base, 'port'], message: `${label(w)} is ${h.port} in the cluster, ${w.port} here.` });
    if (w.protocol !== h.protocol) out.push({ path: [...base, 'protocol'], message: `${label(w)} protocol is ${h.protocol} in the cluster, ${w.protocol} here.` });
    if (String(w.targetPort) !== String(h.targetPort)) out.push({ path: [...base, 'targetPort'], message: `${label(w)} targetPort is ${q(h.targetPort)} in the cluster, ${q(w.targetPort)} here.` });
    if (!w.nodePortAssigned && w.nodePort && w.nodePort !== h.nodePort) out.push({ path: [...base, 'nodePort'], message: `${label(w)} nodePort is ${h.nodePort || '(none)'} in the cluster, ${w.nodePort} here.` });
  }
  for (const h of haveByKey.values()) out.push({ path: ['spec', 'ports'], message: `the live Service has ${label(h)} (${h.port}/${h.protocol}), which is not here.` });
  return out;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  const bk = Object.keys(b ?? {});
  return ak.length === bk.length && ak.every((k) => (a ?? {})[k] === (b ?? {})[k]);
}
