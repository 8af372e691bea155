/** The IPVS table as `ipvsadm -Ln` (and `--stats` / `--rate`) shows it. */
import type { RulesIssue } from '../nft/types';

export type IpvsProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface IpvsRealServer {
  address: string;
  port: number;
  /** Masq, Local, Route or Tunnel (list form only). */
  forward?: string;
  weight?: number;
  activeConn?: number;
  inactConn?: number;
  /** `--stats` / `--rate` columns by header name (Conns, InPkts... or CPS, InPPS...). */
  stats?: Record<string, number>;
  line: number;
}

export interface IpvsVirtualServer {
  protocol: IpvsProtocol | 'FWM';
  /** Empty for firewall-mark services. */
  address: string;
  port: number;
  fwmark?: number;
  scheduler?: string;
  /** Persistence timeout in seconds (`persistent N`): ClientIP session affinity. */
  persistent?: number;
  netmask?: string;
  /** Other scheduler flags as printed (`ops`, `flag-1`...). */
  flags: string[];
  stats?: Record<string, number>;
  realServers: IpvsRealServer[];
  line: number;
}

export interface IpvsTable {
  form: 'list' | 'stats' | 'rate';
  version?: string;
  virtualServers: IpvsVirtualServer[];
  issues: RulesIssue[];
}
