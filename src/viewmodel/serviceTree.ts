/**
 * The Services tree as plain data: source (the workspace, each live cluster context) -> namespace -> Service
 * -> port -> endpoints and the matched pods that are not served. The VS Code side turns each node into a TreeItem in getTreeItem; nothing here
 * knows about VS Code, so the structure is unit-tested in plain Node.
 */
import type { ClusterState } from '../core';
import type { EndpointView, ExcludedView, Health, PortView, ServiceRef, ServiceView, SourceLocation } from '../protocol/webview';
import { objectLocation, toServiceView } from './serviceView';

/** `workspace`, or `live:CONTEXT`. */
export type SourceId = string;
export const WORKSPACE: SourceId = 'workspace';

export type TreeNode =
  | { kind: 'source'; id: string; source: SourceId; label: string; services: number; status: string }
  | { kind: 'notice'; id: string; label: string; detail: string; icon: 'info' | 'lock' | 'warning' | 'error' | 'sync' }
  | { kind: 'namespace'; id: string; source: SourceId; namespace: string; services: number }
  | { kind: 'service'; id: string; source: SourceId; ref: ServiceRef; view: ServiceView }
  | { kind: 'port'; id: string; source: SourceId; ref: ServiceRef; port: PortView; ready: number; total: number }
  | { kind: 'endpoint'; id: string; source: SourceId; ref: ServiceRef; endpoint: EndpointView }
  | { kind: 'excluded'; id: string; source: SourceId; ref: ServiceRef; excluded: ExcludedView; location: SourceLocation | null };

/**
 * What the tree reads of a source: Services per namespace (no model built), and one namespace's state when
 * it is expanded. A live cluster answers from its stores and per-namespace states, so a change in one
 * namespace of a big cluster costs the tree only that namespace.
 */
export interface SourceData {
  namespaces: ReadonlyMap<string, number>;
  stateOf(namespace: string): ClusterState;
}

const wrapped = new WeakMap<ClusterState, SourceData>();
/** A whole cluster state as tree data (the workspace, or a test's live state). */
export function sourceData(state: ClusterState): SourceData {
  let d = wrapped.get(state);
  if (!d) {
    const namespaces = new Map<string, number>();
    for (const s of state.services) namespaces.set(s.namespace, (namespaces.get(s.namespace) ?? 0) + 1);
    d = { namespaces, stateOf: () => state };
    wrapped.set(state, d);
  }
  return d;
}

/** A live cluster context from the kubeconfig: connected when its node is expanded. */
export interface LiveSource {
  context: string;
  /** Undefined until something is synced. */
  data: SourceData | undefined;
  /** Sync state in words ("not connected", "syncing", "synced", "reconnecting: ..."). */
  status: string;
  /** Why the context cannot be shown (connection refused, forbidden, exec plugin refused...). */
  error?: string;
}

export interface TreeInput {
  state: ClusterState | undefined;
  /** Set while the workspace is loading for the first time. */
  loading: boolean;
  /** Restricted Mode: live cluster sources are off. */
  trusted: boolean;
  /** Live cluster contexts (only when trusted and enabled in settings). */
  live?: LiveSource[];
  /** Live clusters are on but none can be listed: why (no kubeconfig, an unreadable one, no contexts). */
  liveProblem?: string;
}

function dataOf(input: TreeInput, source: SourceId): SourceData | undefined {
  if (source === WORKSPACE) return input.state ? sourceData(input.state) : undefined;
  return input.live?.find((l) => `live:${l.context}` === source)?.data;
}

const total = (d: SourceData | undefined) => [...(d?.namespaces.values() ?? [])].reduce((a, b) => a + b, 0);

/**
 * A namespace's Service views, computed once per state and namespace when the tree first shows it: the tree
 * asks for children many times, and on a big live cluster only the expanded namespaces should cost anything.
 */
const views = new WeakMap<ClusterState, Map<string, ServiceView[]>>();
export function serviceViewsIn(state: ClusterState, namespace: string): ServiceView[] {
  let byNs = views.get(state);
  if (!byNs) views.set(state, (byNs = new Map()));
  let list = byNs.get(namespace);
  if (!list) {
    list = state.services.filter((svc) => svc.namespace === namespace).map((svc) => toServiceView(state, svc));
    byNs.set(namespace, list);
  }
  return list;
}

export function rootNodes(input: TreeInput): TreeNode[] {
  const out: TreeNode[] = [];
  const count = input.state?.services.length ?? 0;
  out.push({ kind: 'source', id: 'src:workspace', source: WORKSPACE, label: 'Workspace', services: count, status: '' });
  if (input.trusted) for (const l of input.live ?? []) out.push({ kind: 'source', id: `src:live:${l.context}`, source: `live:${l.context}`, label: `Cluster: ${l.context}`, services: total(l.data), status: l.error ? 'error' : l.status });
  if (input.trusted && input.liveProblem) {
    out.push({ kind: 'notice', id: 'notice:live', icon: 'warning', label: `Live clusters: ${input.liveProblem}`, detail: `${input.liveProblem}. Set kubeServiceDebugger.live.kubeconfig (or KUBECONFIG) to a kubeconfig file, or turn off kubeServiceDebugger.live.enabled. The workspace manifests are analysed either way.` });
  }
  if (!input.trusted) {
    out.push({ kind: 'notice', id: 'notice:restricted', icon: 'lock', label: 'Live clusters are off in Restricted Mode', detail: 'Manifests are still analysed. Trust this workspace to read your kubeconfig and reach a cluster.' });
  }
  return out;
}

export function childNodes(input: TreeInput, node: TreeNode): TreeNode[] {
  const data = 'source' in node ? dataOf(input, node.source) : undefined;
  switch (node.kind) {
    case 'source': {
      const live = input.live?.find((l) => `live:${l.context}` === node.source);
      if (live?.error) return [{ kind: 'notice', id: `${node.id}:error`, icon: 'error', label: live.error, detail: live.error }];
      if (!data) {
        if (live) return [{ kind: 'notice', id: `${node.id}:connecting`, icon: 'sync', label: `Connecting (${live.status})...`, detail: '' }];
        return input.loading ? [{ kind: 'notice', id: 'notice:loading', icon: 'info', label: 'Reading manifests...', detail: '' }] : [];
      }
      if (!total(data))
        return [live ? { kind: 'notice', id: `${node.id}:empty`, icon: 'info', label: 'No Services visible in this cluster', detail: '' } : { kind: 'notice', id: 'notice:empty', icon: 'info', label: 'No Services in the workspace manifests', detail: 'Open a folder with Kubernetes YAML or JSON (Service, Deployment, Pod...).' }];
      const byNs = data.namespaces;
      const prefix = node.source === WORKSPACE ? '' : `${node.source}:`;
      return [...byNs.keys()].sort().map((ns) => ({ kind: 'namespace', id: `${prefix}ns:${ns}`, source: node.source, namespace: ns, services: byNs.get(ns)! }));
    }
    case 'namespace':
      if (!data) return [];
      return [...serviceViewsIn(data.stateOf(node.namespace), node.namespace)]
        .sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0))
        .map((view) => ({ kind: 'service', id: `${node.source === WORKSPACE ? '' : `${node.source}:`}svc:${view.ref.namespace}/${view.ref.name}`, source: node.source, ref: node.source === WORKSPACE ? view.ref : { ...view.ref, context: node.source.slice('live:'.length) }, view }));
    case 'service': {
      const v = node.view;
      const ports: TreeNode[] = v.ports.map((port) => {
        const rows = v.endpoints.filter((e) => e.portName === port.name);
        return { kind: 'port', id: `${node.id}:port:${port.name}:${port.port}/${port.protocol}`, source: node.source, ref: node.ref, port, ready: rows.filter((r) => r.ready).length, total: rows.length };
      });
      const excluded: TreeNode[] = v.excluded.map((x, i) => ({ kind: 'excluded', id: `${node.id}:x:${i}:${x.pod}:${x.code}`, source: node.source, ref: node.ref, excluded: x, location: podLocation(data?.stateOf(node.ref.namespace), x.pod) }));
      return [...ports, ...excluded];
    }
    case 'port': {
      if (!data) return [];
      const view = serviceViewsIn(data.stateOf(node.ref.namespace), node.ref.namespace).find((v) => v.ref.name === node.ref.name);
      if (!view) return [];
      return view.endpoints
        .filter((e) => e.portName === node.port.name)
        .map((endpoint) => ({ kind: 'endpoint', id: `${node.id}:ep:${endpoint.ip}:${endpoint.port}`, source: node.source, ref: node.ref, endpoint }));
    }
    default:
      return [];
  }
}

function podLocation(state: ClusterState | undefined, label: string): SourceLocation | null {
  const [ns, rest] = label.split('/', 2);
  const name = rest?.replace(/ \[simulated\]$/, '');
  const pod = state?.pods.find((p) => p.namespace === ns && p.name === name);
  return objectLocation(pod?.loaded);
}

/** The text after a node's label (TreeItem.description). */
export function describe(node: TreeNode): string {
  switch (node.kind) {
    case 'source':
      return `${node.services} Service${node.services === 1 ? '' : 's'}${node.status ? `  ${node.status}` : ''}`;
    case 'namespace':
      return String(node.services);
    case 'service': {
      const v = node.view;
      const ip = v.type === 'ExternalName' ? '' : v.clusterIP === 'None' ? 'headless' : v.clusterIP;
      const ports = v.ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol}`).join(',');
      return [v.type, ip, ports].filter(Boolean).join('  ');
    }
    case 'port':
      return `-> ${node.port.targetPort}  ${node.ready}/${node.total} ready`;
    case 'endpoint': {
      const e = node.endpoint;
      return [endpointState(e), e.pod ?? '', e.node ? `on ${e.node}` : '', e.simulated ? '[simulated]' : ''].filter(Boolean).join('  ');
    }
    case 'excluded':
      return node.excluded.reason;
    case 'notice':
      return '';
  }
}

export function endpointState(e: EndpointView): string {
  if (e.ready) return 'ready';
  if (e.terminating) return e.serving ? 'terminating (serving)' : 'terminating';
  return e.serving ? 'serving' : 'not ready';
}

export function healthIcon(h: Health): { icon: string; color: string | undefined } {
  switch (h) {
    case 'ok':
      return { icon: 'pass', color: 'testing.iconPassed' };
    case 'warning':
      return { icon: 'warning', color: 'list.warningForeground' };
    case 'error':
      return { icon: 'error', color: 'list.errorForeground' };
    default:
      return { icon: 'circle-outline', color: undefined };
  }
}

/**
 * What to refresh when one source changed. Refreshing the whole tree re-creates every row, and a click that
 * lands on a row in that moment runs nothing (VS Code drops the old row's command and element), so a change in
 * one live cluster refreshes only that cluster's row and what is under it. The whole tree is refreshed when
 * the set of sources changed (a context added or removed, trust changed) or the changed source was never shown.
 * `shown` are the root nodes VS Code holds; the returned node is one of them, to be updated in place with `fresh`.
 */
export function refreshPlan(shown: readonly TreeNode[] | undefined, next: readonly TreeNode[], source: SourceId | undefined): { all: true } | { all: false; node: TreeNode; fresh: TreeNode } {
  if (!shown || source === undefined || shown.length !== next.length || shown.some((n, i) => n.id !== next[i]!.id)) return { all: true };
  const i = shown.findIndex((n) => n.kind === 'source' && n.source === source);
  if (i < 0) return { all: true };
  return { all: false, node: shown[i]!, fresh: next[i]! };
}
