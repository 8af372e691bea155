/**
 * `ksd trace`'s setup and per-flow step, shared by the command (one flow or a batch on this thread) and the
 * batch's worker threads: both load the state and trace a flow through exactly these functions.
 */
import { buildClusterState, compileRules, traceCompiled, type ClusterState, type TraceDetail } from '../core';
import { generatedTracer, type ProxyMode } from '../tracing/generated';
import { mergeWithLive } from '../live/merge';
import { CliError, type CliIO } from './io';
import { loadLiveState, type LiveFlags } from './liveState';
import { printRuleWarnings } from './ruleWarnings';
import { loadState } from './state';
import { chooseNode, familyOf, parseProtocol, readRulesFile, resolveDestination, resolveSource, traceContext } from './traceInput';
import { modeTracer } from './traceModes';

/** One request of a batch file (or of --from/--to). */
export interface Flow {
  from: string;
  to: string;
  protocol?: string;
}

/** Everything a trace depends on besides the flow: plain data, so it can be handed to a worker thread. */
export interface TraceOptions {
  paths: string[];
  live?: LiveFlags;
  mode: string;
  rulesFile?: string;
  /** --node */
  node?: string;
  /** --protocol (a flow's own protocol wins) */
  protocol?: string;
  /** --kube-proxy-version */
  version?: string;
  /** --max-file-size, in bytes */
  maxBytes?: number;
  /** --node-ip, split */
  nodeIPs: string[];
}

/** Traces flow `index` (0-based) of the run; `numbered` prefixes its errors with `flow N: `. */
export type FlowTracer = (flow: Flow, index: number, numbered: boolean) => TraceDetail;

/** Loads the state and the rules as the options say; rule-file warnings go to io.err when io is given. */
export async function prepareFlowTracer(o: TraceOptions, io?: CliIO): Promise<FlowTracer> {
  const state = await traceState(o.paths, o.live, io, o.maxBytes);
  const other = await modeTracer(o.mode, o.rulesFile);
  const imported = o.rulesFile && !other ? await readRulesFile(o.rulesFile) : undefined;
  if (imported && o.rulesFile && io) printRuleWarnings(io, o.rulesFile, imported.warnings);
  const importedRules = imported ? compileRules(imported) : undefined;
  const generated = generatedTracer(o.mode as ProxyMode, o.version);
  return (flow, index, numbered) => {
    try {
      const src = resolveSource(state, flow.from, state.proxy.clusterCIDRs);
      const dst = resolveDestination(state, flow.to);
      const protocol = parseProtocol(flow.protocol ?? o.protocol);
      const family = familyOf(dst.ip);
      if (familyOf(src.ip) !== family) throw new CliError(`source ${src.ip} and destination ${dst.ip} are of different IP families`);
      const node = chooseNode(state, o.node, src, dst);
      const packet = { from: src.ip, to: dst.ip, port: dst.port, protocol };
      const ctx = traceContext(state, node, src, o.nodeIPs, family, o.version);
      if (other) return other(state, node?.name, family, packet, ctx);
      if (importedRules) return traceCompiled(importedRules, packet, ctx);
      return generated(state, node?.name, family, packet, ctx);
    } catch (e) {
      const where = numbered ? `flow ${index + 1}: ` : '';
      if (e instanceof CliError) throw new CliError(where + e.message, e.exitCode);
      if (e instanceof Error && /IP families|not an IP address|not between 1 and 65535|fan out too far/.test(e.message)) throw new CliError(where + e.message);
      throw e;
    }
  };
}

/** The manifests, the live cluster, or the manifests over the live cluster. */
async function traceState(paths: string[], live: LiveFlags | undefined, io: CliIO | undefined, maxBytes: number | undefined): Promise<ClusterState> {
  if (!live) return (await loadState(paths, {}, io, maxBytes)).state;
  const snap = await loadLiveState(undefined, live);
  if (!paths.length) return snap.state;
  const { files } = await loadState(paths, {}, io, maxBytes);
  return buildClusterState(mergeWithLive(files.flatMap((f) => f.objects), snap.state.objects, snap.defaultNamespace));
}
