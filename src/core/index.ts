/** The core's public surface: the only import path other layers use. Pure: no vscode, LSP or node:. */
export * from './diagnostics';
export * from './yaml/lineIndex';
export * from './yaml/nodes';
export * from './yaml/parse';
export * from './manifest/load';
export * from './manifest/source';
export * from './model/types';
export type * from './model/k8s';
export * from './model/defaults';
export * from './model/cluster';
export * from './model/read';
export * from './selectors';
export * from './net/ip';
export * from './endpoints/index';
export * from './checks/index';
export * from './proxy/index';
export * from './model/master';
export * from './dns/index';
export * from './env/index';
export * from './rules/index';
export * from './trace/index';
export * from './rules/nft/index';
export * from './rules/ipvs/index';
export * from './proxy/nftables/index';
// iptables and nftables both name their mark formatter masqueradeMark; the barrel keeps iptables' (%#08x).
export { masqueradeMark } from './proxy/index';
