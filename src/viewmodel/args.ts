/**
 * Command arguments arrive from many places: the tree (a node), code lenses from the language server (a ref
 * object, possibly with a uri), the palette (nothing), other extensions or `executeCommand` (a string).
 * This reads a Service ref out of any of them without trusting their shape.
 */
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

/** The language of a node's rule dump, from its first meaningful lines. */
export type RuleLanguage = 'iptables-save' | 'iptables-list' | 'nftables' | 'ipvsadm';

export function detectRuleLanguage(text: string): RuleLanguage | undefined {
  const head = text.slice(0, 64 * 1024);
  if (/^\s*\*(nat|filter|mangle|raw|security)\s*$/m.test(head) || /^:[A-Z][\w-]* (ACCEPT|DROP|-) \[\d+:\d+\]/m.test(head)) return 'iptables-save';
  if (/^Chain \S+ \((policy \w+|\d+ references)/m.test(head)) return 'iptables-list';
  if (/^\s*(table|add table|flush table|delete table)\s+(ip|ip6|inet|arp|bridge|netdev)\s+\S+/m.test(head)) return 'nftables';
  if (/^IP Virtual Server version/m.test(head) || /^(TCP|UDP|SCTP)\s+\S+:\S+\s+(rr|wrr|lc|wlc|sh|dh|lblc|lblcr|sed|nq)\b/m.test(head)) return 'ipvsadm';
  return undefined;
}
