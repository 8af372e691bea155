/** Service ports as kube-proxy sees them (pkg/proxy/serviceport.go newBaseServiceInfo). */
import { formatCIDR, parseCIDR } from '../net/ip';
import { addressOfFamily } from './address';
import type { IPFamily, ServiceModel } from '../model/types';
import type { ServicePortInfo } from './types';

/** ServicePortName.String(): "ns/name", plus ":port" only for a named port. */
export function servicePortNameString(namespace: string, name: string, portName: string): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** ShouldSkipService: headless, ExternalName and address-less Services get no rules. */
export function skipReason(svc: ServiceModel): string | undefined {
  if (svc.type === 'ExternalName') return 'ExternalName Services get no proxy rules';
  if (svc.headless) return 'headless Services (clusterIP: None) get no proxy rules';
  if (!svc.clusterIP) return 'the Service has no clusterIP';
  return undefined;
}

/** api/v1/service ExternallyAccessible: LoadBalancer, NodePort, or ClusterIP with externalIPs. */
function serviceExternallyAccessible(svc: ServiceModel): boolean {
  return svc.type === 'LoadBalancer' || svc.type === 'NodePort' || (svc.type === 'ClusterIP' && svc.externalIPs.length > 0);
}

/**
 * proxyutil.IsVIPMode: an ingress IP gets rules unless its ipMode is set to something other than VIP. Before
 * 1.30 the LoadBalancerIPMode feature gate is off by default (alpha in 1.29) and IsVIPMode is true for every
 * ingress ("backwards compat"), so an ipMode: Proxy IP is still a VIP there. `minor` undefined: the newest.
 */
export function isVIPMode(ipMode: string | undefined, minor?: number): boolean {
  if (minor !== undefined && minor < 30) return true;
  return ipMode === undefined || ipMode === 'VIP';
}

/** The Service's ports for one family; [] when kube-proxy of that family skips the Service. `minor`: the kube-proxy release (default the newest). */
export function servicePortInfos(svc: ServiceModel, family: IPFamily, minor?: number): ServicePortInfo[] {
  if (skipReason(svc)) return [];
  const ofFamily = (texts: unknown[]) => {
    const out: string[] = [];
    for (const t of texts) {
      const ip = addressOfFamily(t, family);
      if (ip !== undefined) out.push(ip);
    }
    return out;
  };
  const clusterIP = ofFamily(svc.clusterIPs)[0];
  if (!clusterIP) return [];
  const externalIPs = ofFamily(svc.externalIPs);
  const loadBalancerVIPs = ofFamily(svc.loadBalancerIngress.filter((ing) => !!ing.ip && isVIPMode(ing.ipMode, minor)).map((ing) => ing.ip));
  const loadBalancerSourceRanges = svc.loadBalancerSourceRanges
    .map((r) => (typeof r === 'string' ? parseCIDR(r.trim()) : undefined))
    .filter((c) => !!c && c.family === family)
    .map((c) => formatCIDR(c!));
  const externalPolicyLocal = serviceExternallyAccessible(svc) && svc.externalTrafficPolicy === 'Local';
  const internalPolicyLocal = svc.internalTrafficPolicy === 'Local';
  const needsHealthCheck = svc.type === 'LoadBalancer' && externalPolicyLocal;
  return svc.ports.map((p) => {
    const externallyAccessible = p.nodePort !== 0 || loadBalancerVIPs.length > 0 || externalIPs.length > 0;
    return {
      service: svc,
      namespace: svc.namespace,
      name: svc.name,
      portName: p.name,
      nameString: servicePortNameString(svc.namespace, svc.name, p.name),
      protocol: p.protocol,
      family,
      clusterIP,
      port: p.port,
      nodePort: p.nodePort,
      externalIPs,
      loadBalancerVIPs,
      loadBalancerSourceRanges,
      sessionAffinity: svc.sessionAffinity,
      stickyMaxAgeSeconds: svc.sessionAffinity === 'ClientIP' ? svc.affinityTimeoutSeconds : 0,
      externalPolicyLocal,
      internalPolicyLocal,
      healthCheckNodePort: needsHealthCheck ? svc.healthCheckNodePort : 0,
      externallyAccessible,
      usesClusterEndpoints: !internalPolicyLocal || externallyAccessible,
      usesLocalEndpoints: internalPolicyLocal || (externalPolicyLocal && externallyAccessible),
    };
  });
}
