/** The traceRequest command's questions: destination, source, protocol, node. */
import * as vscode from 'vscode';
import type { ClusterState } from '../core';
import type { ProxyMode, ServiceRef, TraceParams } from '../protocol/webview';
import { destinations, sources, validateHostPort, validateIP } from '../viewmodel/traceTargets';
import { pickNode } from './nodePicker';

type Pick<T> = vscode.QuickPickItem & { value?: T };

/**
 * Every question keeps its quick pick open when focus moves away: run from (or next to) a focused debugger
 * panel, the panel takes focus back when a pick closes, which would hide the next one at once (seen in the
 * e2e for the node pick; src/extension/nodePicker.ts).
 */
const STAY = { ignoreFocusOut: true } as const;

export async function pickTrace(state: ClusterState, only: ServiceRef | undefined, mode: ProxyMode): Promise<(TraceParams & { ref: ServiceRef | null }) | undefined> {
  const dests = destinations(state, only);
  const destItems: Pick<(typeof dests)[number]>[] = [
    ...dests.map((d) => ({ label: d.label, description: d.detail, value: d })),
    { label: '$(edit) Type a destination...', description: 'ADDRESS:PORT' },
  ];
  const dest = await vscode.window.showQuickPick(destItems, { title: 'Trace a request (1/3): destination', placeHolder: 'Service port, node port, external or load-balancer address', matchOnDescription: true, ...STAY });
  if (!dest) return undefined;
  let to = dest.value?.to;
  let protocol = dest.value?.protocol;
  if (!to) {
    to = await vscode.window.showInputBox({ title: 'Trace a request: destination', prompt: 'ADDRESS:PORT (IPv6 as [addr]:port)', validateInput: validateHostPort, ...STAY });
    if (!to) return undefined;
    const proto = await vscode.window.showQuickPick(['TCP', 'UDP', 'SCTP'], { title: 'Trace a request: protocol', ...STAY });
    if (!proto) return undefined;
    protocol = proto as TraceParams['protocol'];
  }
  const srcItems: Pick<string>[] = [...sources(state).map((s) => ({ label: s.label, description: s.detail, value: s.from })), { label: '$(edit) Any IP address...', description: 'type an address' }];
  const src = await vscode.window.showQuickPick(srcItems, { title: 'Trace a request (2/3): source', placeHolder: 'Where the request comes from', matchOnDescription: true, ...STAY });
  if (!src) return undefined;
  let from = src.value;
  if (!from) {
    from = await vscode.window.showInputBox({ title: 'Trace a request: source address', prompt: 'An IPv4 or IPv6 address', validateInput: validateIP, ...STAY });
    if (!from) return undefined;
  }
  const node = dest.value?.node || (await pickNode(state, 'Trace a request (3/3): node whose rules to follow', 'the node that owns the destination, else the first Node'));
  if (node === undefined) return undefined;
  return { ref: dest.value?.ref ?? null, from: from.trim(), to: to.trim(), protocol: protocol ?? 'TCP', node, mode };
}
