import type { LiveInfo, ServiceView } from '../../src/protocol/webview';
import { h, icon } from '../dom';

const HEALTH_ICON = { ok: 'pass', warning: 'warning', error: 'error', none: 'circle-outline' } as const;

export function renderHeader(svc: ServiceView, reveal: () => void): HTMLElement {
  const ports = svc.ports.map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol} -> ${p.targetPort}${p.nodePort ? ` (nodePort ${p.nodePort})` : ''}`);
  return h(
    'header',
    { class: 'header' },
    h('h1', {}, icon(HEALTH_ICON[svc.health], `health: ${svc.health}`), ' ', `${svc.ref.namespace}/${svc.ref.name}`, h('span', { class: 'badge' }, svc.type)),
    svc.live ? renderLive(svc.live) : null,
    h('p', { class: `health ${svc.health}`, 'data-testid': 'health' }, svc.healthText),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Cluster IP'),
      h('dd', {}, svc.clusterIPs.join(', ') || svc.clusterIP || '-', svc.clusterIPAssigned ? h('span', { class: 'muted' }, ' (assigned here)') : null),
      h('dt', {}, 'Ports'),
      h('dd', {}, ports.join(', ') || '-'),
      svc.externalIPs.length ? h('dt', {}, 'External IPs') : null,
      svc.externalIPs.length ? h('dd', {}, svc.externalIPs.join(', ')) : null,
      svc.loadBalancerIPs.length ? h('dt', {}, 'Load balancer') : null,
      svc.loadBalancerIPs.length ? h('dd', {}, svc.loadBalancerIPs.join(', ')) : null,
      h('dt', {}, 'Selector'),
      h('dd', {}, svc.selector ? Object.entries(svc.selector).map(([k, v]) => `${k}=${v}`).join(', ') : '(none)'),
      h('dt', {}, 'Policies'),
      h('dd', {}, `externalTrafficPolicy ${svc.externalTrafficPolicy}, internalTrafficPolicy ${svc.internalTrafficPolicy}, sessionAffinity ${svc.sessionAffinity}`),
    ),
    svc.location ? h('button', { class: 'link', onclick: reveal, title: 'Open the manifest', 'aria-label': 'Open the Service manifest' }, icon('go-to-file'), ' Open manifest') : null,
  );
}

/** Where a live Service's data comes from, and whether it is current (reconnecting, forbidden...). */
export function renderLive(live: LiveInfo): HTMLElement {
  const current = live.state === 'synced' && live.staleSince === undefined;
  const stale = live.staleSince !== undefined ? ` Data as of ${new Date(live.staleSince).toLocaleTimeString()}.` : '';
  const text = `Live: context ${live.context} (${live.server}), ${live.state}${live.message ? `: ${live.message}` : ''}.${stale}`;
  const hidden = live.unreadable?.length ? ` Not allowed to read ${live.unreadable.join(', ')} in this namespace: what depends on them is incomplete.` : '';
  return h('p', { class: `live ${current && !hidden ? 'current' : 'stale'}`, 'data-testid': 'live-status', role: 'status' }, icon(current && !hidden ? 'cloud' : 'warning', current ? 'live' : 'not current'), ' ', text + hidden);
}
