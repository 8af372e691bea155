/**
 * What a Service gives its clients: DNS names (cluster DNS spec) and the environment variables the
 * kubelet injects into pods started after it (pkg/kubelet/envvars: FromServices and link variables).
 */
import type { ServiceModel } from '../../core';

export const CLUSTER_DOMAIN = 'cluster.local';

export function dnsNames(svc: ServiceModel, domain = CLUSTER_DOMAIN): { names: string[]; srv: string[] } {
  const fqdn = `${svc.name}.${svc.namespace}.svc.${domain}`;
  const names = [svc.name + ' (same namespace)', `${svc.name}.${svc.namespace}`, `${svc.name}.${svc.namespace}.svc`, fqdn];
  const srv = svc.ports.filter((p) => p.name).map((p) => `_${p.name}._${p.protocol.toLowerCase()}.${fqdn}`);
  return { names, srv };
}

function envName(s: string): string {
  return s.toUpperCase().replace(/-/g, '_');
}

/** Names and values of the variables; none for headless or ExternalName Services (no cluster IP). */
export function envVariables(svc: ServiceModel): { name: string; value: string }[] {
  if (svc.headless || !svc.clusterIP || svc.type === 'ExternalName') return [];
  const prefix = envName(svc.name);
  const ip = svc.clusterIP;
  const host = ip.includes(':') ? `[${ip}]` : ip;
  const out: { name: string; value: string }[] = [{ name: `${prefix}_SERVICE_HOST`, value: ip }];
  const first = svc.ports[0];
  if (first) out.push({ name: `${prefix}_SERVICE_PORT`, value: String(first.port) });
  for (const p of svc.ports) if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
  svc.ports.forEach((p, i) => {
    const proto = p.protocol.toLowerCase();
    const url = `${proto}://${host}:${p.port}`;
    if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
    const pp = `${prefix}_PORT_${p.port}_${p.protocol}`;
    out.push({ name: pp, value: url }, { name: `${pp}_PROTO`, value: proto }, { name: `${pp}_PORT`, value: String(p.port) }, { name: `${pp}_ADDR`, value: ip });
  });
  return out;
}
