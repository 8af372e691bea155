import type { EndpointView, PodVerdictView, ServiceView } from '../../src/protocol/webview';
import { h, icon, notice } from '../dom';

function state(e: EndpointView): string {
  if (e.ready) return 'ready';
  if (e.terminating) return e.serving ? 'terminating (serving)' : 'terminating';
  return e.serving ? 'serving' : 'not ready';
}

export function renderEndpoints(svc: ServiceView): HTMLElement {
  const root = h('div', { class: 'endpoints' });
  const slices = svc.live ? `From the cluster's EndpointSlices (context ${svc.live.context}), updated as the watch delivers changes.` : 'From the EndpointSlices in the manifests.';
  const source = svc.endpointSource === 'slices' ? slices : svc.endpointSource === 'computed' ? 'Computed from the Pods as the EndpointSlice controller would.' : 'No endpoints are managed from these manifests.';
  root.appendChild(h('p', { class: 'muted' }, source));
  if (svc.endpoints.length) {
    const table = h(
      'table',
      { 'aria-label': 'Endpoints', 'data-testid': 'endpoints' },
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
          h('td', { class: 'name' }, e.pod ?? '-', e.simulated ? h('span', { class: 'muted' }, ' [simulated]') : null),
          h('td', {}, e.node ?? '-'),
          h('td', {}, e.zone ?? '-'),
        ),
      );
    }
    table.appendChild(body);
    root.appendChild(table);
  } else if (svc.endpointSource !== 'none') {
    root.appendChild(notice(`No endpoints: requests to this Service are rejected.${svc.summary ? ` Why: ${svc.summary}.` : ''}`, 'error'));
  } else if (svc.summary) {
    root.appendChild(notice(`No ready endpoint: ${svc.summary}.`, 'error'));
  }
  if (svc.pods) {
    if (svc.pods.length) root.appendChild(renderPods(svc.pods));
  } else if (svc.excluded.length) {
    root.appendChild(h('h2', {}, 'Matched but not served'));
    const ul = h('ul', { class: 'excluded', 'aria-label': 'Pods matched by the selector but not served' });
    for (const x of svc.excluded) ul.appendChild(h('li', {}, icon('debug-disconnect'), ' ', h('strong', {}, x.pod), ': ', x.reason));
    root.appendChild(ul);
  }
  return root;
}

/** Every pod the selector matches: served, or why not (the EndpointSlice controller's reasons). */
function renderPods(pods: PodVerdictView[]): HTMLElement {
  const served = pods.filter((p) => p.served).length;
  const body = h('tbody');
  for (const p of pods) {
    const why = p.served ? 'served' : p.reasons.map((r) => (r.port ? `${r.reason} (port ${r.port})` : r.reason)).join('; ');
    body.appendChild(
      h(
        'tr',
        { class: p.served ? 'ready' : 'not-ready' },
        h('td', { class: 'name' }, p.pod),
        h('td', {}, p.ip || '-'),
        h('td', {}, p.node ?? '-'),
        h('td', {}, icon(p.served ? 'pass' : 'debug-disconnect', p.served ? 'served' : 'not served'), ' ', why),
      ),
    );
  }
  return h(
    'div',
    {},
    h('h2', {}, `Matched pods: ${served} of ${pods.length} served`),
    h('table', { 'aria-label': 'Pods matched by the selector', 'data-testid': 'pods' }, h('thead', {}, h('tr', {}, ...['Pod', 'IP', 'Node', 'Served / why not'].map((c) => h('th', { scope: 'col' }, c)))), body),
  );
}
