/**
 * Custom LSP messages of the Kubernetes Service Debugger server, declared once and imported by the server
 * (src/server) and the VS Code extension (src/extension). Method names are literal so other editors can
 * call them too. Descriptors are plain `{method}` objects with phantom types, so this file has no runtime imports:
 * `connection.sendRequest(ServiceSummaryRequest.method, params) as Promise<ResultOf<typeof ServiceSummaryRequest>>`.
 */

/** A request: its method plus phantom parameter and result types (never set at run time). */
export interface RequestDescriptor<P, R> {
  readonly method: string;
  readonly _types?: { params: P; result: R };
}
/** A notification: its method plus a phantom parameter type. */
export interface NotificationDescriptor<P> {
  readonly method: string;
  readonly _types?: { params: P };
}
export type ParamsOf<T> = T extends RequestDescriptor<infer P, unknown> ? P : T extends NotificationDescriptor<infer P> ? P : never;
export type ResultOf<T> = T extends RequestDescriptor<unknown, infer R> ? R : never;

/** A Service as `namespace/name`. */
export interface ServiceRef {
  namespace: string;
  name: string;
}

/** Where something is written, as an LSP location (uri + 0-based range). */
export interface SourceLocation {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

// ---------------------------------------------------------------- client -> server requests

export interface ServiceSummaryParams {
  /** Only Services written in this document (omit for the whole workspace). */
  uri?: string;
}
export interface ServiceSummaryItem extends ServiceRef {
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP: string;
  /** True when the manifest left clusterIP out and the server picked one as the API server would. */
  clusterIPAssigned: boolean;
  ports: { name: string; port: number; targetPort: number | string; protocol: string; nodePort: number }[];
  /** Where the endpoints come from: given EndpointSlices, computed from pods, or none (no selector). */
  endpointsSource: 'slices' | 'computed' | 'none';
  /** Pods the selector matches (real and simulated). */
  matchedPods: number;
  /** Distinct endpoint addresses that are ready. */
  readyEndpoints: number;
  notReadyEndpoints: number;
  /** Matched pods left out, with the reason (one entry per pod and reason). */
  excluded: { pod: string; reason: string }[];
  /** Number of error/warning diagnostics on the Service's document. */
  problems: { errors: number; warnings: number };
  location?: SourceLocation;
}
export interface ServiceSummaryResult {
  services: ServiceSummaryItem[];
}
/** Client -> server: the Services known to the workspace index, with endpoint counts (the extension's tree). */
export const ServiceSummaryRequest: RequestDescriptor<ServiceSummaryParams, ServiceSummaryResult> = { method: 'ksd/serviceSummary' };

export interface RuleChainParams {
  service: ServiceRef;
  mode?: 'iptables' | 'nftables' | 'ipvs';
  kubeProxyVersion?: string;
  /**
   * The Node whose rules to show (default: the first Node). The node decides the kube-proxy release taken from
   * the cluster, its own addresses (node ports, hairpin) and which endpoints are local (externalTrafficPolicy
   * and internalTrafficPolicy Local). An unknown name answers `available: false`.
   */
  node?: string;
}
export type RuleChainResult =
  /**
   * note: which kube-proxy release the rules show when the cluster named it (no version given).
   * node: the Node whose rules these are (absent when the workspace has no Node).
   */
  | { available: true; mode: string; text: string; note?: string; node?: string }
  | { available: false; reason: string };
/** Client -> server: the kube-proxy rules for one Service. `available: false` with a reason until the simulator exists. */
export const RuleChainRequest: RequestDescriptor<RuleChainParams, RuleChainResult> = { method: 'ksd/ruleChain' };

export interface TraceParams {
  /** An IP, `pod:NS/NAME`, `node:NAME`, `external:IP`, or a pod/workload/node name (as `ksd trace --from`). */
  from: string;
  /** `IP:PORT`, `[IPv6]:PORT`, `NS/NAME:PORT` (a Service's ClusterIP) or `node:NAME:PORT`. */
  to: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  node?: string;
  mode?: 'iptables' | 'nftables' | 'ipvs';
}
export type TraceResult =
  | { available: true; verdict: 'DNAT' | 'DROP' | 'REJECT' | 'ACCEPT' | 'NONE'; endpoints: { ip: string; port: number; probability: number }[]; masquerade: boolean; steps: { table: string; chain: string; rule: string; effect: string }[]; explanation: string }
  | { available: false; reason: string };
/**
 * Client -> server: trace the first packet of a new connection through the rules kube-proxy would write for the
 * workspace (mode from the request, the settings or the workspace's KubeProxyConfiguration). `available: false`
 * with a reason for input the trace cannot use (unknown source, malformed destination, unknown node).
 */
export const TraceRequest: RequestDescriptor<TraceParams, TraceResult> = { method: 'ksd/trace' };

// ---------------------------------------------------------------- server -> client notifications

export interface StatusParams {
  state: 'indexing' | 'ready' | 'error';
  /** Files and objects in the index. */
  files: number;
  objects: number;
  services: number;
  message?: string;
}
/** Server -> client: indexing progress and totals (status bar item). */
export const StatusNotification: NotificationDescriptor<StatusParams> = { method: 'ksd/status' };

export interface LiveStatusParams {
  /**
   * off: the setting is off; untrusted: on, but the client did not say the workspace is trusted;
   * the others: the cluster's sync state (src/live), `error` also when the kubeconfig cannot be read.
   */
  state: 'off' | 'untrusted' | 'connecting' | 'syncing' | 'synced' | 'reconnecting' | 'forbidden' | 'error' | 'stopped';
  context?: string;
  server?: string;
  message?: string;
  /** ms since the epoch when the live data stopped being current. */
  staleSince?: number;
}
/** Server -> client: the live cluster open manifests are checked against (kubeServiceDebugger.live.checkManifests). */
export const LiveStatusNotification: NotificationDescriptor<LiveStatusParams> = { method: 'ksd/liveStatus' };

/** initializationOptions the server reads (all optional). */
export interface InitializationOptions {
  /** The kubeServiceDebugger settings, for clients without workspace/configuration. */
  settings?: unknown;
  /** The same, keyed by section as Helix sends its `config` (`{kubeServiceDebugger: {...}}`); `settings` wins. */
  kubeServiceDebugger?: unknown;
  /** The workspace is trusted: the server may read the kubeconfig (live checks). Other editors opt in by sending true. */
  trusted?: boolean;
  /**
   * The code lens commands the client runs itself (TRACE_COMMAND, RULE_CHAIN_COMMAND: the extension sends
   * both). Lenses for other commands are not sent: an editor without them shows only the pod counts.
   */
  clientCommands?: string[];
}

// ---------------------------------------------------------------- commands the code lenses carry

/** Code lens commands, implemented by the extension. Argument: one ServiceRef (plus the document uri). */
export const TRACE_COMMAND = 'kubeServiceDebugger.traceRequest';
export const RULE_CHAIN_COMMAND = 'kubeServiceDebugger.showRuleChain';
export interface ServiceCommandArgument extends ServiceRef {
  uri: string;
}
