/**
 * The Service environment variables kubelet gives a container (pkg/kubelet: getServiceEnvVarMap and
 * envvars.FromServices): `{SVC}_SERVICE_HOST`, `{SVC}_SERVICE_PORT[_{PORT}]` and the Docker-links
 * `{SVC}_PORT*` family, for the Services of the pod's namespace plus the master `default/kubernetes`.
 */
import { servicesWithMaster, MASTER_SERVICE } from '../model/master';
import type { ClusterState, ObjRef, ServiceModel } from '../model/types';
import { arr, rec, str } from '../model/read';
import { joinHostPort } from '../net/ip';

export interface ServiceEnvVar {
  name: string;
  value: string;
  service: ObjRef;
}

export interface ServiceEnv {
  namespace: string;
  enableServiceLinks: boolean;
  /** In kubelet's order within each Service; Services by name (kubelet passes a map, so its order across Services varies). */
  vars: ServiceEnvVar[];
  /** The Services that contributed, in the order used. */
  services: ObjRef[];
  /** Names two Services both produce: kubelet keeps one of them, whichever it happens to write last. */
  conflicts: { name: string; services: ObjRef[] }[];
  /** Service variables a container defines itself: the container's value wins. */
  shadowed: { name: string; container: string }[];
  /** True when `default/kubernetes` was not given and was assumed (every cluster has it). */
  assumedMaster: boolean;
}

/** makeEnvVariableName: upper case, `-` to `_`. */
export function envName(name: string): string {
  return name.replace(/-/g, '_').toUpperCase();
}

/** The Services kubelet projects into a pod of `namespace` (IsServiceIPSet ones only). */
export function envServices(state: ClusterState, namespace: string, enableServiceLinks: boolean): { services: ServiceModel[]; assumedMaster: boolean } {
  const { services, assumedMaster } = servicesWithMaster(state);
  const byName = new Map<string, ServiceModel>();
  const hasIP = (s: ServiceModel) => s.type !== 'ExternalName' && !s.headless && s.clusterIP !== '' && s.clusterIP !== 'None';
  // The master Service is added even without service links, unless the pod's own namespace has one of that name.
  const master = services.find((s) => s.namespace === MASTER_SERVICE.namespace && s.name === MASTER_SERVICE.name);
  if (master && hasIP(master)) byName.set(master.name, master);
  if (enableServiceLinks) for (const s of services) if (s.namespace === namespace && hasIP(s)) byName.set(s.name, s);
  const chosen = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { services: chosen, assumedMaster: !!assumedMaster && chosen.includes(assumedMaster) };
}

/** envvars.FromServices for one Service. */
export function varsForService(svc: ServiceModel): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  const prefix = envName(svc.name);
  const ip = svc.clusterIP;
  out.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
  const first = svc.ports[0];
  // The API server requires a port for such a Service; without one kubelet would have nothing to write.
  if (!first) return out;
  out.push({ name: `${prefix}_SERVICE_PORT`, value: String(first.port) });
  for (const p of svc.ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
  svc.ports.forEach((p, i) => {
    const proto = p.protocol.toLowerCase();
    const url = `${proto}://${joinHostPort(ip, p.port)}`;
    if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
    const pp = `${prefix}_PORT_${p.port}_${p.protocol.toUpperCase()}`;
    out.push({ name: pp, value: url }, { name: `${pp}_PROTO`, value: proto }, { name: `${pp}_PORT`, value: String(p.port) }, { name: `${pp}_ADDR`, value: ip });
  });
  return out;
}

export function serviceEnv(state: ClusterState, namespace: string, enableServiceLinks = true, podSpec: Record<string, unknown> = {}): ServiceEnv {
  const { services, assumedMaster } = envServices(state, namespace, enableServiceLinks);
  const vars: ServiceEnvVar[] = [];
  const owners = new Map<string, ObjRef[]>();
  for (const svc of services) {
    const ref = { namespace: svc.namespace, name: svc.name };
    for (const v of varsForService(svc)) {
      const list = owners.get(v.name);
      if (list) {
        list.push(ref);
        continue;
      }
      owners.set(v.name, [ref]);
      vars.push({ ...v, service: ref });
    }
  }
  const conflicts = [...owners].filter(([, refs]) => refs.length > 1).map(([name, refs]) => ({ name, services: refs }));
  const shadowed: ServiceEnv['shadowed'] = [];
  for (const c of [...arr(podSpec['initContainers']), ...arr(podSpec['containers'])]) {
    const container = str(rec(c)['name']) ?? '';
    for (const e of arr(rec(c)['env'])) {
      const name = str(rec(e)['name']);
      if (name && owners.has(name) && !shadowed.some((s) => s.name === name && s.container === container)) shadowed.push({ name, container });
    }
  }
  return { namespace, enableServiceLinks, vars, services: services.map((s) => ({ namespace: s.namespace, name: s.name })), conflicts, shadowed, assumedMaster };
}
