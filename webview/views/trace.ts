import type { ImportedRulesInfo, ProxyMode, ServiceView, TraceChoices, TraceParams, TraceResultView } from '../../src/protocol/webview';
import { clear, h, icon, notice } from '../dom';
import { chooseNode, nodeSelect } from '../nodeChoice';
import { request } from '../rpc';

const EXTERNAL = '203.0.113.10';

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function renderTrace(svc: ServiceView, choices: TraceChoices, preset: TraceParams | null, mode: ProxyMode, imports: ImportedRulesInfo[] = []): HTMLElement {
  const result = h('div', { class: 'trace-result', 'aria-live': 'polite', 'data-testid': 'trace-result' });
  const firstPort = svc.ports[0];
  const defaultTo = preset?.to ?? (firstPort && svc.clusterIP && svc.clusterIP !== 'None' ? hostPort(svc.clusterIP, firstPort.port) : '');
  const fromList = h('datalist', { id: 'trace-sources' }, ...choices.pods.map((p) => h('option', { value: p.ip }, `pod ${p.label}`)), ...choices.nodes.filter((n) => n.ip).map((n) => h('option', { value: n.ip }, `node ${n.name}`)), h('option', { value: EXTERNAL }, 'an external client'));
  const from = h('input', { id: 'trace-from', list: 'trace-sources', value: preset?.from ?? choices.pods[0]?.ip ?? EXTERNAL, required: true, 'aria-label': 'Source address' });
  const to = h('input', { id: 'trace-to', value: defaultTo, required: true, placeholder: 'ADDRESS:PORT', 'aria-label': 'Destination address and port' });
  const protocol = h('select', { id: 'trace-protocol', 'aria-label': 'Protocol' }, ...(['TCP', 'UDP', 'SCTP'] as const).map((p) => h('option', { value: p, selected: p === (preset?.protocol ?? firstPort?.protocol ?? 'TCP') }, p)));
  // The panel's node, shared with the Rules tab; a trace started from a command brings its own (even the default).
  if (preset) chooseNode(preset.node);
  const node = nodeSelect('trace-node', choices.nodes, 'Node whose rules to follow', 'default node');
  // Which rules: those kube-proxy would write, or a node's imported ones (Import Node Rules).
  const through = h(
    'select',
    { id: 'trace-through', 'aria-label': 'Rules to trace through' },
    h('option', { value: '' }, `rules kube-proxy would write (${preset?.mode ?? mode})`),
    ...imports.map((i) => h('option', { value: i.id, selected: i.id === preset?.imported }, `imported: ${i.file} (${i.kind}${i.node ? `, node ${i.node}` : ''})`)),
  );
  const run = async () => {
    const params: TraceParams = { ref: svc.ref, from: from.value.trim(), to: to.value.trim(), protocol: protocol.value as TraceParams['protocol'], node: node.value, mode: preset?.mode ?? mode, ...(through.value ? { imported: through.value } : {}) };
    clear(result);
    result.appendChild(h('p', { class: 'muted' }, 'Tracing...'));
    try {
      const view = await request('trace', params);
      clear(result);
      result.appendChild(view.available ? renderResult(view.result) : notice(view.reason, 'warning'));
    } catch (e) {
      clear(result);
      result.appendChild(notice(e instanceof Error ? e.message : String(e), 'error'));
    }
  };
  const form = h(
    'form',
    { class: 'trace-form', 'aria-label': 'Trace a request' },
    h('label', { for: 'trace-from' }, 'From'),
    from,
    fromList,
    h('label', { for: 'trace-to' }, 'To'),
    to,
    h('label', { for: 'trace-protocol' }, 'Protocol'),
    protocol,
    h('label', { for: 'trace-node' }, 'Node'),
    node,
    h('label', { for: 'trace-through' }, 'Through'),
    through,
    h('button', { type: 'submit', class: 'primary' }, icon('debug-start'), ' Trace'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
  if (preset) void run();
  return h('div', { class: 'trace' }, form, result);
}

export function renderResult(r: TraceResultView): HTMLElement {
  const verdictClass = r.verdict === 'DNAT' || r.verdict === 'ACCEPT' ? 'ok' : r.verdict === 'NONE' ? 'none' : 'error';
  const root = h('div', {}, h('p', { class: `verdict ${verdictClass}`, 'data-testid': 'verdict' }, h('strong', {}, r.verdict), r.masquerade ? h('span', { class: 'badge' }, 'masquerade (SNAT)') : null));
  if (r.through?.note) root.appendChild(notice(r.through.note, 'info'));
  const rules = r.through ? `the ${r.through.kind} rules imported from ${r.through.file}` : 'the rules';
  root.appendChild(h('p', { class: 'muted', 'data-testid': 'trace-through' }, `From ${r.source}, through ${rules}${r.node ? ` on node ${r.node}` : ''}.`));
  root.appendChild(h('p', { class: 'explanation' }, r.explanation));
  if (r.endpoints.length) {
    const ul = h('ul', { class: 'probabilities', 'aria-label': 'Endpoints and their probabilities' });
    for (const e of r.endpoints) {
      const pct = Math.round(e.probability * 1000) / 10;
      ul.appendChild(h('li', {}, h('span', { class: 'ep' }, hostPort(e.ip, e.port)), h('span', { class: 'bar', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct, 'aria-label': `${hostPort(e.ip, e.port)} probability` }, h('span', { class: 'fill', style: `width:${pct}%` })), h('span', { class: 'pct' }, `${pct}%`)));
    }
    root.appendChild(ul);
  }
  const ol = h('ol', { class: 'steps', 'aria-label': 'Path through the rules' });
  r.steps.forEach((s, i) => {
    const matched = s.effect !== '' && !/^(no match|skip)/i.test(s.effect);
    ol.appendChild(h('li', { class: matched ? 'matched' : '', tabindex: 0, 'aria-current': i === r.steps.length - 1 ? 'step' : undefined }, h('span', { class: 'where' }, `${s.table}/${s.chain}`), h('code', {}, s.rule), h('span', { class: 'effect' }, s.effect)));
  });
  root.appendChild(ol);
  return root;
}
