/**
 * What the nftables and IPVS renderers in src/core/proxy/<mode>/ use from src/core/rules, re-exported one
 * level up (the core's import fence allows no `../../`).
 */
export { parseNft } from '../rules/nft/parse';
export { dumpNftTable, listNftTable } from '../rules/nft/print';
export type { NftRuleset } from '../rules/nft/types';
export type { IpvsRealServer, IpvsTable, IpvsVirtualServer } from '../rules/ipvs/types';
export type { IpsetContent } from '../rules/ipvs/ipset';
export { ipvsVsKey, type IpvsDiffSide } from '../rules/ipvs/diff';
