/**
 * The node the panel follows, shared by the Rules tab and the trace form: kube-proxy's rules differ per node
 * (the release read from the cluster, the node's addresses, which endpoints are local), so a node picked in
 * one view holds in the other. "" is the default (the first Node for rules; for traces, the node that owns
 * the destination, else the first).
 */
import type { TraceChoices } from '../src/protocol/webview';
import { h } from './dom';

let chosen = '';

/** The chosen node when this Service's state knows it, else "" (a node of another cluster or workspace). */
export function chosenNode(nodes: TraceChoices['nodes']): string {
  return nodes.some((n) => n.name === chosen) ? chosen : '';
}

export function chooseNode(name: string): void {
  chosen = name;
}

/** A select over the nodes, starting at `selected` (default: the panel's choice); picking one changes the panel's choice. */
export function nodeSelect(id: string, nodes: TraceChoices['nodes'], label: string, defaultText: string, selected = chosenNode(nodes), onPick?: () => void): HTMLSelectElement {
  const sel = h('select', { id, 'aria-label': label }, h('option', { value: '' }, defaultText), ...nodes.map((n) => h('option', { value: n.name, selected: n.name === selected }, n.name)));
  sel.addEventListener('change', () => {
    chooseNode(sel.value);
    onPick?.();
  });
  return sel;
}
