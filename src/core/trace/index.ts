/** Traces the first packet of a new connection through parsed iptables rules. */
import type { RuleSet } from '../rules/types';
import { compileRules, type CompiledRules } from './compile';
import { traceCompiled } from './engine';
import type { TraceContext, TraceDetail, TracePacket, TraceResult } from './types';

export * from './types';
export { chainsByKey, compileRules, type CompiledRules } from './compile';
export { traceCompiled, type TraceOptions } from './engine';
export { snapProbability } from './summary';
export { serviceOf } from './explain';

/** Traces one packet (compile once with compileRules and use traceCompiled for many). */
export function traceRules(rules: RuleSet | CompiledRules, packet: TracePacket, ctx: TraceContext): TraceDetail {
  return traceCompiled('byTable' in rules ? rules : compileRules(rules), packet, ctx);
}

/** The contract's fields only (`ksd trace --json`). */
export function traceResult(d: TraceDetail): TraceResult {
  return { verdict: d.verdict, endpoints: d.endpoints.map((e) => ({ ip: e.ip, port: e.port, probability: e.probability })), masquerade: d.masquerade, steps: d.steps, explanation: d.explanation };
}
export { traceNft } from './nftEngine';
export { servicePortOfChain } from './nftExplain';
export { traceIpvs, ipvsIndex, type IpvsHelperState } from './ipvsTrace';
export { GeneratedIPTables, type GeneratedIPTablesRequest } from './generatedIptables';
export { payloadRule, PayloadRule } from './payloadRules';
