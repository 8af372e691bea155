/** Which node's kube-proxy rules to use, asked only when the state has more than one Node. */
import * as vscode from 'vscode';
import type { ClusterState } from '../core';

/** "" for the default node, a Node name, or undefined when the user cancelled. */
export async function pickNode(state: ClusterState, title: string, defaultDescription: string): Promise<string | undefined> {
  if (state.nodes.length < 2) return '';
  const items = [{ label: 'Default node', description: defaultDescription, value: '' }, ...state.nodes.map((x) => ({ label: x.name, description: x.ips.join(', '), value: x.name }))];
  // ignoreFocusOut: run from a focused debugger panel, the panel takes focus back when the previous pick
  // closes, which would hide this one at once (seen in the e2e).
  return (await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true }))?.value;
}
