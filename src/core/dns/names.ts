/** DNS name helpers: normalising, reverse names, and the names CoreDNS gives endpoints and pods. */
import { formatIP, parseIP } from '../net/ip';
import type { ServiceModel } from '../model/types';
import { DEFAULT_CLUSTER_DOMAIN, type DnsOptions } from './types';

/** Lower-cased, absolute (trailing dot) form of a name. DNS compares names case-insensitively. */
export function absolute(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/** The cluster zone as an absolute name, e.g. `cluster.local.`. */
export function clusterZone(options: DnsOptions = {}): string {
  const z = (options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN).trim().replace(/^\.+|\.+$/g, '');
  return absolute(z || DEFAULT_CLUSTER_DOMAIN);
}

export function serviceName(svc: { name: string; namespace: string }, zone: string): string {
  return `${svc.name}.${svc.namespace}.svc.${zone}`.toLowerCase();
}

/** Labels of `name` below `zone` (both absolute), or undefined when the name is not inside the zone. */
export function labelsBelow(name: string, zone: string): string[] | undefined {
  if (name === zone) return [];
  if (!name.endsWith(`.${zone}`)) return undefined;
  const rest = name.slice(0, name.length - zone.length - 1);
  return rest.split('.');
}

/**
 * The hostname CoreDNS gives an endpoint (endpointHostname): its `hostname`, else (with endpoint_pod_names)
 * its pod's name, else the address with `.`/`:` replaced by `-`.
 */
export function endpointHostname(ip: string, hostname: string | undefined, podName: string | undefined, options: DnsOptions = {}): string {
  if (hostname) return hostname;
  if (options.endpointPodNames && podName && podName.length < 64) return podName;
  if (ip.includes('.')) return ip.replace(/\./g, '-');
  if (ip.includes(':')) return ip.replace(/:/g, '-');
  return '';
}

/** The address a `a-b-c-d` (or dashed IPv6) pod label stands for, as CoreDNS reads it; undefined if none. */
export function podLabelIP(label: string): string | undefined {
  const dashes = (label.match(/-/g) ?? []).length;
  const text = dashes === 3 && !label.includes('--') ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
  const ip = parseIP(text);
  return ip ? formatIP(ip) : undefined;
}

/** `d.c.b.a.in-addr.arpa.` / nibble-reversed `ip6.arpa.` name of an address. */
export function reverseName(ip: string): string | undefined {
  const p = parseIP(ip);
  if (!p) return undefined;
  if (p.family === 'IPv4') return `${formatIP(p).split('.').reverse().join('.')}.in-addr.arpa.`;
  const hex = p.value.toString(16).padStart(32, '0');
  return `${hex.split('').reverse().join('.')}.ip6.arpa.`;
}

/** The address a reverse name stands for (the inverse of reverseName). */
export function reverseToIP(name: string): string | undefined {
  const n = absolute(name);
  let m = /^((?:\d{1,3}\.){4})in-addr\.arpa\.$/.exec(n);
  if (m) {
    const ip = m[1]!.slice(0, -1).split('.').reverse().join('.');
    return parseIP(ip) ? formatIP(parseIP(ip)!) : undefined;
  }
  m = /^((?:[0-9a-f]\.){32})ip6\.arpa\.$/.exec(n);
  if (m) {
    const hex = m[1]!.replace(/\./g, '').split('').reverse().join('');
    return formatIP({ family: 'IPv6', value: BigInt(`0x${hex}`) });
  }
  return undefined;
}

/** True for a Service that has a cluster IP (not headless, not ExternalName): kubelet's IsServiceIPSet. */
export function hasClusterIP(svc: ServiceModel): boolean {
  return svc.type !== 'ExternalName' && !svc.headless && svc.clusterIP !== '' && svc.clusterIP !== 'None';
}

/** True when `host` is a name CoreDNS answers with a CNAME (an address makes no CNAME). */
export function isDomainName(host: string): boolean {
  return host !== '' && !parseIP(host) && /^[A-Za-z0-9_*]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/.test(host) && host.length <= 253;
}
