/**
 * The iptables rules kube-proxy would write on a node, compiled for tracing straight from the renderer
 * (no iptables-save text), and only for the Services a traced packet can meet: the proxier-wide chains
 * and rules, the built-in chains' jumps and kubelet's chains of old releases are there from the start;
 * a Service's rules are rendered the first time a packet is addressed to one of its addresses (cluster
 * IP, external IP, load-balancer IP) or node ports, and slotted into the place kube-proxy's ordering
 * (service-port name, then protocol) gives them. Decisions over the whole state stay whole-state: the
 * large-cluster mode counts every Service's endpoints.
 *
 * A trace through this set equals a trace through the printed and parsed save view: the rules of a
 * dispatch chain (KUBE-SERVICES, KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES, KUBE-PROXY-FIREWALL) all match
 * on an exact address or port of their Service, so a rule left out could not have matched, and the
 * per-Service chains are reached only through them.
 *
 * Only the Services of the last few traces are kept (GeneratedIPTablesRequest.keep): a batch that meets
 * every Service once would otherwise hold every Service's rules to the end, and a Service traced again
 * is rendered again, the same way.
 */
import type { ClusterState, IPFamily, ServiceModel } from '../model/types';
import type { Rule } from '../rules/types';
import { canonicalAddress } from '../proxy/address';
import { compareStrings } from '../proxy/endpointsCache';
import { proxiedPortsShared, topologyInput } from '../proxy/model';
import { localDetector, proxyNode } from '../proxy/node';
import { servicePortInfos } from '../proxy/servicePort';
import type { ProxiedServicePort, ServicePortInfo } from '../proxy/types';
import { LARGE_CLUSTER_ENDPOINTS_THRESHOLD, syncContext, type SyncContext } from '../proxy/iptables/context';
import { largeClusterMode } from '../proxy/iptables/index';
import { jumpArgs, jumpRulesFor } from '../proxy/iptables/jumps';
import { kubeletIPTables } from '../proxy/iptables/kubelet';
import { KUBE_PROXY_CANARY } from '../proxy/iptables/names';
import { iptablesProfile } from '../proxy/iptables/profiles';
import { kubeProxyMinor } from '../proxy/proxyVersion';
import { proxierRules, servicePortWriter } from '../proxy/iptables/render';
import { portNameString, type RuleSink } from '../proxy/iptables/servicePortRules';
import { sharedMatches, type SharedMatches } from '../rules/args';
import { RulesParseError, type Chain, type RuleSet, type RuleTable } from '../rules/types';
import { addRule, chainOf, growingChain, removeRule, setChain, type CompiledChain, type CompiledRules } from './compile';
import { traceCompiled } from './engine';
import { payloadRule, type PayloadShapes, type ShapeHint } from './payloadRules';
import type { TraceContext, TraceDetail, TracePacket } from './types';

export interface GeneratedIPTablesRequest {
  state: ClusterState;
  node?: string;
  family: IPFamily;
  version?: string;
  /** How many rendered Services (with the Services sharing their chain names) are kept after a trace; default KEEP. */
  keep?: number;
  /** How many cached words (rule shapes, shared matches) are kept after a trace; default WORDS_KEPT. */
  keepWords?: number;
}

/** Services kept rendered between traces: a few, for a user tracing the same Services again. */
export const KEEP = 32;

/** What rendering one Service (and the Services sharing its chain names) added: what to take out when it is dropped. */
interface Rendered {
  services: number[];
  /** The chains it added (each marked with this render as its `owner`). */
  chains: CompiledChain[];
  /** Its rules in chains it did not add (the dispatch chains). */
  rules: { c: CompiledChain; r: Rule }[];
  recent: string[];
}

const BUILTINS: Record<string, string[]> = {
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

/** How each dispatch chain is indexed (the key every rule a Service adds to it carries), by table and name. */
const KEYS = new Map<string, Map<string, CompiledChain['key']>>([
  ['nat', new Map([['KUBE-SERVICES', 'dst'], ['KUBE-NODEPORTS', 'dport']])],
  ['filter', new Map([['KUBE-SERVICES', 'dst'], ['KUBE-EXTERNAL-SERVICES', 'dst'], ['KUBE-PROXY-FIREWALL', 'dst'], ['KUBE-NODEPORTS', 'dport']])],
]);

/** Cached words (shapes and shared matches) kept after a trace: enough for a few hundred Services. */
export const WORDS_KEPT = 4096;

/** Index slots: proxier-wide rules before the Services', then service port r at (r + 1) * SLOT, then the rest. */
const SLOT = 2 ** 21;
const AFTER = 2 ** 52;

export class GeneratedIPTables {
  readonly compiled: CompiledRules;
  private readonly ctx: SyncContext;
  private shared: SharedMatches = sharedMatches();
  private readonly shapes: PayloadShapes = new Map();
  private readonly byAddress = new Map<string, number[]>();
  private readonly byPort = new Map<number, number[]>();
  /** Services whose chains share names (same service-port name and protocol): rendered together. */
  private readonly sameChains = new Map<string, number[]>();
  private readonly ranks: number[][] = [];
  /** The rendered Services, by Service index; `kept` orders their renders from least to most recently used. */
  private readonly rendered = new Map<number, Rendered>();
  private readonly kept = new Set<Rendered>();
  /** The render under way (a Service and the Services sharing its chain names), collecting what it adds. */
  private current: Rendered | undefined;
  private readonly counters = new Map<string, number>();

  constructor(private readonly req: GeneratedIPTablesRequest) {
    const { state, family } = req;
    const profile = iptablesProfile(req.version);
    const node = proxyNode(state, req.node);
    // Only whether the threshold is passed matters (kube-proxy drops the per-endpoint comments).
    const total = largeClusterMode(state, family, req.node) ? LARGE_CLUSTER_ENDPOINTS_THRESHOLD + 1 : 0;
    this.ctx = syncContext(state, node, localDetector(state, node, family), family, total, { profile });
    const byTable = new Map<string, Map<string, CompiledChain>>();
    // The RuleSet view is built only when asked for (nothing on a trace's path reads it).
    this.compiled = { get set() { return ruleSetOf(family, byTable); }, byTable, synthesized: [], affinitySeconds: new Map() };
    this.addFixed();
    this.indexServices();
  }

  /** Traces a packet, first rendering the Services it (or, after DNAT, its new destination) can meet. */
  trace(packet: TracePacket, ctx: TraceContext): TraceDetail {
    this.ensure(packet.to, packet.port);
    for (;;) {
      const detail = traceCompiled(this.compiled, packet, ctx);
      let grew = false;
      for (const b of detail.branches) if (b.dnat && this.ensure(b.dnat.ip, b.dnat.port)) grew = true;
      if (!grew) {
        this.trim(this.req.keep ?? KEEP);
        return detail;
      }
    }
  }

  /** Renders the Services a packet to this address and port can meet; true when any was new. */
  ensure(address: string, port: number): boolean {
    const key = canonicalAddress(address)?.ip;
    let grew = false;
    const byAddress = key === undefined ? undefined : this.byAddress.get(key);
    if (byAddress) for (const i of byAddress) grew = this.renderService(i) || grew;
    const byPort = this.byPort.get(port);
    if (byPort) for (const i of byPort) grew = this.renderService(i) || grew;
    return grew;
  }

  /** Renders every Service (the whole rule set). */
  ensureAll(): void {
    for (let i = 0; i < this.req.state.services.length; i++) this.renderService(i);
  }

  /** How many Services are rendered now (the kept ones and those of the last trace). */
  get renderedServices(): number {
    return this.rendered.size;
  }

  private indexServices(): void {
    const { state, family } = this.req;
    const all: { svc: number; port: number; info: ServicePortInfo }[] = [];
    state.services.forEach((svc, i) => {
      const infos = servicePortInfos(svc, family, kubeProxyMinor(this.req.version));
      this.ranks.push(new Array<number>(infos.length));
      infos.forEach((info, port) => {
        all.push({ svc: i, port, info });
        for (const ip of [info.clusterIP, ...info.externalIPs, ...info.loadBalancerVIPs]) add(this.byAddress, canonicalAddress(ip)?.ip ?? ip, i);
        if (info.nodePort) add(this.byPort, info.nodePort, i);
        if (info.healthCheckNodePort) add(this.byPort, info.healthCheckNodePort, i);
        add(this.sameChains, `${portNameString({ info } as ProxiedServicePort, this.ctx)}/${info.protocol}`, i);
      });
    });
    // buildProxyModel's order: service-port name, then protocol (a stable sort: ties keep state order).
    all.sort((a, b) => compareStrings(a.info.nameString, b.info.nameString) || compareStrings(a.info.protocol, b.info.protocol));
    all.forEach((e, rank) => (this.ranks[e.svc]![e.port] = rank));
    for (const [k, list] of this.sameChains) if (list.length < 2) this.sameChains.delete(k);
  }

  /** Drops the least recently used renders until at most `keep` are left. */
  private trim(keep: number): void {
    for (const g of this.kept) {
      if (this.kept.size <= keep) break;
      this.drop(g);
    }
    // The words read so far (rule shapes, shared matches) grow with every Service met: past a bound they
    // start afresh, as the rendered Services do (most entries are one Service's: its chains, comments, addresses).
    const sh = this.shared;
    if (this.shapes.size + sh.jumps.size + sh.comments.size + sh.dports.size + sh.addrs.reduce((n, m) => n + m.size, 0) > (this.req.keepWords ?? WORDS_KEPT)) {
      this.shapes.clear();
      this.shared = sharedMatches();
    }
  }

  private drop(g: Rendered): void {
    this.kept.delete(g);
    for (const i of g.services) this.rendered.delete(i);
    for (const c of g.chains) this.compiled.byTable.get(c.chain.table)?.delete(c.chain.name);
    for (const { c, r } of g.rules) removeRule(c, r);
    for (const name of g.recent) this.compiled.affinitySeconds.delete(name);
  }

  private renderService(i: number): boolean {
    const done = this.rendered.get(i);
    if (done) {
      // Used again: now the most recently used.
      if (!this.current) {
        this.kept.delete(done);
        this.kept.add(done);
      }
      return false;
    }
    const g = this.current;
    if (g) {
      this.renderInto(i, g);
      return true;
    }
    const fresh: Rendered = (this.current = { services: [], chains: [], rules: [], recent: [] });
    try {
      this.renderInto(i, fresh);
    } catch (e) {
      // A render that fails part-way is taken out whole: the next packet to the Service meets the same error, not half its rules.
      this.current = undefined;
      this.drop(fresh);
      throw e;
    }
    this.current = undefined;
    this.kept.add(fresh);
    return true;
  }

  /** Renders Service i (and the Services sharing its chain names) into the render under way. */
  private renderInto(i: number, g: Rendered): void {
    g.services.push(i);
    this.rendered.set(i, g);
    const { state, family } = this.req;
    const svc = state.services[i]!;
    const ports = proxiedPortsShared(state, svc, family, this.ctx.node, topologyInput(this.ctx.node, { kubeProxyMinor: kubeProxyMinor(this.req.version) }));
    const write = servicePortWriter(this.ctx);
    ports.forEach((sp, p) => {
      const sink: RuleSink = { filterRules: [], natChains: [], natRules: [] };
      write(sp, this.ctx, sink);
      const base = (this.ranks[i]![p]! + 1) * SLOT;
      for (const c of sink.natChains) this.chain('nat', c);
      let seq = 0;
      for (const r of sink.filterRules) this.add('filter', r.chain, base + seq++, r.text, true);
      // A port's rules come chain by chain (a fan-out's jumps, an endpoint's two rules): look each chain up once.
      let last: CompiledChain | undefined;
      for (const r of sink.natRules) {
        if (last?.chain.name !== r.chain) last = chainOf(this.compiled, 'nat', r.chain);
        this.add('nat', r.chain, base + seq++, r.text, true, r, last);
      }
    });
    for (const mate of this.mates(svc, i)) this.renderService(mate);
  }

  private mates(svc: ServiceModel, i: number): number[] {
    if (!this.sameChains.size) return [];
    const out: number[] = [];
    for (const info of servicePortInfos(svc, this.req.family, kubeProxyMinor(this.req.version))) {
      const list = this.sameChains.get(`${portNameString({ info } as ProxiedServicePort, this.ctx)}/${info.protocol}`);
      if (list) for (const j of list) if (j !== i) out.push(j);
    }
    return out;
  }

  /** What saveText shows besides the Services' rules, in the same places. */
  private addFixed(): void {
    const ctx = this.ctx;
    const fixed = proxierRules(ctx);
    for (const t of Object.keys(BUILTINS)) {
      this.chain(t, KUBE_PROXY_CANARY);
      for (const c of BUILTINS[t]!) this.chain(t, c, 'ACCEPT');
    }
    for (const c of fixed.filterChains) this.chain('filter', c);
    for (const c of fixed.natChains) this.chain('nat', c);
    for (const r of fixed.before.filter) this.add('filter', r.chain, this.next('filter', r.chain), r.text);
    for (const r of fixed.before.nat) this.add('nat', r.chain, this.next('nat', r.chain), r.text);
    for (const r of fixed.after.filter) this.add('filter', r.chain, AFTER + this.next('filter', r.chain), r.text);
    for (const r of fixed.after.nat) this.add('nat', r.chain, AFTER + this.next('nat', r.chain), r.text);
    // The built-in chains hold only jumps, each prepended (kubelet's first, then kube-proxy's), as saveText lays them out.
    const builtin = new Map<string, string[]>();
    const prepend = (table: string, chain: string, text: string) => {
      const k = `${table}/${chain}`;
      builtin.set(k, [text, ...(builtin.get(k) ?? [])]);
    };
    const kubelet = kubeletIPTables(this.req.version, this.req.family, ctx.profile);
    if (kubelet) {
      for (const c of kubelet.chains) this.chain(c.table, c.chain);
      for (const r of kubelet.rules) this.add(r.table, r.chain, AFTER + this.next(r.table, r.chain), r.args.join(' '));
      for (const j of kubelet.jumps) prepend(j.table, j.chain, j.args.join(' '));
    }
    for (const j of jumpRulesFor(ctx.profile)) {
      this.chain(j.table, j.to);
      prepend(j.table, j.from, jumpArgs(j).join(' '));
    }
    for (const [k, texts] of builtin) {
      const [table, chain] = k.split('/') as [string, string];
      texts.forEach((text, i) => this.add(table, chain, i, text));
    }
  }

  private next(table: string, chain: string): number {
    const k = `${table}/${chain}`;
    const n = this.counters.get(k) ?? 0;
    this.counters.set(k, n + 1);
    return n;
  }

  /** The chain, declared (empty) if new. */
  private chain(table: string, name: string, policy?: 'ACCEPT'): CompiledChain {
    let c = chainOf(this.compiled, table, name);
    if (!c) {
      const chain: Chain = { name, table, rules: [], line: 0 };
      if (policy) chain.policy = policy;
      c = growingChain(chain, KEYS.get(table)?.get(name) ?? 'none');
      setChain(this.compiled, table, name, c);
      const g = this.current;
      if (g) {
        g.chains.push(c);
        c.owner = g;
      }
    }
    return c;
  }

  private add(table: string, chain: string, index: number, text: string, declaredOnly = false, hint?: ShapeHint, known?: CompiledChain): void {
    const c = known ?? chainOf(this.compiled, table, chain);
    if (!c && declaredOnly) throw new Error(`generated rules do not parse (rule for chain ${chain}, which table ${table} does not declare)`);
    let rule;
    try {
      rule = payloadRule(table, chain, index, text, this.req.family, this.shared, this.shapes, hint);
    } catch (e) {
      if (e instanceof RulesParseError) throw new Error(`generated rules do not parse (${table} ${chain}: ${e.detail})`);
      throw e;
    }
    for (const m of rule.matches) {
      if (m.kind === 'recent' && m.op === 'rcheck' && m.seconds !== undefined) {
        this.compiled.affinitySeconds.set(m.name, m.seconds);
        this.current?.recent.push(m.name);
      }
    }
    const into = c ?? this.chain(table, chain);
    addRule(into, rule);
    // A rule in a chain of the render under way goes with its chain; one in a chain of the fixed part is taken out alone.
    const g = this.current;
    if (g && into.owner !== g) g.rules.push({ c: into, r: rule });
  }
}

/** The compiled chains as a RuleSet (tables and chains in the order they were added). */
function ruleSetOf(family: IPFamily, byTable: Map<string, Map<string, CompiledChain>>): RuleSet {
  const tables = new Map<string, RuleTable>();
  for (const [name, chains] of byTable) {
    const t: RuleTable = { name, chains: new Map() };
    for (const [chain, c] of chains) t.chains.set(chain, c.chain);
    tables.set(name, t);
  }
  return { format: 'save', family, tables, deleted: [], warnings: [] };
}

function add<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}
