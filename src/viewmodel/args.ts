/**
 * Command arguments arrive from many places: the tree (a node), code lenses from the language server (a ref
 * object, possibly with a uri), the palette (nothing), other extensions or `executeCommand` (a string).
 * This reads a Service ref out of any of them without trusting their shape.
 */
import { detectNftForm, detectRulesFormat, looksLikeIpvsadm, stripPasted } from '../core';
import { isServiceRef, parseRef, type ServiceRef, type TraceParams } from '../protocol/webview';

export function refFromArg(arg: unknown): ServiceRef | undefined {
  if (typeof arg === 'string') return parseRef(arg);
  if (typeof arg !== 'object' || arg === null) return undefined;
  if (isServiceRef(arg)) return { namespace: arg.namespace || 'default', name: arg.name, ...(arg.context ? { context: arg.context } : {}) };
  const r = arg as Record<string, unknown>;
  if (isServiceRef(r['ref'])) return refFromArg(r['ref']);
  if (isServiceRef(r['service'])) return refFromArg(r['service']);
  if (typeof r['service'] === 'string') return parseRef(r['service']);
  return undefined;
}

/** A node named in a command argument (`{..., node: NAME}`), e.g. from another extension or a keybinding. */
export function nodeFromArg(arg: unknown): string | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const node = (arg as Record<string, unknown>)['node'];
  return typeof node === 'string' && node.length > 0 && node.length <= 253 ? node : undefined;
}

/**
 * A trace started on a live Service stays on its cluster: the picked destination's ref gets the context, and
 * a typed destination is traced on that Service's live state (never silently on the workspace's).
 */
export function traceOnSource(params: TraceParams, invokedOn: ServiceRef | undefined): TraceParams {
  if (invokedOn?.context === undefined) return params;
  return { ...params, ref: params.ref ? { ...params.ref, context: invokedOn.context } : invokedOn };
}

export type RuleLanguage = 'iptables-save' | 'iptables-list' | 'nftables' | 'ipvsadm';

/**
 * The language of a node's rule dump, from its first meaningful lines: the sniffers `ksd diff/trace --rules`
 * use (src/core/rules), so the editor takes what the command line takes: an `iptables-save | grep NAME`
 * fragment (rule lines only), a shell prompt or iptables-nft's legacy-tables warning above the dump.
 */
export function detectRuleLanguage(text: string): RuleLanguage | undefined {
  const head = stripPasted(text.slice(0, 64 * 1024));
  if (detectNftForm(head)) return 'nftables';
  if (looksLikeIpvsadm(head)) return 'ipvsadm';
  const format = detectRulesFormat(head);
  return format === 'save' ? 'iptables-save' : format === 'listing' ? 'iptables-list' : undefined;
}
