/**
 * What a rule document (scheme ksd-rules) is about, as its URI path and query say it: the Service, the proxy
 * mode, the kube-proxy version ("" for the cluster's) and the node ("" for the first Node). Pure, so both
 * directions are tested without VS Code (src/extension/ruleDocuments.ts wraps them in URIs).
 */
import type { ProxyMode, ServiceRef } from '../protocol/webview';

export interface RuleDocumentKey {
  ref: ServiceRef;
  mode: ProxyMode;
  version: string;
  node: string;
}

/** A path segment for any namespace or name: "%" and "/" escaped, so a name holding "/" still reads back. */
const segment = (s: string) => s.replace(/%/g, '%25').replace(/\//g, '%2F');
const unsegment = (s: string) => s.replace(/%2F/gi, '/').replace(/%25/g, '%');

export function ruleDocumentParts(key: RuleDocumentKey): { path: string; query: string } {
  const ext = key.mode === 'nftables' ? 'nft' : key.mode === 'ipvs' ? 'ipvs' : 'rules';
  // The node only when one was picked: documents opened for the first Node keep the URIs they always had.
  const q: Record<string, string> = { mode: key.mode, version: key.version, ...(key.node ? { node: key.node } : {}) };
  return { path: `/${segment(key.ref.namespace)}/${segment(key.ref.name)}.${ext}`, query: new URLSearchParams(q).toString() };
}

export function parseRuleDocumentParts(path: string, query: string): RuleDocumentKey | undefined {
  const m = /^\/([^/]+)\/([^/]+)\.(rules|nft|ipvs)$/.exec(path);
  if (!m) return undefined;
  const q = new URLSearchParams(query);
  const mode = q.get('mode');
  return { ref: { namespace: unsegment(m[1]!), name: unsegment(m[2]!) }, mode: mode === 'nftables' || mode === 'ipvs' ? mode : 'iptables', version: q.get('version') ?? '', node: q.get('node') ?? '' };
}
