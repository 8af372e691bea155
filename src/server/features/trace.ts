/** ksd/trace: the same pipeline as `ksd trace` and the extension's panel, on the server's cluster state. */
import { traceResult, type ClusterState } from '../../core';
import { chooseNode, familyOf, parseProtocol, resolveDestination, resolveSource, traceContext } from '../../cli/traceInput';
import type { TraceParams, TraceResult } from '../../protocol/lsp';
import type { KsdSettings } from '../../protocol/settings';
import { generatedTracer } from '../../tracing/generated';

export function traceRequest(state: ClusterState, p: TraceParams, settings: KsdSettings): TraceResult {
  const mode = p.mode ?? (settings.proxy.mode || state.proxy.mode);
  try {
    const src = resolveSource(state, p.from.trim(), state.proxy.clusterCIDRs);
    const dst = resolveDestination(state, p.to.trim());
    const family = familyOf(dst.ip);
    if (familyOf(src.ip) !== family) return { available: false, reason: `source ${src.ip} and destination ${dst.ip} are of different IP families` };
    const node = chooseNode(state, p.node || undefined, src, dst);
    const packet = { from: src.ip, to: dst.ip, port: dst.port, protocol: parseProtocol(p.protocol) };
    const detail = generatedTracer(mode, settings.proxy.version || undefined)(state, node?.name, family, packet, traceContext(state, node, src, [], family, settings.proxy.version || undefined));
    const r = traceResult(detail);
    return { available: true, verdict: r.verdict, endpoints: r.endpoints, masquerade: r.masquerade, steps: r.steps, explanation: r.explanation };
  } catch (e) {
    // Bad input (an unknown source, a malformed destination, an unknown node or version) is the user's to fix.
    return { available: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
