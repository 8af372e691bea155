/**
 * The Services tree as plain data: source -> namespace -> Service -> port -> endpoints and the matched pods
 * that are not served. The VS Code side turns each node into a TreeItem in getTreeItem; nothing here
 * knows about VS Code, so the structure is unit-tested in plain Node.
 */
import type { ClusterState } from '../core';
import type { EndpointView, ExcludedView, Health, PortView, ServiceRef, ServiceView, SourceLocation } from '../protocol/webview';
import { objectLocation, toServiceView } from './serviceView';

export type TreeNode =
  | { kind: 'source'; id: string; source: 'workspace'; label: string; services: number }
  | { kind: 'notice'; id: string; label: string; detail: string; icon: 'info' | 'lock' | 'warning' }
  | { kind: 'namespace'; id: string; namespace: string; services: number }
  | { kind: 'service'; id: string; ref: ServiceRef; view: ServiceView }
  | { kind: 'port'; id: string; ref: ServiceRef; port: PortView; ready: number; total: number }
  | { kind: 'endpoint'; id: string; ref: ServiceRef; endpoint: EndpointView }
  | { kind: 'excluded'; id: string; ref: ServiceRef; excluded: ExcludedView; location: SourceLocation | null };

export interface TreeInput {
  state: ClusterState | undefined;
  /** Set while the workspace is loading for the first time. */
  loading: boolean;
  /** Restricted Mode: live cluster sources are off. */
  trusted: boolean;
}

/** Services views computed once per state: the tree asks for children many times. */
const views = new WeakMap<ClusterState, Map<string, ServiceView>>();
export function serviceViews(state: ClusterState): ServiceView[] {
  let m = views.get(state);
  if (!m) {
    m = new Map();
    for (const svc of state.services) m.set(`${svc.namespace}/${svc.name}`, toServiceView(state, svc));
    views.set(state, m);
  }
  return [...m.values()];
}

export function rootNodes(input: TreeInput): TreeNode[] {
  const out: TreeNode[] = [];
  const count = input.state?.services.length ?? 0;
  out.push({ kind: 'source', id: 'src:workspace', source: 'workspace', label: 'Workspace', services: count });
  if (!input.trusted) {
    out.push({ kind: 'notice', id: 'notice:restricted', icon: 'lock', label: 'Live clusters are off in Restricted Mode', detail: 'Manifests are still analysed. Trust this workspace to read your kubeconfig and reach a cluster.' });
  }
  return out;
}

export function childNodes(input: TreeInput, node: TreeNode): TreeNode[] {
  const state = input.state;
  switch (node.kind) {
    case 'source': {
      if (!state) return input.loading ? [{ kind: 'notice', id: 'notice:loading', icon: 'info', label: 'Reading manifests...', detail: '' }] : [];
      if (!state.services.length) return [{ kind: 'notice', id: 'notice:empty', icon: 'info', label: 'No Services in the workspace manifests', detail: 'Open a folder with Kubernetes YAML or JSON (Service, Deployment, Pod...).' }];
      const byNs = new Map<string, number>();
      for (const s of state.services) byNs.set(s.namespace, (byNs.get(s.namespace) ?? 0) + 1);
      return [...byNs.keys()].sort().map((ns) => ({ kind: 'namespace', id: `ns:${ns}`, namespace: ns, services: byNs.get(ns)! }));
    }
    case 'namespace':
      if (!state) return [];
      return serviceViews(state)
        .filter((v) => v.ref.namespace === node.namespace)
        .sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0))
        .map((view) => ({ kind: 'service', id: `svc:${view.ref.namespace}/${view.ref.name}`, ref: view.ref, view }));
    case 'service': {
      const v = node.view;
      const ports: TreeNode[] = v.ports.map((port) => {
        const rows = v.endpoints.filter((e) => e.portName === port.name);
        return { kind: 'port', id: `${node.id}:port:${port.name}:${port.port}/${port.protocol}`, ref: node.ref, port, ready: rows.filter((r) => r.ready).length, total: rows.length };
      });
      const excluded: TreeNode[] = v.excluded.map((x, i) => ({ kind: 'excluded', id: `${node.id}:x:${i}:${x.pod}:${x.code}`, ref: node.ref, excluded: x, location: podLocation(state, x.pod) }));
      return [...ports, ...excluded];
    }
    case 'port': {
      if (!state) return [];
      const view = serviceViews(state).find((v) => v.ref.namespace === node.ref.namespace && v.ref.name === node.ref.name);
      if (!view) return [];
      return view.endpoints
        .filter((e) => e.portName === node.port.name)
        .map((endpoint) => ({ kind: 'endpoint', id: `${node.id}:ep:${endpoint.ip}:${endpoint.port}`, ref: node.ref, endpoint }));
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
      return `${node.services} Service${node.services === 1 ? '' : 's'}`;
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
