/** The rules kube-proxy would write on a node, rendered from the manifests and parsed for tracing. */
import { parseRules, renderIPTablesRules, RulesParseError, RulesRequestError, UnknownNodeError, UnknownVersionError, type ClusterState, type IPFamily, type RuleSet } from '../core';
import { CliError } from './io';

export interface GeneratedRequest {
  state: ClusterState;
  node?: string;
  family: IPFamily;
  mode: string;
  version?: string;
}

/**
 * Renders the node's rules as iptables-save would show them (built-in chains and kube-proxy's jump
 * rules included) and parses them with the same parser used for a node's real rules, so generated
 * and imported rules go through one trace engine.
 */
export function generatedRules(req: GeneratedRequest): RuleSet {
  if (req.mode !== 'iptables') throw new CliError(`tracing is implemented for iptables rules; --mode ${req.mode} is not traced yet (ksd rules --mode ${req.mode} shows its rules)`);
  let text: string;
  try {
    text = renderIPTablesRules({ state: req.state, node: req.node, version: req.version, format: 'save', families: [req.family] });
  } catch (e) {
    if (e instanceof UnknownVersionError || e instanceof UnknownNodeError || e instanceof RulesRequestError) throw new CliError(e.message);
    throw e;
  }
  try {
    return parseRules(text);
  } catch (e) {
    // The renderer's output failing our parser is a bug on one side or the other: say so plainly.
    if (e instanceof RulesParseError) throw new Error(`generated rules do not parse (line ${e.line}: ${e.detail})`);
    throw e;
  }
}
