export type { NftChain, NftElement, NftRule, NftRuleset, NftSet, NftStatement, NftTable, NftValue, RulesIssue } from './types';
export { findTable } from './types';
export * from './parse';
export { parseDuration, parsePriority } from './blocks';
export * from './print';
export * from './key';
export * from './diff';
export * from './listFormat';
