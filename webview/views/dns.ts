import type { ServiceView } from '../../src/protocol/webview';
import { clear, h, notice } from '../dom';
import { request } from '../rpc';

export function renderDns(svc: ServiceView): HTMLElement {
  const root = h('div', { class: 'dns', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading...'));
  void request('dns', svc.ref).then(
    (view) => {
      clear(root);
      if (!view.available) {
        root.appendChild(notice(view.reason, 'warning'));
        return;
      }
      for (const n of view.notes) root.appendChild(notice(n, 'info'));
      root.appendChild(h('h2', {}, 'DNS records'));
      root.appendChild(table('DNS records', ['Name', 'Type', 'Value'], view.records.map((r) => [r.name, r.type, r.value])));
      root.appendChild(h('h2', {}, 'Environment variables in pods of this namespace (enableServiceLinks)'));
      root.appendChild(table('Environment variables', ['Name', 'Value'], view.env.map((e) => [e.name, e.value])));
    },
    (e: unknown) => {
      clear(root);
      root.appendChild(notice(e instanceof Error ? e.message : String(e), 'error'));
    },
  );
  return root;
}

function table(label: string, cols: string[], rows: string[][]): HTMLElement {
  return h('table', { 'aria-label': label }, h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));
}
