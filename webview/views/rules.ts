import type { FlowEdge, FlowNode, ProxyMode, RuleChainAvailable, ServiceView, TraceChoices } from '../../src/protocol/webview';
import { clear, h, notice } from '../dom';
import { nodeSelect } from '../nodeChoice';
import { request } from '../rpc';

/** The user's last choice in this panel; the settings/workspace default until they pick one. */
let chosen: { mode: ProxyMode; version: string } | null = null;

export function renderRules(svc: ServiceView, nodes: TraceChoices['nodes'], defaultMode: ProxyMode, defaultVersion: string): HTMLElement {
  let mode = chosen?.mode ?? defaultMode;
  let version = chosen?.version ?? defaultVersion;
  const out = h('div', { class: 'rules-body', 'aria-live': 'polite' });
  const modeSel = h('select', { id: 'rules-mode', 'aria-label': 'Proxy mode' }, ...(['iptables', 'nftables', 'ipvs'] as const).map((m) => h('option', { value: m, selected: m === mode }, m)));
  const versionIn = h('input', { id: 'rules-version', type: 'text', value: version, placeholder: 'from cluster', size: 8, 'aria-label': 'kube-proxy version (X.Y)', pattern: '\\d+\\.\\d+' });
  // The panel's node (shared with the trace form): the rules kube-proxy writes on that node.
  const nodeSel = nodeSelect('rules-node', nodes, 'Node whose rules to show', 'first node', undefined, () => void refresh());
  const refresh = async () => {
    mode = modeSel.value as ProxyMode;
    version = versionIn.value.trim();
    if (mode !== defaultMode || version !== defaultVersion) chosen = { mode, version };
    clear(out);
    out.appendChild(h('p', { class: 'muted' }, 'Computing rules...'));
    try {
      const view = await request('ruleChain', { ref: svc.ref, mode, version, node: nodeSel.value });
      clear(out);
      if (!view.available) out.appendChild(notice(view.reason, 'warning'));
      else {
        if (view.note) out.appendChild(notice(view.note, 'info'));
        if (view.node) out.appendChild(h('p', { class: 'muted', 'data-testid': 'rules-node-shown' }, `The rules kube-proxy writes on node ${view.node}.`));
        out.appendChild(renderChain(view));
      }
    } catch (e) {
      clear(out);
      out.appendChild(notice(e instanceof Error ? e.message : String(e), 'error'));
    }
  };
  modeSel.addEventListener('change', () => void refresh());
  versionIn.addEventListener('change', () => void refresh());
  const toolbar = h('div', { class: 'toolbar' }, h('label', { for: 'rules-mode' }, 'Mode '), modeSel, h('label', { for: 'rules-version' }, ' kube-proxy '), versionIn);
  if (nodes.length > 1) toolbar.append(h('label', { for: 'rules-node' }, ' Node '), nodeSel);
  const root = h('div', { class: 'rules' }, toolbar, out);
  void refresh();
  return root;
}

function renderChain(view: RuleChainAvailable): HTMLElement {
  return h('div', { class: 'split' }, h('div', { class: 'flow', role: 'tree', 'aria-label': 'Rule chain as a flow' }, ...flowTree(view.nodes, view.edges)), h('pre', { class: 'raw', tabindex: 0, 'aria-label': 'Rules as kube-proxy writes them' }, view.text));
}

/** The flow as nested lists from the entry chains down: edge labels carry matches and probabilities. */
function flowTree(nodes: FlowNode[], edges: FlowEdge[]): HTMLElement[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const targets = new Set(edges.map((e) => e.to));
  const roots = nodes.filter((n) => !targets.has(n.id));
  const seen = new Set<string>();
  const item = (n: FlowNode, via: FlowEdge | null): HTMLElement => {
    const li = h('li', { role: 'treeitem', class: `flow-node ${n.kind}` });
    if (via) li.appendChild(h('span', { class: 'edge' }, via.label, via.probability !== undefined ? ` (${(via.probability * 100).toFixed(1)}%)` : ''));
    li.appendChild(h('span', { class: 'chain' }, n.label));
    if (seen.has(n.id)) return li;
    seen.add(n.id);
    const out = edges.filter((e) => e.from === n.id);
    if (out.length) li.appendChild(h('ul', { role: 'group' }, ...out.map((e) => item(byId.get(e.to) ?? { id: e.to, label: e.to, kind: 'other' }, e))));
    return li;
  };
  return [h('ul', {}, ...roots.map((r) => item(r, null)))];
}
