/** The ipvsadm table types the IPVS renderer in src/core/proxy/ipvs/ fills, re-exported one level up (the core's import fence allows no `../../`). */
export type { IpvsRealServer, IpvsTable, IpvsVirtualServer } from '../rules/ipvs/types';
