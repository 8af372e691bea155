/** The debugger panel UI: a header for the Service and four tabs (endpoints, rules, trace, DNS and env). */
import './style.css';
import { sameRef } from '../src/protocol/webview';
import type { ImportedRulesInfo, PanelRequests, ProxyMode, PanelState, PanelTab, ServiceRef, ServiceView, TraceChoices, TraceParams } from '../src/protocol/webview';
import { clear, h, notice } from './dom';
import { loadState, onEvent, request, saveState } from './rpc';
import { renderEndpoints } from './views/endpoints';
import { renderHeader } from './views/header';
import { renderDns } from './views/dns';
import { renderRules } from './views/rules';
import { renderTrace } from './views/trace';

const TABS: { id: PanelTab; label: string }[] = [
  { id: 'endpoints', label: 'Endpoints' },
  { id: 'rules', label: 'Rules' },
  { id: 'trace', label: 'Trace' },
  { id: 'dns', label: 'DNS & env' },
];

const app = document.getElementById('app')!;
let state: PanelState = loadState() ?? { ref: null, tab: 'endpoints' };
let current: { service: ServiceView; choices: TraceChoices; mode: ProxyMode; version: string; imports: ImportedRulesInfo[] } | null = null;
let pendingTrace: TraceParams | null = null;
let generation = 0;
let loadError: string | undefined;
/** How many times the Service data was loaded (the e2e tests wait for a reload after a watch event). */
let loads = 0;

async function load(ref: ServiceRef): Promise<void> {
  const gen = ++generation;
  const t0 = performance.now();
  let r: PanelRequests['service']['result'];
  try {
    r = await request('service', ref);
  } catch (e) {
    // A live cluster that cannot be reached (or is off in settings) says so instead of a blank panel.
    if (gen !== generation) return;
    current = null;
    loadError = e instanceof Error ? e.message : String(e);
    render();
    return;
  }
  if (gen !== generation) return;
  loadError = undefined;
  current = r.service ? { service: r.service, choices: r.choices, mode: r.mode, version: r.version, imports: r.imports } : null;
  render();
  document.body.dataset['loads'] = String(++loads);
  document.body.dataset['loadMs'] = (performance.now() - t0).toFixed(1);
  // performance.now() counts from this document's start: how long after opening the data was shown.
  document.body.dataset['shownMs'] ??= performance.now().toFixed(1);
}

function select(tab: PanelTab): void {
  state = { ...state, tab };
  saveState(state);
  render();
  document.getElementById(`tab-${tab}`)?.focus();
}

function render(): void {
  clear(app);
  if (!state.ref) {
    app.appendChild(notice('Pick a Service in the Services view or run "Kubernetes Service Debugger: Open Panel".'));
    return;
  }
  if (!current) {
    const where = state.ref.context === undefined ? 'the workspace manifests' : `the live cluster of context ${state.ref.context}`;
    app.appendChild(notice(loadError ?? `Service ${state.ref.namespace}/${state.ref.name} is not in ${where}.`, 'warning'));
    return;
  }
  const svc = current.service;
  app.appendChild(renderHeader(svc, () => void request('reveal', svc.ref)));
  const list = h('div', { role: 'tablist', class: 'tabs', 'aria-label': 'Views of this Service' });
  TABS.forEach((t, i) => {
    const selected = t.id === state.tab;
    const b = h('button', { id: `tab-${t.id}`, role: 'tab', 'aria-selected': String(selected), 'aria-controls': `panel-${t.id}`, tabindex: selected ? 0 : -1, class: selected ? 'tab selected' : 'tab', onclick: () => select(t.id) }, t.label);
    b.addEventListener('keydown', (e) => {
      const k = (e as KeyboardEvent).key;
      const delta = k === 'ArrowRight' ? 1 : k === 'ArrowLeft' ? -1 : 0;
      if (delta) select(TABS[(i + delta + TABS.length) % TABS.length]!.id);
    });
    list.appendChild(b);
  });
  app.appendChild(list);
  const body = h('section', { id: `panel-${state.tab}`, role: 'tabpanel', 'aria-labelledby': `tab-${state.tab}`, class: 'tabpanel' });
  app.appendChild(body);
  switch (state.tab) {
    case 'endpoints':
      body.appendChild(renderEndpoints(svc));
      break;
    case 'rules':
      body.appendChild(renderRules(svc, current.choices.nodes, current.mode, current.version));
      break;
    case 'trace': {
      const p = pendingTrace;
      pendingTrace = null;
      body.appendChild(renderTrace(svc, current.choices, p, current.mode, current.imports));
      break;
    }
    case 'dns':
      body.appendChild(renderDns(svc));
      break;
  }
}

onEvent('show', (e) => {
  state = { ref: e.ref, tab: e.tab ?? state.tab };
  saveState(state);
  void load(e.ref);
});
onEvent('changed', () => {
  if (state.ref && state.tab !== 'trace') void load(state.ref);
});
/** Set once a runTrace event arrived: the start-up `current` answer then need not run that trace again. */
let traceEventSeen = false;
onEvent('runTrace', (e) => {
  traceEventSeen = true;
  pendingTrace = e.params;
  if (e.params.ref) state = { ref: e.params.ref, tab: 'trace' };
  else state = { ...state, tab: 'trace' };
  saveState(state);
  if (state.ref) void load(state.ref);
});

onEvent('imports', (e) => {
  if (!current) return;
  current = { ...current, imports: e.imports };
  // The trace form offers the new rules; other tabs do not show them.
  if (state.tab === 'trace') render();
});

if (state.ref) void load(state.ref);
else render();
// Events posted while this document loaded (VS Code reloads a moved or hidden webview) are lost: ask what
// the panel was last told to show, and the trace it was last asked to run.
void request('current', {}).then((c) => {
  if (c.trace && !traceEventSeen) {
    pendingTrace = c.trace;
    state = { ref: c.trace.ref ?? c.ref ?? state.ref, tab: 'trace' };
  } else if (c.ref && !c.trace && !sameRef(c.ref, state.ref)) state = { ref: c.ref, tab: c.tab ?? state.tab };
  else return;
  saveState(state);
  if (state.ref) void load(state.ref);
}, () => undefined);
