/** The extension side of the panel protocol: one handler per request method, typed by PanelRequests. */
import type { ClusterState } from '../../core';
import { isServiceRef, type PanelMethod, type ProxyMode, type PanelRequests, type RequestMessage, type ReplyMessage } from '../../protocol/webview';
import { dns, ruleChain } from '../../viewmodel/engines';
import { runTrace } from '../traceRunner';
import { findService, toServiceView, traceChoices } from '../../viewmodel/serviceView';

export type Handlers = { [M in PanelMethod]: (params: PanelRequests[M]['params']) => Promise<PanelRequests[M]['result']> | PanelRequests[M]['result'] };

export interface HandlerContext {
  /** The current state, once loaded. */
  state(): Promise<ClusterState>;
  revealService(state: ClusterState, namespace: string, name: string): Promise<boolean>;
  /** The proxy mode and kube-proxy version from settings ("" mode: the workspace's KubeProxyConfiguration decides). */
  proxySettings(): { mode: ProxyMode | ''; version: string };
}

export function panelHandlers(ctx: HandlerContext): Handlers {
  return {
    service: async (ref) => {
      const state = await ctx.state();
      const svc = findService(state, ref);
      const p = ctx.proxySettings();
      return { service: svc ? toServiceView(state, svc) : null, choices: traceChoices(state), mode: p.mode || state.proxy.mode, version: p.version };
    },
    ruleChain: async (params) => ruleChain(await ctx.state(), params),
    trace: async (params) => runTrace(await ctx.state(), params),
    dns: async (ref) => dns(await ctx.state(), ref),
    reveal: async (ref) => ctx.revealService(await ctx.state(), ref.namespace, ref.name),
  };
}

/** Checks params whose shape the method needs, then runs the handler; any failure becomes an error reply. */
export async function dispatch(handlers: Handlers, msg: RequestMessage): Promise<ReplyMessage> {
  try {
    if ((msg.method === 'service' || msg.method === 'dns' || msg.method === 'reveal') && !isServiceRef(msg.params)) throw new Error(`${msg.method}: params must be {namespace, name}`);
    if (msg.method === 'ruleChain' && !isServiceRef(msg.params.ref)) throw new Error('ruleChain: params.ref must be {namespace, name}');
    if (msg.method === 'trace' && (typeof msg.params.from !== 'string' || typeof msg.params.to !== 'string')) throw new Error('trace: params.from and params.to must be strings');
    const handler = handlers[msg.method] as (p: unknown) => unknown;
    const result = await handler(msg.params);
    return { kind: 'reply', id: msg.id, ok: true, result };
  } catch (e) {
    return { kind: 'reply', id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
