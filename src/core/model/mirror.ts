/** The EndpointSlice mirroring controller: legacy Endpoints of selectorless Services become slices. */
import type { LoadedObject } from '../manifest/load';
import { ipFamily } from '../net/ip';
import type { V1Endpoint, V1EndpointSlice } from './k8s';
import { arr, dig, int, rec, str } from './read';
import type { GivenSlice, ServiceModel } from './types';

/** Endpoints carrying this label set to "true" are never mirrored. */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

/**
 * The mirroring controller mirrors an Endpoints object only when its Service exists, has no selector, and
 * the Endpoints is not labelled skip-mirror; the slices carry the Endpoints' own labels.
 */
export function shouldMirror(o: LoadedObject, svc: ServiceModel | undefined): boolean {
  return !!svc && !svc.selector && dig(o.object, 'metadata', 'labels', SKIP_MIRROR_LABEL) !== 'true';
}

export function mirrorEndpoints(o: LoadedObject, svc: ServiceModel | undefined): GivenSlice[] {
  const out: GivenSlice[] = [];
  if (!shouldMirror(o, svc)) return out;
  const ownLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(dig(o.object, 'metadata', 'labels')))) {
    const s = str(v);
    if (s !== undefined && k !== SKIP_MIRROR_LABEL) ownLabels[k] = s;
  }
  arr(o.object['subsets']).forEach((subset, si) => {
    const s = rec(subset);
    const ports = arr(s['ports']).map((p) => {
      const r = rec(p);
      return { name: str(r['name']) ?? '', port: int(r['port']), protocol: str(r['protocol']) ?? 'TCP', appProtocol: str(r['appProtocol']) };
    });
    const byFamily = new Map<string, V1Endpoint[]>();
    const add = (a: unknown, ready: boolean) => {
      const r = rec(a);
      const ip = str(r['ip']);
      const fam = ip ? ipFamily(ip) : undefined;
      if (!ip || !fam) return;
      const target = rec(r['targetRef']);
      const ep: V1Endpoint = {
        addresses: [ip],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: str(r['nodeName']),
        hostname: str(r['hostname']),
        targetRef: target['name'] ? { kind: str(target['kind']), name: str(target['name']), namespace: str(target['namespace']) } : undefined,
      };
      const list = byFamily.get(fam) ?? [];
      list.push(ep);
      byFamily.set(fam, list);
    };
    for (const a of arr(s['addresses'])) add(a, true);
    for (const a of arr(s['notReadyAddresses'])) add(a, false);
    for (const [fam, endpoints] of byFamily) {
      out.push({
        slice: {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          addressType: fam,
          metadata: {
            name: `${o.name}-mirror-${si}-${fam.toLowerCase()}`,
            namespace: o.namespace ?? svc?.namespace ?? 'default',
            labels: { ...ownLabels, 'kubernetes.io/service-name': o.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
          },
          endpoints,
          ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol, appProtocol: p.appProtocol })),
        },
        mirroredFrom: o,
        loaded: o,
      });
    }
  });
  return out;
}

/** A given EndpointSlice with every field type-checked (wrong types read as absent). */
export function normalizeSlice(raw: Record<string, unknown>): V1EndpointSlice {
  const meta = rec(raw['metadata']);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(meta['labels']))) if (str(v) !== undefined) labels[k] = str(v)!;
  const cond = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: str(raw['addressType']) ?? 'IPv4',
    metadata: { name: str(meta['name']), namespace: str(meta['namespace']), labels },
    endpoints: arr(raw['endpoints']).map((e) => {
      const r = rec(e);
      const c = rec(r['conditions']);
      const hints = rec(r['hints']);
      const target = rec(r['targetRef']);
      return {
        addresses: arr(r['addresses']).map(str).filter((a): a is string => !!a),
        conditions: { ready: cond(c['ready']), serving: cond(c['serving']), terminating: cond(c['terminating']) },
        nodeName: str(r['nodeName']),
        zone: str(r['zone']),
        hostname: str(r['hostname']),
        targetRef: target['name'] !== undefined ? { kind: str(target['kind']), name: str(target['name']), namespace: str(target['namespace']) } : undefined,
        hints: r['hints'] !== undefined
          ? {
              forZones: arr(hints['forZones']).map((z) => ({ name: str(rec(z)['name']) ?? '' })),
              forNodes: arr(hints['forNodes']).map((z) => ({ name: str(rec(z)['name']) ?? '' })),
            }
          : undefined,
      };
    }),
    ports: raw['ports'] === undefined ? undefined : arr(raw['ports']).map((p) => {
      const r = rec(p);
      return { name: r['name'] === undefined || r['name'] === null ? undefined : str(r['name']), port: int(r['port']), protocol: str(r['protocol']) ?? 'TCP', appProtocol: str(r['appProtocol']) };
    }),
  };
}
