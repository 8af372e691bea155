export * from './render';
export { IPSETS, IpsetState, ipPortEntry, type IpsetDef, type IpsetType } from './ipsets';
export { helperRules, IPVS_JUMP_RULES } from './helperRules';
export { checkIpvsVersion, IPVS_FORMATS, renderIpvsRules } from './register';
export { ipvsDiffSide } from './diffSide';
