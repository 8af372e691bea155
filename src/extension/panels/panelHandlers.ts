/** The extension side of the panel protocol: one handler per request method, typed by PanelRequests. */
import type { ClusterState, ServiceModel } from '../../core';
import { endpointsReport } from '../../live/features';
import { isServiceRef, type ImportedRulesInfo, type LiveInfo, type PanelMethod, type ProxyMode, type PanelRequests, type RequestMessage, type ReplyMessage, type PanelIntent, type ServiceRef, type ServiceView } from '../../protocol/webview';
import { dns, ruleChain } from '../../viewmodel/engines';
import { runTrace, type ImportedTrace } from '../traceRunner';
import { findService, toServiceView, traceChoices } from '../../viewmodel/serviceView';

export type Handlers = { [M in PanelMethod]: (params: PanelRequests[M]['params']) => Promise<PanelRequests[M]['result']> | PanelRequests[M]['result'] };

export interface HandlerContext {
  /** The state a Service is analysed on: the workspace's (no context), or its live cluster's. */
  state(ref?: ServiceRef | null): Promise<ClusterState>;
  revealService(state: ClusterState, namespace: string, name: string): Promise<boolean>;
  /** The proxy mode and kube-proxy version from settings ("" mode: the cluster's KubeProxyConfiguration decides). */
  proxySettings(): { mode: ProxyMode | ''; version: string };
  /** Sync status of a live context (and what RBAC hides in the namespace). */
  liveInfo?(context: string, namespace: string): LiveInfo | undefined;
  /** Node rules imported in this window (newest first), and one of them by id. */
  imports?(): ImportedRulesInfo[];
  imported?(id: string): ImportedTrace | undefined;
}

/** `shown`: the Service and tab the panel was last told to show (for the webview's `current` request). */
export function panelHandlers(ctx: HandlerContext, shown: () => PanelIntent = () => ({ ref: null })): Handlers {
  return {
    current: () => shown(),
    service: async (ref) => {
      const state = await ctx.state(ref);
      const svc = findService(state, ref);
      const p = ctx.proxySettings();
      return { service: svc ? serviceView(ctx, state, ref, svc) : null, choices: traceChoices(state), mode: p.mode || state.proxy.mode, version: p.version, imports: ctx.imports?.() ?? [] };
    },
    ruleChain: async (params) => ruleChain(await ctx.state(params.ref), params),
    trace: async (params) => {
      if (params.imported === undefined) return runTrace(await ctx.state(params.ref), params);
      const imported = ctx.imported?.(params.imported);
      // Only the last few imports are kept (a node dump can be large).
      if (!imported) return { available: false, reason: 'Those imported rules are no longer kept (only the last few imports are): run Import Node Rules on the file again.' };
      return runTrace(await ctx.state(params.ref), params, imported);
    },
    dns: async (ref) => dns(await ctx.state(ref), ref),
    reveal: async (ref) => (ref.context === undefined ? ctx.revealService(await ctx.state(ref), ref.namespace, ref.name) : false),
  };
}

/** The Service as the panel shows it: endpoints, every matched pod with why it is not served, and for a live Service its sync status. */
function serviceView(ctx: HandlerContext, state: ClusterState, ref: ServiceRef, svc: ServiceModel): ServiceView {
  const view = toServiceView(state, svc);
  const report = endpointsReport(state, svc);
  const live = ref.context !== undefined ? ctx.liveInfo?.(ref.context, ref.namespace) : undefined;
  // Pods we may not read make "matches no pod" a guess: say what is hidden instead.
  const hidden = live?.unreadable?.includes('pods') ? `pods in namespace ${ref.namespace} cannot be read (RBAC forbids it), so the matched pods are unknown` : undefined;
  return {
    ...view,
    ref: ref.context !== undefined ? { ...view.ref, context: ref.context } : view.ref,
    pods: report.pods.map((p) => ({ pod: p.pod, ip: p.ip, node: p.node, served: p.served, reasons: p.reasons.map((r) => ({ code: r.code, reason: r.reason, port: r.port })) })),
    summary: hidden && !report.endpoints.some((e) => e.ready) ? hidden : report.summary,
    ...(hidden && !report.endpoints.some((e) => e.ready) ? { healthText: `No ready endpoint seen: ${hidden}` } : {}),
    ...(live ? { live } : {}),
  };
}

/** Checks params whose shape the method needs, then runs the handler; any failure becomes an error reply. */
export async function dispatch(handlers: Handlers, msg: RequestMessage): Promise<ReplyMessage> {
  try {
    if ((msg.method === 'service' || msg.method === 'dns' || msg.method === 'reveal') && !isServiceRef(msg.params)) throw new Error(`${msg.method}: params must be {namespace, name}`);
    if (msg.method === 'ruleChain' && !isServiceRef(msg.params.ref)) throw new Error('ruleChain: params.ref must be {namespace, name}');
    if (msg.method === 'ruleChain' && msg.params.node !== undefined && typeof msg.params.node !== 'string') throw new Error('ruleChain: params.node must be a Node name');
    if (msg.method === 'trace' && (typeof msg.params.from !== 'string' || typeof msg.params.to !== 'string')) throw new Error('trace: params.from and params.to must be strings');
    if (msg.method === 'trace' && msg.params.imported !== undefined && typeof msg.params.imported !== 'string') throw new Error('trace: params.imported must be an import id');
    if (msg.method === 'trace' && msg.params.ref !== null && msg.params.ref !== undefined && !isServiceRef(msg.params.ref)) throw new Error('trace: params.ref must be {namespace, name} or null');
    const handler = handlers[msg.method] as (p: unknown) => unknown;
    const result = await handler(msg.params);
    return { kind: 'reply', id: msg.id, ok: true, result };
  } catch (e) {
    return { kind: 'reply', id: msg.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
