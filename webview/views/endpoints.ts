import type { EndpointView, ServiceView } from '../../src/protocol/webview';
import { h, icon, notice } from '../dom';

function state(e: EndpointView): string {
  if (e.ready) return 'ready';
  if (e.terminating) return e.serving ? 'terminating (serving)' : 'terminating';
  return e.serving ? 'serving' : 'not ready';
}

export function renderEndpoints(svc: ServiceView): HTMLElement {
  const root = h('div', { class: 'endpoints' });
  const source = svc.endpointSource === 'slices' ? 'From the EndpointSlices in the manifests.' : svc.endpointSource === 'computed' ? 'Computed from the Pods as the EndpointSlice controller would.' : 'No endpoints are managed from these manifests.';
  root.appendChild(h('p', { class: 'muted' }, source));
  if (svc.endpoints.length) {
    const table = h(
      'table',
      { 'aria-label': 'Endpoints' },
      h('thead', {}, h('tr', {}, ...['Address', 'Port', 'State', 'Pod', 'Node', 'Zone'].map((c) => h('th', { scope: 'col' }, c)))),
    );
    const body = h('tbody');
    for (const e of svc.endpoints) {
      body.appendChild(
        h(
          'tr',
          { class: e.ready ? 'ready' : 'not-ready' },
          h('td', {}, e.ip),
          h('td', {}, `${e.portName ? `${e.portName} ` : ''}${e.port}/${e.protocol}`),
          h('td', {}, icon(e.ready ? 'pass' : 'circle-slash', state(e)), ' ', state(e)),
          h('td', {}, e.pod ?? '-', e.simulated ? h('span', { class: 'muted' }, ' [simulated]') : null),
          h('td', {}, e.node ?? '-'),
          h('td', {}, e.zone ?? '-'),
        ),
      );
    }
    table.appendChild(body);
    root.appendChild(table);
  } else if (svc.endpointSource !== 'none') {
    root.appendChild(notice('No endpoints: requests to this Service are rejected.', 'error'));
  }
  if (svc.excluded.length) {
    root.appendChild(h('h2', {}, 'Matched but not served'));
    const ul = h('ul', { class: 'excluded', 'aria-label': 'Pods matched by the selector but not served' });
    for (const x of svc.excluded) ul.appendChild(h('li', {}, icon('debug-disconnect'), ' ', h('strong', {}, x.pod), ': ', x.reason));
    root.appendChild(ul);
  }
  return root;
}
