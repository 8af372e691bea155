/** KSD305-KSD310: Service field combinations and values the API server rejects (ValidateService). */
import type { Diagnostic } from '../diagnostics';
import { arr, int, rec, str } from '../model/read';
import type { ServiceModel } from '../model/types';
import { focusServices } from './scope';
import type { Check, CheckContext } from './types';
import { deleteEntry, diag, fix } from './util';

function spec(svc: ServiceModel): Record<string, unknown> {
  return rec(svc.loaded?.object['spec']);
}

function each(ctx: CheckContext, fn: (svc: ServiceModel, s: Record<string, unknown>, out: Diagnostic[]) => void): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Indexed: a for-of allocates per Service while this runs unoptimised (once per check in a first analysis).
  const services = focusServices(ctx);
  for (let i = 0; i < services.length; i++) {
    const svc = services[i]!;
    if (svc.loaded) fn(svc, spec(svc), out);
  }
  return out;
}

/** apiservice.ExternallyAccessible, on the type as written. */
function externallyAccessible(svc: ServiceModel): boolean {
  return svc.type === 'LoadBalancer' || svc.type === 'NodePort' || (svc.type === 'ClusterIP' && svc.externalIPs.length > 0);
}

export const fieldForTypeCheck: Check = {
  reads: 'object',
  code: 'KSD305',
  id: 'field-not-allowed-for-type',
  title: 'Field not allowed for this Service type',
  defaultSeverity: 'error',
  description: 'externalTrafficPolicy needs an externally-accessible Service; healthCheckNodePort needs LoadBalancer with Local; loadBalancer* fields need LoadBalancer; clusterIP None is not allowed for NodePort or LoadBalancer; ExternalName Services take no clusterIP or IP families.',
  run: (ctx) =>
    each(ctx, (svc, s, out) => {
      const t = svc.type;
      const drop = (key: string, message: string) => {
        const edit = deleteEntry(svc.loaded, ['spec'], key);
        out.push(diag(svc.loaded, ['spec', key], 'error', 'KSD305', message, { which: 'key', fixes: fix(`Remove ${key}`, [edit]) }));
      };
      if (s['externalTrafficPolicy'] !== undefined && !externallyAccessible(svc)) {
        drop('externalTrafficPolicy', `externalTrafficPolicy ${String(s['externalTrafficPolicy'])} is set on a ${t} Service without externalIPs; the API server rejects it ("may only be set for externally-accessible services"). It only applies to NodePort, LoadBalancer and externalIPs traffic; for in-cluster traffic use internalTrafficPolicy.`);
      }
      const hc = int(s['healthCheckNodePort']);
      if (hc && !(t === 'LoadBalancer' && svc.externalTrafficPolicy === 'Local')) {
        drop('healthCheckNodePort', `healthCheckNodePort is set, but it may only be set when type is LoadBalancer and externalTrafficPolicy is Local; the API server rejects the Service.`);
      }
      if (t !== 'LoadBalancer') {
        if (arr(s['loadBalancerSourceRanges']).length) drop('loadBalancerSourceRanges', `loadBalancerSourceRanges may only be used when type is LoadBalancer (this Service is ${t}); the API server rejects it. To restrict clients of other Service types use a NetworkPolicy.`);
        for (const key of ['allocateLoadBalancerNodePorts', 'loadBalancerClass']) if (s[key] !== undefined && s[key] !== null) drop(key, `${key} may only be used when type is LoadBalancer (this Service is ${t}); the API server rejects it.`);
      }
      if (svc.headless && (t === 'NodePort' || t === 'LoadBalancer')) {
        out.push(diag(svc.loaded, s['clusterIP'] !== undefined ? ['spec', 'clusterIP'] : ['spec', 'clusterIPs', 0], 'error', 'KSD305', `clusterIP may not be None for ${t} Services: a headless Service has no virtual IP, so there is nothing for node ports to forward to. Remove clusterIP: None, or make the Service type ClusterIP.`));
      }
      if (t === 'ExternalName') {
        for (const key of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) {
          const v = s[key];
          if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue;
          drop(key, `${key} may not be set for ExternalName Services (they are a DNS CNAME, with no virtual IP); the API server rejects it.`);
        }
      }
    }),
};

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const externalNameCheck: Check = {
  reads: 'object',
  code: 'KSD306',
  id: 'external-name-invalid',
  title: 'ExternalName Service without a valid externalName',
  defaultSeverity: 'error',
  description: 'An ExternalName Service needs spec.externalName, a lowercase DNS name (optionally ending in a dot); the API server rejects others.',
  run: (ctx) =>
    each(ctx, (svc, s, out) => {
      if (svc.type !== 'ExternalName') return;
      const raw = str(s['externalName']) ?? '';
      const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
      if (!name) out.push(diag(svc.loaded, ['spec', 'type'], 'error', 'KSD306', 'This ExternalName Service has no externalName; the API server requires it (the DNS name the Service is an alias for, e.g. db.example.com).'));
      else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
        out.push(diag(svc.loaded, ['spec', 'externalName'], 'error', 'KSD306', `externalName "${raw}" is not a valid DNS name (lowercase letters, digits, '-' and '.'); the API server rejects it.${name.includes(':') ? ' An IP address does not work here: use a selectorless Service with an EndpointSlice instead.' : ''}`));
      } else if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) {
        out.push(diag(svc.loaded, ['spec', 'externalName'], 'warning', 'KSD306', `externalName ${raw} is an IP address: the API accepts it only as a DNS name made of digits, so cluster DNS answers with a CNAME to "${name}" that clients cannot resolve. For an IP, use a selectorless Service with an EndpointSlice instead.`));
      }
    }),
};

export const sessionAffinityCheck: Check = {
  reads: 'object',
  code: 'KSD307',
  id: 'session-affinity-config',
  title: 'Invalid session affinity settings',
  defaultSeverity: 'error',
  description: 'sessionAffinity must be None or ClientIP; timeoutSeconds must be 1-86400; sessionAffinityConfig must not be set when sessionAffinity is None.',
  run: (ctx) =>
    each(ctx, (svc, s, out) => {
      const sa = s['sessionAffinity'];
      if (sa !== undefined && sa !== 'None' && sa !== 'ClientIP') out.push(diag(svc.loaded, ['spec', 'sessionAffinity'], 'error', 'KSD307', `sessionAffinity ${JSON.stringify(sa)} is not supported: use None or ClientIP.`));
      const cfg = s['sessionAffinityConfig'];
      if (cfg !== undefined && cfg !== null && (sa === undefined || sa === 'None') && svc.type !== 'ExternalName') {
        out.push(diag(svc.loaded, ['spec', 'sessionAffinityConfig'], 'error', 'KSD307', 'sessionAffinityConfig is set but sessionAffinity is None; the API server rejects it. Set sessionAffinity: ClientIP, or remove sessionAffinityConfig.', { which: 'key', fixes: fix('Remove sessionAffinityConfig', [deleteEntry(svc.loaded, ['spec'], 'sessionAffinityConfig')]) }));
      }
      const tRaw = rec(rec(cfg)['clientIP'])['timeoutSeconds'];
      if (sa === 'ClientIP' && tRaw !== undefined) {
        const t = typeof tRaw === 'number' ? tRaw : NaN;
        if (!(Number.isInteger(t) && t >= 1 && t <= 86400)) out.push(diag(svc.loaded, ['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'], 'error', 'KSD307', `timeoutSeconds ${JSON.stringify(tRaw)} is out of range: it must be an integer from 1 to 86400 (one day); the API server rejects the Service.`));
      }
    }),
};

export const headlessAffinityCheck: Check = {
  reads: 'object',
  code: 'KSD308',
  id: 'headless-session-affinity',
  title: 'Session affinity on a headless Service has no effect',
  defaultSeverity: 'warning',
  description: 'kube-proxy does not handle headless Services (clients connect to pod IPs from DNS), so sessionAffinity ClientIP does nothing there.',
  run: (ctx) =>
    each(ctx, (svc, s, out) => {
      if (svc.headless && svc.type === 'ClusterIP' && s['sessionAffinity'] === 'ClientIP') {
        out.push(diag(svc.loaded, ['spec', 'sessionAffinity'], 'warning', 'KSD308', 'sessionAffinity ClientIP has no effect on a headless Service (clusterIP: None): there is no virtual IP, so kube-proxy never sees the traffic; clients pick a pod IP from DNS themselves. Give the Service a clusterIP if you need affinity.'));
      }
    }),
};

export const missingPortsCheck: Check = {
  reads: 'object',
  code: 'KSD309',
  id: 'service-without-ports',
  title: 'Service without ports',
  defaultSeverity: 'error',
  description: 'A Service that is neither headless nor ExternalName needs at least one port; the API server rejects it.',
  run: (ctx) =>
    each(ctx, (svc, s, out) => {
      if (svc.type === 'ExternalName' || svc.headless || arr(s['ports']).length) return;
      out.push(diag(svc.loaded, s['ports'] !== undefined ? ['spec', 'ports'] : ['spec'], 'error', 'KSD309', 'This Service has no ports; the API server requires at least one unless the Service is headless (clusterIP: None) or ExternalName. Add spec.ports with the port clients use and the targetPort the pods listen on.', { which: 'key' }));
    }),
};

const ENUMS: Record<string, string[]> = {
  type: ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'],
  externalTrafficPolicy: ['Cluster', 'Local'],
  internalTrafficPolicy: ['Cluster', 'Local'],
  trafficDistribution: ['PreferClose', 'PreferSameZone', 'PreferSameNode'],
};
/** ENUMS as pairs, made once (not an Object.entries array per Service). */
const ENUM_ENTRIES = Object.entries(ENUMS);

export const enumValueCheck: Check = {
  reads: 'object',
  code: 'KSD310',
  id: 'unsupported-value',
  title: 'Unsupported Service field value',
  defaultSeverity: 'error',
  description: 'type, externalTrafficPolicy, internalTrafficPolicy and trafficDistribution accept a fixed set of values (case-sensitive).',
  run: (ctx) =>
    each(ctx, (svc, s, out) => {
      for (let e = 0; e < ENUM_ENTRIES.length; e++) {
        const [key, allowed] = ENUM_ENTRIES[e]!;
        const v = s[key];
        if (v === undefined || v === null || allowed.includes(String(v))) continue;
        const near = allowed.find((a) => a.toLowerCase() === String(v).toLowerCase());
        out.push(diag(svc.loaded, ['spec', key], 'error', 'KSD310', `${key} ${JSON.stringify(v)} is not supported: use ${allowed.join(', ')}${near ? ` (did you mean ${near}?)` : ''}.`));
      }
    }),
};
