/** The ipsets the IPVS proxier fills (pkg/proxy/ipvs/ipset.go, proxier.go ipsetInfo), as `ipset save` writes them. */
import type { IPFamily } from '../coreDeps';

export type IpsetType = 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port' | 'hash:ip';

export interface IpsetDef {
  /** The IPv4 name; IPv6 sets are named KUBE-6-... */
  name: string;
  type: IpsetType;
  comment: string;
}

export const IPSETS: IpsetDef[] = [
  { name: 'KUBE-LOOP-BACK', type: 'hash:ip,port,ip', comment: 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose' },
  { name: 'KUBE-CLUSTER-IP', type: 'hash:ip,port', comment: 'Kubernetes service cluster ip + port for masquerade purpose' },
  { name: 'KUBE-EXTERNAL-IP', type: 'hash:ip,port', comment: 'Kubernetes service external ip + port for masquerade and filter purpose' },
  { name: 'KUBE-EXTERNAL-IP-LOCAL', type: 'hash:ip,port', comment: 'Kubernetes service external ip + port with externalTrafficPolicy=local' },
  { name: 'KUBE-LOAD-BALANCER', type: 'hash:ip,port', comment: 'Kubernetes service lb portal' },
  { name: 'KUBE-LOAD-BALANCER-FW', type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port for load balancer with sourceRange' },
  { name: 'KUBE-LOAD-BALANCER-LOCAL', type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local' },
  { name: 'KUBE-LOAD-BALANCER-SOURCE-IP', type: 'hash:ip,port,ip', comment: 'Kubernetes service load balancer ip + port + source IP for packet filter purpose' },
  { name: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', type: 'hash:ip,port,net', comment: 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose' },
  { name: 'KUBE-NODE-PORT-TCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port for masquerade purpose' },
  { name: 'KUBE-NODE-PORT-LOCAL-TCP', type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local' },
  { name: 'KUBE-NODE-PORT-UDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port for masquerade purpose' },
  { name: 'KUBE-NODE-PORT-LOCAL-UDP', type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local' },
  { name: 'KUBE-NODE-PORT-SCTP-HASH', type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'" },
  { name: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH', type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" },
  { name: 'KUBE-HEALTH-CHECK-NODE-PORT', type: 'bitmap:port', comment: 'Kubernetes health check node port' },
  { name: 'KUBE-IPVS-IPS', type: 'hash:ip', comment: 'Addresses on the ipvs interface' },
];

/** The sets of one proxier run: base name -> entries (ipset's entry text, e.g. `10.96.0.1,tcp:443`). */
export class IpsetState {
  readonly entries = new Map<string, Set<string>>(IPSETS.map((s) => [s.name, new Set<string>()]));
  constructor(readonly family: IPFamily) {}

  add(name: string, entry: string): void {
    this.entries.get(name)!.add(entry);
  }

  has(name: string, entry: string): boolean {
    return this.entries.get(name)?.has(entry) ?? false;
  }

  isEmpty(name: string): boolean {
    return !this.entries.get(name)?.size;
  }

  /** KUBE-6-... for IPv6 (both families' sets coexist on a dual-stack node). */
  actualName(name: string): string {
    return this.family === 'IPv6' ? name.replace(/^KUBE-/, 'KUBE-6-') : name;
  }

  /** `ipset save` form: a create line per set, then its members (sorted). */
  save(): string {
    const out: string[] = [];
    for (const def of IPSETS) {
      const name = this.actualName(def.name);
      const opts = def.type === 'bitmap:port' ? 'range 0-65535' : `family ${this.family === 'IPv4' ? 'inet' : 'inet6'} hashsize 1024 maxelem 65536`;
      out.push(`create ${name} ${def.type} ${opts} comment`);
      for (const e of [...this.entries.get(def.name)!].sort()) out.push(`add ${name} ${e}`);
    }
    return out.join('\n') + '\n';
  }
}

/** ipset entry text for hash:ip,port (and the ip,port prefix of the three-part types). */
export function ipPortEntry(ip: string, protocol: string, port: number): string {
  return `${ip},${protocol}:${port}`;
}
