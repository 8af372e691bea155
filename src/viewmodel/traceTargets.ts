/** The destinations and sources the trace command offers, from the cluster state. Pure. */
import { parseIP, type ClusterState } from '../core';
import type { ServiceRef } from '../protocol/webview';
import { hostPort } from './serviceView';

export interface Destination {
  label: string;
  detail: string;
  ref: ServiceRef;
  to: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** The node to trace on, for node-addressed paths. */
  node?: string;
}

export interface Source {
  label: string;
  detail: string;
  from: string;
}

/** Every way to reach each Service port: cluster IPs, node ports on each node, external IPs, LB IPs. */
export function destinations(state: ClusterState, only?: ServiceRef): Destination[] {
  const out: Destination[] = [];
  for (const svc of state.services) {
    if (only && (svc.namespace !== only.namespace || svc.name !== only.name)) continue;
    if (svc.type === 'ExternalName') continue;
    const ref = { namespace: svc.namespace, name: svc.name };
    const id = `${svc.namespace}/${svc.name}`;
    for (const p of svc.ports) {
      const port = `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol}`;
      for (const ip of svc.headless ? [] : svc.clusterIPs) out.push({ label: `${id} ${port}`, detail: `ClusterIP ${hostPort(ip, p.port)}`, ref, to: hostPort(ip, p.port), protocol: p.protocol });
      if (p.nodePort) {
        const nodes = state.nodes.length ? state.nodes : [];
        for (const n of nodes) {
          const ip = n.ips[0];
          if (ip) out.push({ label: `${id} ${port}`, detail: `NodePort ${hostPort(ip, p.nodePort)} on ${n.name}`, ref, to: hostPort(ip, p.nodePort), protocol: p.protocol, node: n.name });
        }
      }
      for (const ip of svc.externalIPs) out.push({ label: `${id} ${port}`, detail: `external IP ${hostPort(ip, p.port)}`, ref, to: hostPort(ip, p.port), protocol: p.protocol });
      for (const ing of svc.loadBalancerIngress) if (ing.ip) out.push({ label: `${id} ${port}`, detail: `LoadBalancer ${hostPort(ing.ip, p.port)}`, ref, to: hostPort(ing.ip, p.port), protocol: p.protocol });
    }
  }
  return out;
}

/** An example address outside every private range (TEST-NET-3), for "from outside the cluster". */
export const EXTERNAL_EXAMPLE = '203.0.113.10';

export function sources(state: ClusterState): Source[] {
  const out: Source[] = [];
  for (const p of state.pods) if (p.ip) out.push({ label: `pod ${p.namespace}/${p.name}`, detail: `${p.ip}${p.nodeName ? ` on ${p.nodeName}` : ''}${p.simulated ? ' [simulated]' : ''}`, from: p.ip });
  for (const n of state.nodes) {
    const ip = n.ips[0];
    if (ip) out.push({ label: `node ${n.name}`, detail: ip, from: ip });
  }
  out.push({ label: 'an external client', detail: EXTERNAL_EXAMPLE, from: EXTERNAL_EXAMPLE });
  return out;
}

/** Checks a typed ADDRESS:PORT ([v6]:port); returns an error message or undefined. */
export function validateHostPort(text: string): string | undefined {
  const t = text.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(t) ?? /^([^:[\]]+):(\d+)$/.exec(t);
  if (!m) return 'Write ADDRESS:PORT, e.g. 10.96.0.10:53 or [fd00::10]:53';
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return 'The port must be between 1 and 65535';
  return validateIP(m[1]!);
}

export function validateIP(text: string): string | undefined {
  return parseIP(text.trim()) ? undefined : 'Write an IPv4 or IPv6 address';
}
