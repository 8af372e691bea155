/**
 * Property test of the incremental analysis: random edits to a multi-file workspace (labels, selectors,
 * ports, node ports, cluster IPs, namespaces, policies, Ingresses, Endpoints, documents added, removed,
 * broken and moved down) and, after every edit, the incrementally kept diagnostics of every file must equal
 * a from-scratch analysis of the same index.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { normalizeSettings } from '../../src/protocol/settings';
import { Analysis } from '../../src/server/analysis';
import type { FileChange } from '../../src/server/workspace/workspaceIndex';
import { WorkspaceIndex } from '../../src/server/workspace/workspaceIndex';
import { rng } from '../../bench/fuzz-mutators';

type Doc =
  | { kind: 'Service'; name: string; ns: string; app: string; port: number; target: number | string; nodePort?: number; clusterIP?: string; type: 'ClusterIP' | 'NodePort'; selector: boolean }
  | { kind: 'Deployment'; name: string; ns: string; app: string; replicas: number; portName: string; containerPort: number }
  /** `ready` undefined: no status written (the pod is assumed running, with a simulated address). */
  | { kind: 'Pod'; name: string; ns: string; app: string; ready?: boolean }
  | { kind: 'NetworkPolicy'; name: string; ns: string; app: string; port: number }
  | { kind: 'Ingress'; name: string; ns: string; service: string; port: number }
  | { kind: 'Endpoints'; name: string; ns: string; ip?: string }
  /** Two endpoints; `ready` is the first one's (the second is always ready). */
  | { kind: 'EndpointSlice'; name: string; ns: string; service: string; ip: string; ready: boolean }
  | { kind: 'Broken'; text: string; was?: Doc }
  | { kind: 'Comment'; lines: number };

const NS = ['alpha', 'beta'];
const APPS = ['web', 'api', 'db', 'wbe'];
const NAMES = ['web', 'api', 'db', 'cache'];

function render(d: Doc): string {
  switch (d.kind) {
    case 'Service':
      return [
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        `  name: ${d.name}`,
        `  namespace: ${d.ns}`,
        'spec:',
        `  type: ${d.type}`,
        ...(d.clusterIP ? [`  clusterIP: ${d.clusterIP}`] : []),
        ...(d.selector ? ['  selector:', `    app: ${d.app}`] : []),
        '  ports:',
        '    - name: http',
        `      port: ${d.port}`,
        `      targetPort: ${typeof d.target === 'string' ? d.target : d.target}`,
        ...(d.nodePort ? [`      nodePort: ${d.nodePort}`] : []),
      ].join('\n');
    case 'Deployment':
      return [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: ${d.name}`,
        `  namespace: ${d.ns}`,
        'spec:',
        `  replicas: ${d.replicas}`,
        '  selector:',
        '    matchLabels:',
        `      app: ${d.app}`,
        '  template:',
        '    metadata:',
        '      labels:',
        `        app: ${d.app}`,
        '    spec:',
        '      containers:',
        '        - name: main',
        '          image: nginx',
        '          ports:',
        `            - name: ${d.portName}`,
        `              containerPort: ${d.containerPort}`,
      ].join('\n');
    case 'Pod':
      return [
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        `  name: ${d.name}`,
        `  namespace: ${d.ns}`,
        '  labels:',
        `    app: ${d.app}`,
        'spec:',
        '  containers:',
        '    - name: main',
        '      image: nginx',
        ...(d.ready === undefined ? [] : ['status:', '  phase: Running', '  podIP: 10.244.1.7', '  conditions:', '    - type: Ready', `      status: "${d.ready ? 'True' : 'False'}"`]),
      ].join('\n');
    case 'NetworkPolicy':
      return ['apiVersion: networking.k8s.io/v1', 'kind: NetworkPolicy', 'metadata:', `  name: ${d.name}`, `  namespace: ${d.ns}`, 'spec:', '  podSelector:', '    matchLabels:', `      app: ${d.app}`, '  policyTypes: [Ingress]', '  ingress:', '    - ports:', `        - port: ${d.port}`].join('\n');
    case 'Ingress':
      return ['apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata:', `  name: ${d.name}`, `  namespace: ${d.ns}`, 'spec:', '  defaultBackend:', '    service:', `      name: ${d.service}`, '      port:', `        number: ${d.port}`].join('\n');
    case 'Endpoints':
      return ['apiVersion: v1', 'kind: Endpoints', 'metadata:', `  name: ${d.name}`, `  namespace: ${d.ns}`, 'subsets:', ...(d.ip ? ['  - addresses:', `      - ip: ${d.ip}`, '    ports:', '      - port: 80'] : ['  - addresses: []'])].join('\n');
    case 'EndpointSlice':
      return [
        'apiVersion: discovery.k8s.io/v1',
        'kind: EndpointSlice',
        'metadata:',
        `  name: ${d.name}`,
        `  namespace: ${d.ns}`,
        '  labels:',
        `    kubernetes.io/service-name: ${d.service}`,
        'addressType: IPv4',
        'ports:',
        '  - name: http',
        '    port: 80',
        'endpoints:',
        `  - addresses: [${d.ip}]`,
        '    conditions:',
        `      ready: ${d.ready}`,
        '  - addresses: [10.1.9.9]',
        '    conditions:',
        '      ready: true',
      ].join('\n');
    case 'Broken':
      return d.text;
    case 'Comment':
      return Array.from({ length: d.lines }, (_, i) => `# note ${i}`).join('\n');
  }
}

function renderFile(docs: Doc[]): string {
  return docs.map(render).join('\n---\n') + '\n';
}

function randomDoc(r: () => number): Doc {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const k = r();
  const ns = pick(NS);
  if (k < 0.3) {
    const type = r() < 0.4 ? 'NodePort' : 'ClusterIP';
    return { kind: 'Service', name: pick(NAMES), ns, app: pick(APPS), port: pick([80, 8080]), target: pick([80, 8080, 'http', 'web']), type, nodePort: r() < 0.5 ? pick([30080, 30081]) : undefined, clusterIP: r() < 0.3 ? pick(['10.96.0.50', '10.96.0.51']) : undefined, selector: r() < 0.9 };
  }
  if (k < 0.55) return { kind: 'Deployment', name: pick(NAMES), ns, app: pick(APPS), replicas: pick([0, 1, 2, 3]), portName: pick(['http', 'web']), containerPort: pick([80, 8080]) };
  if (k < 0.65) return { kind: 'Pod', name: `p-${pick(NAMES)}`, ns, app: pick(APPS), ready: pick([true, false, undefined]) };
  if (k < 0.73) return { kind: 'NetworkPolicy', name: `np-${pick(NAMES)}`, ns, app: pick(APPS), port: pick([80, 8080]) };
  if (k < 0.83) return { kind: 'Ingress', name: `in-${pick(NAMES)}`, ns, service: pick(NAMES), port: pick([80, 8080]) };
  if (k < 0.87) return { kind: 'Endpoints', name: pick(NAMES), ns, ip: r() < 0.5 ? '10.1.2.3' : undefined };
  if (k < 0.9) return { kind: 'EndpointSlice', name: `es-${pick(NAMES)}`, ns, service: pick(NAMES), ip: pick(['10.1.2.3', '10.1.2.4']), ready: r() < 0.5 };
  if (k < 0.95) return { kind: 'Comment', lines: 1 + Math.floor(r() * 3) };
  return { kind: 'Broken', text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed' };
}

/** Changes one field of a document (or breaks/fixes it), keeping its kind. */
function mutate(d: Doc, r: () => number): Doc {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const field = r();
  switch (d.kind) {
    case 'Service':
      if (field < 0.2) return { ...d, app: pick(APPS) };
      if (field < 0.35) return { ...d, nodePort: r() < 0.5 ? undefined : pick([30080, 30081, 40000]), type: r() < 0.7 ? 'NodePort' : 'ClusterIP' };
      if (field < 0.5) return { ...d, clusterIP: r() < 0.4 ? undefined : pick(['10.96.0.50', '10.96.0.51']) };
      if (field < 0.6) return { ...d, ns: pick(NS) };
      if (field < 0.7) return { ...d, name: pick(NAMES) };
      if (field < 0.8) return { ...d, target: pick([80, 8080, 'http', 'web']) };
      if (field < 0.9) return { ...d, selector: !d.selector };
      return { kind: 'Broken', text: render(d).replace('ports:', 'ports: ['), was: d };
    case 'Deployment':
      if (field < 0.3) return { ...d, app: pick(APPS) };
      if (field < 0.5) return { ...d, replicas: pick([0, 1, 2, 3]) };
      if (field < 0.65) return { ...d, portName: pick(['http', 'web', 'metrics']) };
      if (field < 0.75) return { ...d, ns: pick(NS) };
      if (field < 0.85) return { ...d, containerPort: pick([80, 8080]) };
      return { kind: 'Broken', text: render(d).replace('replicas:', 'replicas: ['), was: d };
    case 'Pod':
      return field < 0.5 ? { ...d, ready: pick([true, false, undefined]) } : { ...d, app: pick(APPS) };
    case 'NetworkPolicy':
      return field < 0.5 ? { ...d, port: pick([80, 8080, 9090]) } : { ...d, app: pick(APPS) };
    case 'Ingress':
      return field < 0.5 ? { ...d, service: pick(NAMES) } : { ...d, port: pick([80, 8080]) };
    case 'Endpoints':
      return { ...d, ip: d.ip ? undefined : '10.1.2.3' };
    case 'EndpointSlice':
      if (field < 0.6) return { ...d, ready: !d.ready };
      if (field < 0.8) return { ...d, ip: pick(['10.1.2.3', '10.1.2.4']) };
      return { ...d, service: pick(NAMES) };
    case 'Broken':
      // Typed back to the last good text (its parse comes back), or replaced by something else.
      return d.was && field < 0.6 ? d.was : randomDoc(r);
    case 'Comment':
      return { kind: 'Comment', lines: 1 + Math.floor(r() * 4) };
  }
}

function edit(files: Doc[][], r: () => number, only?: number): number {
  const f = only ?? Math.floor(r() * files.length);
  const docs = files[f]!;
  const op = r();
  const at = Math.floor(r() * (docs.length + 1));
  if (op < 0.15 || !docs.length) docs.splice(at, 0, randomDoc(r));
  else if (op < 0.25 && docs.length > 1) docs.splice(Math.min(at, docs.length - 1), 1);
  else if (op < 0.3) docs.splice(0, 0, { kind: 'Comment', lines: 1 + Math.floor(r() * 3) });
  else {
    const i = Math.min(at, docs.length - 1);
    docs[i] = mutate(docs[i]!, r);
  }
  return f;
}

const SETTINGS = normalizeSettings(undefined);

function fromScratch(index: WorkspaceIndex, uris: string[]): Map<string, string> {
  const full = new Analysis(index, SETTINGS, () => undefined);
  full.update('all');
  return new Map(uris.map((u) => [u, JSON.stringify(full.diagnosticsFor(u))]));
}

function runSeed(seed: number, edits: number): { subjects: number; full: number } {
  const r = rng(seed);
  const uris = ['a.yaml', 'b.yaml', 'c.yaml'].map((n) => `file:///ws/${n}`);
  const files: Doc[][] = uris.map(() => Array.from({ length: 3 + Math.floor(r() * 4) }, () => randomDoc(r)));
  const index = new WorkspaceIndex(SETTINGS);
  const analysis = new Analysis(index, SETTINGS, () => undefined);
  uris.forEach((u, i) => index.setText(u, renderFile(files[i]!)));
  analysis.update('all');
  let subjects = 0;
  let full = 0;
  for (let n = 0; n < edits; n++) {
    const texts = files.map(renderFile);
    const f = edit(files, r);
    const changes: FileChange[] = [index.setText(uris[f]!, renderFile(files[f]!))];
    const edited = [f];
    // Sometimes a second file changes in the same batch (the server takes coalesced edits together).
    if (r() < 0.2) {
      const g = edit(files, r, (f + 1 + Math.floor(r() * (uris.length - 1))) % uris.length);
      changes.push(index.setText(uris[g]!, renderFile(files[g]!)));
      edited.push(g);
    }
    const res = analysis.update(changes, uris[f]);
    if (res.subjects === 'all') full++;
    else subjects += res.subjects;
    const expected = fromScratch(index, uris);
    for (const u of uris) {
      const got = JSON.stringify(analysis.diagnosticsFor(u));
      if (got !== expected.get(u)) {
        const shown = edited.map((e) => `${uris[e]} before:\n${texts[e]}\nafter:\n${renderFile(files[e]!)}`).join('\n');
        const others = uris.flatMap((x, e) => (edited.includes(e) ? [] : [`${x} (unchanged):\n${texts[e]}`])).join('\n');
        assert.fail(`seed ${seed}, edit ${n}: ${u} differs from a full analysis\nincremental: ${got}\nfull:        ${expected.get(u)}\n${shown}\n${others}`);
      }
    }
  }
  return { subjects, full };
}

test('incremental diagnostics equal a full analysis after every random edit', () => {
  let subjects = 0;
  let full = 0;
  let edits = 0;
  // KSD_INCREMENTAL_SEEDS=N runs more seeds by hand (the tier runs 12).
  const seeds = Number(process.env['KSD_INCREMENTAL_SEEDS']) || 12;
  for (let seed = 1; seed <= seeds; seed++) {
    const res = runSeed(seed, 40);
    subjects += res.subjects;
    full += res.full;
    edits += 40;
  }
  if (seeds > 12) console.log(`${seeds} seeds: ${edits} edits, ${full} full checks, ${subjects} subjects re-checked`);
  // The point of the exercise: most edits re-check a few subjects, not everything.
  assert.ok(full < edits / 4, `${full} of ${edits} edits needed a full check`);
  assert.ok(subjects > 0);
});

test('an edit that adds lines above other documents moves their findings without re-checking them', () => {
  const index = new WorkspaceIndex(SETTINGS);
  const analysis = new Analysis(index, SETTINGS, () => undefined);
  const uri = 'file:///ws/one.yaml';
  const svc = (name: string): Doc => ({ kind: 'Service', name, ns: 'alpha', app: 'nothing', port: 80, target: 80, type: 'ClusterIP', selector: true });
  const docs: Doc[] = [{ kind: 'Comment', lines: 1 }, svc('web'), svc('api'), svc('db')];
  index.setText(uri, renderFile(docs));
  analysis.update('all');
  const before = analysis.diagnosticsFor(uri).filter((d) => d.code === 'KSD101').map((d) => d.range.start.line);
  assert.equal(before.length, 3);
  docs[0] = { kind: 'Comment', lines: 4 };
  const res = analysis.update([index.setText(uri, renderFile(docs))], uri);
  assert.equal(res.subjects, 0, 'nothing to re-check: only a comment changed');
  const after = analysis.diagnosticsFor(uri).filter((d) => d.code === 'KSD101').map((d) => d.range.start.line);
  assert.deepEqual(after, before.map((l) => l + 3));
  assert.equal(JSON.stringify(analysis.diagnosticsFor(uri)), fromScratch(index, [uri]).get(uri));
});

test('a label edit of a Pod without status (assumed running) re-checks the Service selecting it', () => {
  const index = new WorkspaceIndex(SETTINGS);
  const analysis = new Analysis(index, SETTINGS, () => undefined);
  const uri = 'file:///ws/pod.yaml';
  const svc: Doc = { kind: 'Service', name: 'web', ns: 'alpha', app: 'web', port: 80, target: 80, type: 'ClusterIP', selector: true };
  const pod = (app: string): Doc => ({ kind: 'Pod', name: 'p-web', ns: 'alpha', app });
  index.setText(uri, renderFile([pod('web'), svc]));
  analysis.update('all');
  const has101 = () => analysis.diagnosticsFor(uri).some((d) => d.code === 'KSD101');
  assert.equal(has101(), false);
  const res = analysis.update([index.setText(uri, renderFile([pod('wbe'), svc]))], uri);
  assert.notEqual(res.subjects, 'all');
  assert.equal(has101(), true, 'the Service lost its only pod');
  analysis.update([index.setText(uri, renderFile([pod('web'), svc]))], uri);
  assert.equal(has101(), false);
});

test('a finding whose related place is lost re-checks its subject together with the Service it is about (KSD603)', () => {
  const index = new WorkspaceIndex(SETTINGS);
  const analysis = new Analysis(index, SETTINGS, () => undefined);
  const a = 'file:///ws/a.yaml';
  const b = 'file:///ws/b.yaml';
  const svc: Doc = { kind: 'Service', name: 'web', ns: 'alpha', app: 'web', port: 80, target: 80, type: 'ClusterIP', selector: false };
  index.setText(a, renderFile([{ kind: 'Endpoints', name: 'web', ns: 'alpha' }]));
  index.setText(b, renderFile([svc]));
  analysis.update('all');
  const ksd603 = () => analysis.diagnosticsFor(a).filter((d) => d.code === 'KSD603');
  assert.equal(ksd603().length, 1, 'written in the Endpoints object, pointing at the Service');
  // The Service's document breaks: its last good copy stays in the analysis, but the place the finding
  // points at is in a re-parsed document, so the Endpoints object is re-checked, and with it the Service.
  const res = analysis.update([index.setText(b, renderFile([{ kind: 'Broken', text: render(svc).replace('ports:', 'ports: [') }]))], b);
  assert.notEqual(res.subjects, 'all');
  assert.equal(ksd603().length, 1);
  assert.equal(JSON.stringify(analysis.diagnosticsFor(a)), fromScratch(index, [a]).get(a));
});

test('a changed Service re-checks the Service that shares its node port in another namespace (KSD212)', () => {
  const index = new WorkspaceIndex(SETTINGS);
  const analysis = new Analysis(index, SETTINGS, () => undefined);
  const a = 'file:///ws/a.yaml';
  const b = 'file:///ws/b.yaml';
  const svc = (ns: string, nodePort: number): Doc => ({ kind: 'Service', name: 'web', ns, app: 'web', port: 80, target: 80, type: 'NodePort', nodePort, selector: false });
  index.setText(a, renderFile([svc('alpha', 30080)]));
  index.setText(b, renderFile([svc('beta', 30081)]));
  analysis.update('all');
  const has212 = () => [...analysis.diagnosticsFor(a), ...analysis.diagnosticsFor(b)].some((d) => d.code === 'KSD212');
  assert.equal(has212(), false);
  const res = analysis.update([index.setText(b, renderFile([svc('beta', 30080)]))], b);
  assert.notEqual(res.subjects, 'all');
  assert.equal(has212(), true, 'the conflict is reported at once, not after a full pass');
  analysis.update([index.setText(b, renderFile([svc('beta', 30081)]))], b);
  assert.equal(has212(), false);
});

test('an EndpointSlice readiness flip updates the state in place and re-checks only its Service (KSD602)', () => {
  const index = new WorkspaceIndex(SETTINGS);
  const analysis = new Analysis(index, SETTINGS, () => undefined);
  const uri = 'file:///ws/slice.yaml';
  const svc: Doc = { kind: 'Service', name: 'web', ns: 'alpha', app: 'web', port: 80, target: 80, type: 'ClusterIP', selector: true };
  const deploy: Doc = { kind: 'Deployment', name: 'web', ns: 'alpha', app: 'web', replicas: 2, portName: 'http', containerPort: 80 };
  const slice = (ready: boolean): Doc => ({ kind: 'EndpointSlice', name: 'web-abc', ns: 'alpha', service: 'web', ip: '10.1.2.3', ready });
  // Another Service of the namespace, with its own slice: neither is about the edited slice.
  const other: Doc[] = [{ ...svc, name: 'api', app: 'api' }, { kind: 'EndpointSlice', name: 'api-abc', ns: 'alpha', service: 'api', ip: '10.1.2.4', ready: true }];
  index.setText(uri, renderFile([deploy, svc, slice(true), ...other]));
  analysis.update('all');
  const has602 = () => analysis.diagnosticsFor(uri).some((d) => d.code === 'KSD602');
  assert.equal(has602(), false, 'two ready endpoints');
  for (const ready of [false, true]) {
    const prev = analysis.state!;
    const res = analysis.update([index.setText(uri, renderFile([deploy, svc, slice(ready), ...other]))], uri);
    assert.equal(res.subjects, 2, 'the slice and the Service it is for');
    // Derived: the Services, pods and workloads are the previous state's; only the slices changed.
    assert.equal(analysis.state!.services, prev.services);
    assert.equal(analysis.state!.pods, prev.pods);
    assert.notEqual(analysis.state!.slices, prev.slices);
    assert.equal(has602(), !ready, ready ? 'two ready endpoints again' : 'one ready endpoint left');
    assert.equal(JSON.stringify(analysis.diagnosticsFor(uri)), fromScratch(index, [uri]).get(uri));
  }
});
