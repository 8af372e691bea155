/** Requests to the extension (id/reply envelope) and a type-narrowing registry of event handlers. */
import { isToPanelMessage, type PanelMethod, type PanelRequests, type PanelState, type ToPanelEvent } from '../src/protocol/webview';

const vscode = acquireVsCodeApi<PanelState>();
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 1;

type EventHandler<T extends ToPanelEvent['type']> = (e: Extract<ToPanelEvent, { type: T }>) => void;
const handlers: { [T in ToPanelEvent['type']]?: EventHandler<T> } = {};

export function onEvent<T extends ToPanelEvent['type']>(type: T, handler: EventHandler<T>): void {
  (handlers as Record<string, unknown>)[type] = handler;
}

export function request<M extends PanelMethod>(method: M, params: PanelRequests[M]['params']): Promise<PanelRequests[M]['result']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    vscode.postMessage({ kind: 'request', id, method, params });
  });
}

export function saveState(s: PanelState): void {
  vscode.setState(s);
}
export function loadState(): PanelState | undefined {
  return vscode.getState();
}

window.addEventListener('message', (ev: MessageEvent<unknown>) => {
  const m = ev.data;
  if (!isToPanelMessage(m)) return;
  if (m.kind === 'reply') {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new Error(m.error));
    return;
  }
  const h = handlers[m.event.type] as ((e: ToPanelEvent) => void) | undefined;
  h?.(m.event);
});
