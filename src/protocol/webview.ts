/**
 * Messages between the extension host and the debugger panel's webview, declared once and imported by
 * both sides (src/extension/panels and webview/). Pure data: no vscode, no DOM, no node:.
 *
 * Three envelopes cross the boundary:
 * - `request` (webview -> extension): a method from {@link PanelRequests} with its params and an id;
 * - `reply` (extension -> webview): the result or an error for that id;
 * - `event` (extension -> webview): {@link ToPanelEvent}, pushed when the Service or its data change.
 */
import type { EndpointRow } from '../core/endpoints/service';

// #region shared data

export interface ServiceRef {
  namespace: string;
  name: string;
  /** The kubeconfig context of a live cluster; absent for the workspace manifests. */
  context?: string;
}

/** A matched pod and whether it is served, with the reasons when it is not (live or manifests). */
export interface PodVerdictView {
  /** namespace/name */
  pod: string;
  ip: string;
  node?: string;
  served: boolean;
  reasons: { code: string; reason: string; port?: string }[];
}

/** Where a live Service's data comes from and how current it is. */
export interface LiveInfo {
  context: string;
  server: string;
  /** syncing, synced, reconnecting, forbidden, error. */
  state: string;
  /** What is wrong, in words (reconnecting since..., not allowed to read pods in ns...). */
  message?: string;
  /** ms since the epoch when the data stopped being current; absent while current. */
  staleSince?: number;
  /** Resources RBAC does not let us read for this Service's namespace ("pods", "endpointslices"...). */
  unreadable?: string[];
}

export type Health = 'ok' | 'warning' | 'error' | 'none';

export interface PortView {
  name: string;
  protocol: string;
  port: number;
  targetPort: string;
  /** 0 when none. */
  nodePort: number;
}

/** One endpoint row of the panel: exactly the core's row (type only: nothing of the core is bundled for this). */
export type EndpointView = EndpointRow;

export interface ExcludedView {
  pod: string;
  code: string;
  reason: string;
}

/** Where a Service is written, for "reveal in editor". Lines and characters are 0-based. */
export interface SourceLocation {
  file: string;
  line: number;
  character: number;
}

export interface ServiceView {
  ref: ServiceRef;
  type: string;
  clusterIP: string;
  clusterIPs: string[];
  clusterIPAssigned: boolean;
  ports: PortView[];
  externalIPs: string[];
  loadBalancerIPs: string[];
  selector: Record<string, string> | null;
  sessionAffinity: string;
  externalTrafficPolicy: string;
  internalTrafficPolicy: string;
  /** `slices`: given EndpointSlices; `computed`: from Pods; `none`: neither. */
  endpointSource: 'slices' | 'computed' | 'none';
  endpoints: EndpointView[];
  excluded: ExcludedView[];
  health: Health;
  /** One line on the health, in plain words. */
  healthText: string;
  location: SourceLocation | null;
  /** Every pod the selector matches: served or not, and why not. */
  pods?: PodVerdictView[];
  /** Why the Service has no ready endpoint, in one sentence. */
  summary?: string;
  /** Set for a Service of a live cluster. */
  live?: LiveInfo;
}

/** What the trace form offers as sources and nodes. */
export interface TraceChoices {
  pods: { label: string; ip: string }[];
  nodes: { name: string; ip: string }[];
}

/** A feature whose engine has not landed (or cannot run) says so plainly instead of showing made-up data. */
export interface Unavailable {
  available: false;
  reason: string;
}

// #endregion

// #region rule chains

export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';

export interface FlowNode {
  id: string;
  /** Chain or table name, as the proxy writes it. */
  label: string;
  kind: 'entry' | 'service' | 'endpoint' | 'nodeport' | 'loadbalancer' | 'external' | 'firewall' | 'masquerade' | 'reject' | 'other';
}
export interface FlowEdge {
  from: string;
  to: string;
  /** The match, e.g. "10.96.0.10/32 tcp dpt:53" or "probability 0.5". */
  label: string;
  probability?: number;
}

export interface RuleChainAvailable {
  available: true;
  mode: ProxyMode;
  version: string;
  /** Which kube-proxy release the rules show when the cluster named it (no version chosen), and any fallback. */
  note?: string;
  /** The Node whose rules these are: the one chosen, else the first Node; absent when no Node is known. */
  node?: string;
  /** The rules as the proxy writes them (restore payload, nft transaction or ipvsadm listing). */
  text: string;
  /** The language id that highlights `text`. */
  languageId: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
}
export type RuleChainView = RuleChainAvailable | Unavailable;

export interface RuleChainParams {
  ref: ServiceRef;
  mode: ProxyMode;
  /** kube-proxy version "X.Y", or "" for the cluster's (kube-proxy DaemonSet or Pod, node kubelet), else the mode's default. */
  version: string;
  /**
   * The Node whose rules to show ("" or absent: the first Node): it decides the release taken from the cluster,
   * the node's own addresses and which endpoints are local (traffic policies Local).
   */
  node?: string;
}

// #endregion

// #region traces

export type Verdict = 'DNAT' | 'DROP' | 'REJECT' | 'ACCEPT' | 'NONE';

export interface TraceParams {
  ref: ServiceRef | null;
  /** An IP, or pod:NS/NAME, or node:NAME, as `ksd trace --from` takes it. */
  from: string;
  /** ADDRESS:PORT (IPv6 as [addr]:port). */
  to: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** "" for the default node. */
  node: string;
  mode: ProxyMode;
  /** Trace through a node's imported rules (an {@link ImportedRulesInfo} id) instead of the rules kube-proxy would write. */
  imported?: string;
}

/** A node's rules brought in with Import Node Rules: what the panel offers to trace through. */
export interface ImportedRulesInfo {
  id: string;
  /** The file's path as the user knows it. */
  file: string;
  /** The proxy mode the dump belongs to (detected from its text). */
  kind: ProxyMode;
  /** The node the rules are from ("" when the workspace has no Node). */
  node: string;
  family: 'IPv4' | 'IPv6';
  /** Differences from the expected rules (missing + extra + stale + chains); -1 when they could not be compared. */
  differences: number;
}

/** The `ksd trace --json` result shape. */
export interface TraceResultView {
  verdict: Verdict;
  endpoints: { ip: string; port: number; probability: number }[];
  masquerade: boolean;
  steps: { table: string; chain: string; rule: string; effect: string }[];
  explanation: string;
  /** The node whose rules were followed ("" when no Node is given), and the source as resolved. */
  node: string;
  source: string;
  /** Set when the trace went through imported rules: which, and a mismatch with the panel's mode in words. */
  through?: { file: string; kind: ProxyMode; note?: string };
}
export type TraceView = { available: true; result: TraceResultView } | Unavailable;

// #endregion

// #region DNS and environment

export interface DnsRecordView {
  name: string;
  type: string;
  value: string;
}
export interface DnsAvailable {
  available: true;
  records: DnsRecordView[];
  env: { name: string; value: string }[];
  /** Caveats in plain words (assigned addresses, variable conflicts). */
  notes: string[];
}
export type DnsView = DnsAvailable | Unavailable;

// #endregion

// #region webview -> extension (requests)

/** Every request the webview can make: method -> params and result. */
export interface PanelRequests {
  /** The Service's data (sent again as an event when it changes). */
  service: { params: ServiceRef; result: { service: ServiceView | null; choices: TraceChoices; mode: ProxyMode; version: string; imports: ImportedRulesInfo[] } };
  ruleChain: { params: RuleChainParams; result: RuleChainView };
  trace: { params: TraceParams; result: TraceView };
  dns: { params: ServiceRef; result: DnsView };
  /** Open the Service's manifest at its location. */
  reveal: { params: ServiceRef; result: boolean };
  /**
   * What the panel was last told to show, and the trace it was last asked to run: asked at start, since
   * events posted while the document loads or reloads (VS Code reloads a hidden or moved webview) are lost.
   */
  current: { params: Record<string, never>; result: PanelIntent };
}
export type PanelMethod = keyof PanelRequests;

export type RequestMessage = {
  [M in PanelMethod]: { kind: 'request'; id: number; method: M; params: PanelRequests[M]['params'] };
}[PanelMethod];

// #endregion

// #region extension -> webview (replies and events)

export type ReplyMessage = { kind: 'reply'; id: number; ok: true; result: unknown } | { kind: 'reply'; id: number; ok: false; error: string };

export type ToPanelEvent =
  /** Show this Service (the panel was opened for it, or the user picked another). */
  | { type: 'show'; ref: ServiceRef; tab?: PanelTab }
  /** The workspace changed: fetch again. */
  | { type: 'changed' }
  /** Fill the trace form and run it (the traceRequest command). */
  | { type: 'runTrace'; params: TraceParams }
  /** The imported node rules changed (one was imported): the trace form's choices. */
  | { type: 'imports'; imports: ImportedRulesInfo[] };
export type EventMessage = { kind: 'event'; event: ToPanelEvent };

export type PanelTab = 'endpoints' | 'rules' | 'trace' | 'dns';

/** The Service and tab the panel was last told to show, and the trace it was last asked to run. */
export interface PanelIntent {
  ref: ServiceRef | null;
  tab?: PanelTab;
  trace?: TraceParams;
}

/** The state the webview keeps with setState, so a restarted VS Code can revive the panel. */
export interface PanelState {
  ref: ServiceRef | null;
  tab: PanelTab;
}

export type ToPanelMessage = ReplyMessage | EventMessage;
export type FromPanelMessage = RequestMessage;

// #endregion

// #region validation (messages are data from another process: never trust their shape)

const METHODS: readonly PanelMethod[] = ['service', 'ruleChain', 'trace', 'dns', 'reveal', 'current'];

export function isRequestMessage(m: unknown): m is RequestMessage {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return r['kind'] === 'request' && typeof r['id'] === 'number' && Number.isInteger(r['id']) && METHODS.includes(r['method'] as PanelMethod) && typeof r['params'] === 'object' && r['params'] !== null;
}

export function isToPanelMessage(m: unknown): m is ToPanelMessage {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  if (r['kind'] === 'reply') return typeof r['id'] === 'number' && typeof r['ok'] === 'boolean';
  if (r['kind'] === 'event') {
    const e = r['event'] as Record<string, unknown> | undefined;
    return typeof e === 'object' && e !== null && (e['type'] === 'show' || e['type'] === 'changed' || e['type'] === 'runTrace' || e['type'] === 'imports');
  }
  return false;
}

export function isServiceRef(v: unknown): v is ServiceRef {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r['namespace'] === 'string' && typeof r['name'] === 'string' && (r['context'] === undefined || typeof r['context'] === 'string');
}

export function formatRef(ref: ServiceRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/** "NS/NAME" for the workspace, "CONTEXT: NS/NAME" for a live cluster. */
export function describeRef(ref: ServiceRef): string {
  return ref.context === undefined ? formatRef(ref) : `${ref.context}: ${formatRef(ref)}`;
}

export function sameRef(a: ServiceRef | null | undefined, b: ServiceRef | null | undefined): boolean {
  return !!a && !!b && a.namespace === b.namespace && a.name === b.name && a.context === b.context;
}

/** "NS/NAME" or "NAME" (namespace default). */
export function parseRef(text: string): ServiceRef | undefined {
  const t = text.trim();
  const m = /^(?:([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(t);
  if (!m) return undefined;
  return { namespace: m[1] ?? 'default', name: m[3]! };
}

// #endregion
