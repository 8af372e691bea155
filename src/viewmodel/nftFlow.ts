/**
 * A Service's nftables rules drawn as a flow, the way kube-proxy lays out its `kube-proxy` table: the
 * dispatch chains (services, firewall-check, the endpoint checks) reach the Service's chains through the
 * service-ips / service-nodeports / firewall-ips / no-endpoint-* verdict maps; the service chain fans out
 * with numgen to endpoint chains (or straight to DNAT targets in the 1.36 layout); marks lead to
 * masquerading. Pure: works on any parsed ruleset, generated or a node's `nft list ruleset`.
 */
import type { FlowEdge, FlowNode } from '../protocol/webview';
import type { NftChain, NftRule, NftRuleset, NftSet, NftStatement, NftTable, NftValue } from '../core';
import { commentIsFor } from './ruleFlow';

/** Kinds of kube-proxy's nftables chains, by name (pkg/proxy/nftables/proxier.go). */
export function nftChainKind(name: string): FlowNode['kind'] {
  if (name === 'services' || name === 'service-endpoints-check' || name === 'cluster-ips-check' || name.startsWith('nat-') || name.startsWith('filter-')) return 'entry';
  if (name === 'nodeport-endpoints-check') return 'nodeport';
  if (/^(service|local)-/.test(name)) return 'service';
  if (name.startsWith('endpoint-')) return 'endpoint';
  if (name.startsWith('external-')) return 'external';
  if (name.startsWith('firewall-')) return 'firewall';
  if (name === 'mark-for-masquerade' || name === 'masquerading') return 'masquerade';
  if (name === 'reject-chain') return 'reject';
  return 'other';
}

/** Is this chain one of the Service's own (`service-HASH-ns/name/proto/port`, endpoint-, external-...)? */
export function isServiceChain(chain: string, service: string): boolean {
  return /^(service|local|external|firewall|endpoint|affinity)-[A-Z2-7]{8}-/.test(chain) && chain.slice(chain.indexOf('-', chain.indexOf('-') + 1) + 1).startsWith(`${service}/`);
}

function valueText(v: NftValue): string {
  switch (v.kind) {
    case 'ref':
      return `@${v.name}`;
    case 'set':
      return `{ ${v.items.join(', ')} }`;
    case 'map':
      return `{ ${v.entries.length} entries }`;
    default:
      return v.text;
  }
}

/** The match statements of a rule in short ("ip daddr 10.96.0.10 tcp dport 53"), or "always". */
export function describeNftRule(r: NftRule): string {
  const parts = r.statements.filter((s): s is Extract<NftStatement, { kind: 'match' }> => s.kind === 'match').map((s) => `${s.keys.join(' . ')}${s.mask ? ` and ${s.mask}` : ''} ${s.op === '!=' ? '!= ' : ''}${valueText(s.value)}`);
  return parts.join(' ') || 'always';
}

interface Builder {
  nodes: Map<string, FlowNode>;
  edges: FlowEdge[];
  queue: { table: NftTable; chain: string }[];
}

function addNode(b: Builder, id: string, label: string, kind: FlowNode['kind']): string {
  if (!b.nodes.has(id)) b.nodes.set(id, { id, label, kind });
  return id;
}

function chainNode(b: Builder, t: NftTable, chain: string): string {
  const id = `${t.family}/${chain}`;
  if (!b.nodes.has(id)) b.queue.push({ table: t, chain });
  return addNode(b, id, chain, nftChainKind(chain));
}

/** A verdict ("goto X", "jump X", "drop", "reject", "accept") as the node it leads to; undefined for return/continue. */
function verdictNode(b: Builder, t: NftTable, verdict: string): string | undefined {
  const m = /^(goto|jump)\s+(\S+)$/.exec(verdict.trim());
  if (m) return chainNode(b, t, m[2]!);
  const v = verdict.trim().toUpperCase();
  if (v === 'DROP' || v === 'REJECT') return addNode(b, v, v, 'reject');
  if (v === 'ACCEPT') return addNode(b, 'ACCEPT', 'ACCEPT', 'other');
  return undefined;
}

/** `numgen random mod N` fans out evenly: each map key has 1/N. */
function numgenMod(keys: string[]): number | undefined {
  const m = /^numgen (?:random|inc) mod (\d+)/.exec(keys[0] ?? '');
  return m && keys.length === 1 ? Number(m[1]) : undefined;
}

/** Edges for the statements of one rule, from the chain `from`. */
function ruleEdges(b: Builder, t: NftTable, from: string, r: NftRule, mapFilter: (set: NftSet) => NftSet['elements']): void {
  const label = r.comment ? `${describeNftRule(r)} (${r.comment.replace(/^"|"$/g, '')})` : describeNftRule(r);
  const edge = (to: string | undefined, text: string, probability?: number) => {
    if (to) b.edges.push({ from, to, label: text, ...(probability !== undefined ? { probability } : {}) });
  };
  for (const s of r.statements) {
    if (s.kind === 'mark-set' && (s.op === 'or' || s.op === 'set')) edge(addNode(b, 'mark-masq', `mark for masquerade (${s.value})`, 'masquerade'), label);
    else if (s.kind === 'masquerade') edge(addNode(b, 'MASQUERADE', 'MASQUERADE', 'masquerade'), label);
    else if (s.kind === 'verdict' && s.target) edge(verdictNode(b, t, `${s.verdict} ${s.target}`), label);
    else if (s.kind === 'verdict' && (s.verdict === 'drop' || s.verdict === 'reject' || s.verdict === 'accept')) edge(verdictNode(b, t, s.verdict), label);
    else if (s.kind === 'dnat') edge(dnatNode(b, s.addr, s.port), label);
    else if (s.kind === 'dnat-map') {
      const mod = numgenMod(s.keys);
      for (const e of s.entries) {
        const [addr, port] = e.value.split(' . ').map((x) => x.trim());
        edge(dnatNode(b, addr!, port ? Number(port) : undefined), `${label === 'always' ? '' : `${label} `}${s.keys.join(' . ')} = ${e.key.join(' . ')}`.trim(), mod ? share(s.entries, e.value, mod) : undefined);
      }
    } else if (s.kind === 'vmap' && s.map.kind === 'map') {
      const mod = numgenMod(s.keys);
      const entries = s.map.entries;
      for (const e of entries) edge(verdictNode(b, t, e.value), `${s.keys.join(' . ')} = ${e.key.join(' . ')}`, mod ? share(entries, e.value, mod) : undefined);
    } else if (s.kind === 'vmap' && s.map.kind === 'ref') {
      const set = t.sets.get(s.map.name);
      if (!set) continue;
      for (const e of mapFilter(set)) if (e.value) edge(verdictNode(b, t, e.value), `${label === 'always' ? '' : `${label}, `}${e.key.join(' . ')} in @${set.name}`);
    }
  }
}

/** The share of a numgen fan-out that leads to `value` (usually 1/N; more when a value repeats). */
function share(entries: { value: string }[], value: string, mod: number): number {
  return entries.filter((e) => e.value === value).length / mod;
}

function dnatNode(b: Builder, addr: string, port: number | undefined): string {
  const hp = addr.includes(':') && port !== undefined ? `[${addr}]:${port}` : `${addr}${port !== undefined ? `:${port}` : ''}`;
  return addNode(b, `dnat/${hp}`, `DNAT ${hp}`, 'endpoint');
}

/**
 * The flow of one Service ("ns/name") through every `kube-proxy` table of the ruleset: dispatch chains and
 * the map elements that lead into the Service's chains, then everything reachable from there.
 */
export function nftFlow(rs: NftRuleset, service: string): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const b: Builder = { nodes: new Map(), edges: [], queue: [] };
  for (const t of rs.tables) {
    if (t.name !== 'kube-proxy') continue;
    const ours = (e: NftSet['elements'][number]) => commentIsFor(e.comment, service) || (!!e.value && isServiceChain(e.value.replace(/^(goto|jump)\s+/, ''), service));
    // Addresses of the Service (keys of its map elements), to pick the set lookups that concern it.
    const addrs = new Set<string>();
    for (const s of t.sets.values()) if (s.kind === 'map') for (const e of s.elements) if (ours(e) && e.key.length === 3) addrs.add(e.key[0]!);
    const inOwnSet = (name: string) => {
      const set = t.sets.get(name);
      return set?.kind === 'set' && set.elements.some((e) => e.key.length === 1 && addrs.has(e.key[0]!));
    };
    const ownSetLookup = (r: NftRule) => r.statements.some((s) => s.kind === 'match' && s.op === '==' && s.value.kind === 'ref' && inOwnSet(s.value.name));
    for (const c of t.chains.values()) {
      if (isServiceChain(c.name, service)) continue;
      for (const r of c.rules) {
        const viaMap = r.statements.some((s) => s.kind === 'vmap' && s.map.kind === 'ref' && (t.sets.get(s.map.name)?.elements ?? []).some(ours));
        if (!viaMap && !ownSetLookup(r)) continue;
        ruleEdges(b, t, chainNode(b, t, c.name), r, (set) => set.elements.filter(ours));
      }
    }
    // A ruleset without the dispatch maps (a pasted fragment): start from the Service's own chains.
    for (const c of t.chains.values()) if (isServiceChain(c.name, service)) chainNode(b, t, c.name);
    drain(b);
  }
  return { nodes: [...b.nodes.values()], edges: b.edges };
}

/** Expands every chain node queued: its rules' edges (the dispatch chains are expanded only as far as the Service). */
function drain(b: Builder): void {
  const expanded = new Set<string>();
  while (b.queue.length) {
    const { table, chain } = b.queue.shift()!;
    const id = `${table.family}/${chain}`;
    if (expanded.has(id)) continue;
    expanded.add(id);
    const c: NftChain | undefined = table.chains.get(chain);
    if (!c || nftChainKind(chain) === 'entry') continue;
    for (const r of c.rules) ruleEdges(b, table, id, r, () => []);
  }
}
