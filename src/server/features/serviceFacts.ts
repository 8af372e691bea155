/** What a Service gives its clients, from the core's DNS and env engines: names to show in a hover. */
import { clusterZone, hasClusterIP, serviceName, varsForService, type ServiceModel } from '../../core';

export function dnsNames(svc: ServiceModel): { names: string[]; srv: string[] } {
  const fqdn = serviceName(svc, clusterZone()).replace(/\.$/, '');
  const names = [`${svc.name} (same namespace)`, `${svc.name}.${svc.namespace}`, `${svc.name}.${svc.namespace}.svc`, fqdn];
  const srv = svc.ports.filter((p) => p.name).map((p) => `_${p.name}._${p.protocol.toLowerCase()}.${fqdn}`);
  return { names, srv };
}

/** The variables kubelet writes for this Service (none without a cluster IP). */
export function envVariables(svc: ServiceModel): { name: string; value: string }[] {
  return hasClusterIP(svc) ? varsForService(svc) : [];
}
