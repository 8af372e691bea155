import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { buildClusterState, loadManifest } from '../../src/core';
import { childNodes, describe, refreshPlan, rootNodes, serviceViewsIn, sourceData, type TreeInput, type TreeNode } from '../../src/viewmodel/serviceTree';
import { toServiceView, traceChoices } from '../../src/viewmodel/serviceView';
import { liveStatusView } from '../../src/viewmodel/liveStatus';
import { normalizeSettings } from '../../src/protocol/settings';

const YAML = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec:
  nodeName: worker-1
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
status:
  podIP: 10.244.1.5
  podIPs: [{ip: 10.244.1.5}]
  phase: Running
  conditions: [{type: Ready, status: "True"}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-2, namespace: shop, labels: {app: web}}
spec:
  nodeName: worker-1
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
status:
  podIP: 10.244.1.6
  podIPs: [{ip: 10.244.1.6}]
  phase: Running
  conditions: [{type: Ready, status: "False", reason: ContainersNotReady}]
---
apiVersion: v1
kind: Service
metadata: {name: orphan, namespace: shop}
spec:
  selector: {app: nothing}
  ports: [{port: 81}]
---
apiVersion: v1
kind: Service
metadata: {name: alias}
spec: {type: ExternalName, externalName: db.example.com}
`;

function state(text = YAML) {
  const f = loadManifest('/ws/app.yaml', text);
  return buildClusterState(f.objects);
}

const input = (s = state()): TreeInput => ({ state: s, loading: false, trusted: true });

test('service view: endpoints, the not-ready pod with its reason, health and manifest location', () => {
  const s = state();
  const v = toServiceView(s, s.services.find((x) => x.name === 'web')!);
  assert.equal(v.endpointSource, 'computed');
  const ready = v.endpoints.filter((e) => e.ready).map((e) => `${e.ip}:${e.port}`);
  assert.deepEqual(ready, ['10.244.1.5:8080']);
  assert.equal(v.endpoints.find((e) => e.ip === '10.244.1.6')?.ready, false);
  assert.equal(v.excluded.length, 1);
  assert.match(v.excluded[0]!.reason, /not Ready \(ContainersNotReady/);
  assert.equal(v.health, 'warning');
  assert.deepEqual(v.location, { file: '/ws/app.yaml', line: 2, character: 17 });
});

test('service view: a selector that matches nothing is an error; ExternalName has no health', () => {
  const s = state();
  const orphan = toServiceView(s, s.services.find((x) => x.name === 'orphan')!);
  assert.equal(orphan.health, 'error');
  assert.match(orphan.healthText, /matches no pod/);
  const alias = toServiceView(s, s.services.find((x) => x.name === 'alias')!);
  assert.equal(alias.health, 'none');
  assert.match(alias.healthText, /db\.example\.com/);
});

test('tree: source -> namespaces -> services -> ports and excluded pods -> endpoints', () => {
  const i = input();
  const [src] = rootNodes(i);
  assert.equal(src?.kind, 'source');
  assert.equal(describe(src!), '3 Services');
  const nss = childNodes(i, src!);
  assert.deepEqual(nss.map((n) => (n.kind === 'namespace' ? n.namespace : '')), ['default', 'shop']);
  const svcs = childNodes(i, nss[1]!);
  assert.deepEqual(svcs.map((n) => (n.kind === 'service' ? n.ref.name : '')), ['orphan', 'web']);
  const web = svcs[1] as Extract<TreeNode, { kind: 'service' }>;
  assert.match(describe(web), /^ClusterIP {2}10\.\d+\.\d+\.\d+ {2}80\/TCP$/);
  const kids = childNodes(i, web);
  assert.deepEqual(kids.map((k) => k.kind), ['port', 'excluded']);
  assert.equal(describe(kids[0]!), '-> http  1/2 ready');
  const eps = childNodes(i, kids[0]!);
  assert.deepEqual(eps.map((e) => describe(e)), ['ready  web-1  on worker-1', 'not ready  web-2  on worker-1']);
  const x = kids[1] as Extract<TreeNode, { kind: 'excluded' }>;
  assert.equal(x.excluded.pod, 'shop/web-2');
  assert.deepEqual(x.location, { file: '/ws/app.yaml', line: 21, character: 17 });
  // Ids are unique across the tree (VS Code requires it).
  const ids = [src!, ...nss, ...svcs, ...kids, ...eps].map((n) => n.id);
  assert.equal(new Set(ids).size, ids.length);
});

test('tree: Restricted Mode adds the notice that live clusters are off; loading and empty states', () => {
  const roots = rootNodes({ ...input(), trusted: false });
  assert.deepEqual(roots.map((r) => r.kind), ['source', 'notice']);
  assert.match((roots[1] as { label: string }).label, /Restricted Mode/);
  assert.equal(rootNodes(input()).length, 1);
  const loading = childNodes({ state: undefined, loading: true, trusted: true }, rootNodes(input())[0]!);
  assert.equal((loading[0] as { label: string }).label, 'Reading manifests...');
  const empty = state('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
  const none = childNodes(input(empty), rootNodes(input(empty))[0]!);
  assert.match((none[0] as { label: string }).label, /No Services/);
});

test('tree: live clusters on but no kubeconfig: a row says why and what to set; none when the listing worked or in Restricted Mode', () => {
  const roots = rootNodes({ ...input(), liveProblem: 'no kubeconfig found (looked for /home/u/.kube/config)' });
  assert.deepEqual(roots.map((r) => r.kind), ['source', 'notice']);
  const n = roots[1] as { label: string; detail: string; icon: string };
  assert.equal(n.label, 'Live clusters: no kubeconfig found (looked for /home/u/.kube/config)');
  assert.equal(n.icon, 'warning');
  assert.match(n.detail, /kubeServiceDebugger\.live\.kubeconfig/);
  assert.deepEqual(rootNodes(input()).map((r) => r.kind), ['source']);
  // Untrusted: the Restricted Mode notice only (the kubeconfig is not read there).
  const restricted = rootNodes({ ...input(), trusted: false, liveProblem: 'no kubeconfig found' });
  assert.deepEqual(restricted.map((r) => (r as { label: string }).label), ['Workspace', 'Live clusters are off in Restricted Mode']);
});

test('tree: hostile strings stay data (labels are whatever the manifest says, never interpreted)', () => {
  const s = state(`apiVersion: v1
kind: Service
metadata: {name: evil, namespace: "x"}
spec:
  selector: {app: "<img src=x onerror=alert(1)>"}
  ports: [{name: "<b>", port: 80}]
`);
  const v = toServiceView(s, s.services[0]!);
  assert.equal(v.selector?.['app'], '<img src=x onerror=alert(1)>');
  assert.equal(v.ports[0]!.name, '<b>');
});

test('wrong-typed fields never throw', () => {
  const s = state(`apiVersion: v1
kind: Service
metadata: {name: odd}
spec:
  selector: [1, 2]
  ports: [{port: "eighty"}, 7, {port: 90, targetPort: {a: 1}}]
  externalIPs: 5
`);
  const i = input(s);
  const walk = (n: TreeNode): number => 1 + childNodes(i, n).reduce((a, c) => a + walk(c), 0);
  assert.ok(rootNodes(i).reduce((a, n) => a + walk(n), 0) >= 3);
});

test('trace choices list pods with IPs and nodes', () => {
  const c = traceChoices(state());
  assert.deepEqual(c.pods.map((p) => p.ip), ['10.244.1.5', '10.244.1.6']);
  assert.deepEqual(c.nodes, []);
});

test('tree: live contexts are sources of their own; connecting, errors, and none in Restricted Mode', () => {
  const live = state(`apiVersion: v1
kind: Service
metadata: {name: api, namespace: prod}
spec: {selector: {app: api}, ports: [{port: 80}]}
`);
  const i: TreeInput = {
    ...input(),
    live: [
      { context: 'prod', data: sourceData(live), status: 'synced' },
      { context: 'staging', data: undefined, status: 'not connected' },
      { context: 'broken', data: undefined, status: 'error', error: 'connect ECONNREFUSED 127.0.0.1:6443' },
    ],
  };
  const roots = rootNodes(i);
  assert.deepEqual(roots.map((r) => (r.kind === 'source' ? r.label : '')), ['Workspace', 'Cluster: prod', 'Cluster: staging', 'Cluster: broken']);
  assert.equal(describe(roots[1]!), '1 Service  synced');
  const [ns] = childNodes(i, roots[1]!);
  assert.ok(ns?.kind === 'namespace' && ns.namespace === 'prod' && ns.source === 'live:prod');
  const [svc] = childNodes(i, ns);
  assert.ok(svc?.kind === 'service' && svc.ref.name === 'api' && svc.id.startsWith('live:prod:'));
  // A live Service's ref names its context, so the panel and traceRequest debug it on the live state.
  assert.deepEqual(svc.ref, { namespace: 'prod', name: 'api', context: 'prod' });
  const [wsNs] = childNodes(input(), rootNodes(input())[0]!);
  if (wsNs) for (const n of childNodes(input(), wsNs)) if (n.kind === 'service') assert.equal(n.ref.context, undefined);
  // The workspace's own Services stay apart from the cluster's.
  assert.ok(!childNodes(i, roots[0]!).some((n) => n.kind === 'namespace' && n.namespace === 'prod'));
  assert.match((childNodes(i, roots[2]!)[0] as { label: string }).label, /Connecting \(not connected\)/);
  assert.match((childNodes(i, roots[3]!)[0] as { label: string }).label, /ECONNREFUSED/);
  assert.deepEqual(rootNodes({ ...i, trusted: false }).map((r) => r.kind), ['source', 'notice']);
});

test('live check status: hidden when off, warning look when not current, stale age and trust in words', () => {
  assert.equal(liveStatusView({ state: 'off' }), undefined);
  const synced = liveStatusView({ state: 'synced', context: 'kind', server: 'https://10.0.0.1:6443' })!;
  assert.equal(synced.text, '$(cloud) ksd live: kind synced');
  assert.equal(synced.warning, false);
  assert.match(synced.tooltip, /context kind \(https:\/\/10\.0\.0\.1:6443\): synced\. Read-only/);
  const stale = liveStatusView({ state: 'reconnecting', context: 'kind', message: 'cannot reach the API server', staleSince: 1_000 }, 31_000)!;
  assert.equal(stale.warning, true);
  assert.match(stale.tooltip, /reconnecting \(cannot reach the API server\)\. Data from 30 s ago/);
  const untrusted = liveStatusView({ state: 'untrusted' })!;
  assert.equal(untrusted.text, '$(warning) ksd live: untrusted');
  assert.match(untrusted.tooltip, /not trusted/);
});

test('settings: live checks are off by default; wrong types fall back', () => {
  assert.deepEqual(normalizeSettings(undefined).live, { checkManifests: false, context: '', kubeconfig: '' });
  assert.deepEqual(normalizeSettings({ live: { checkManifests: true, context: ' kind ', kubeconfig: 5 } }).live, { checkManifests: true, context: 'kind', kubeconfig: '' });
  assert.deepEqual(normalizeSettings({ live: { checkManifests: 'yes' } }).live.checkManifests, false);
});

test('tree: Service views are built per namespace, once per state (a big live cluster pays only for what is expanded)', () => {
  const st = state();
  const namespaces = [...new Set(st.services.map((x) => x.namespace))];
  assert.ok(namespaces.length >= 1);
  for (const ns of namespaces) {
    const views = serviceViewsIn(st, ns);
    assert.ok(views.length > 0 && views.every((v) => v.ref.namespace === ns));
    assert.equal(serviceViewsIn(st, ns), views, 'cached for the same state');
  }
  assert.deepEqual(serviceViewsIn(st, 'no-such-namespace'), []);
});

test('tree: a live source is read per namespace (listing namespaces builds nothing; expanding one asks for that one only)', () => {
  const whole = state(`apiVersion: v1
kind: Service
metadata: {name: api, namespace: a}
spec: {selector: {app: api}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: b}
spec: {selector: {app: db}, ports: [{port: 5432}]}
`);
  const asked: string[] = [];
  const data = { namespaces: new Map([['a', 1], ['b', 1]]), stateOf: (ns: string) => (asked.push(ns), whole) };
  const i: TreeInput = { ...input(), live: [{ context: 'big', data, status: 'synced' }] };
  const src = rootNodes(i)[1]!;
  assert.equal(describe(src), '2 Services  synced');
  const namespaces = childNodes(i, src);
  assert.deepEqual(namespaces.map((n) => (n.kind === 'namespace' ? `${n.namespace}:${n.services}` : '')), ['a:1', 'b:1']);
  assert.deepEqual(asked, [], 'listing namespaces builds no state');
  const services = childNodes(i, namespaces[1]!);
  assert.deepEqual(asked, ['b']);
  assert.deepEqual(services.map((n) => (n.kind === 'service' ? n.ref : null)), [{ namespace: 'b', name: 'db', context: 'big' }]);
});

test('tree refresh: a change in one source refreshes only that source row; a changed set of sources refreshes all', () => {
  const live = (status: string) => [{ context: 'prod', data: undefined, status }, { context: 'dev', data: undefined, status: 'synced' }];
  const shown = rootNodes({ ...input(), live: live('syncing') });
  const next = rootNodes({ ...input(), live: live('synced') });
  const plan = refreshPlan(shown, next, 'live:prod');
  assert.ok(!plan.all);
  assert.equal(plan.node, shown[1], 'the node VS Code holds, to update in place');
  assert.equal(plan.fresh, next[1]);
  assert.ok(plan.fresh.kind === 'source' && plan.fresh.status === 'synced');
  const ws = refreshPlan(shown, next, 'workspace');
  assert.ok(!ws.all && ws.node === shown[0]);
  // Not shown yet, a context added or removed, trust changed, or no source named: the whole tree.
  assert.deepEqual(refreshPlan(undefined, next, 'live:prod'), { all: true });
  assert.deepEqual(refreshPlan(shown, rootNodes({ ...input(), live: live('synced').slice(0, 1) }), 'live:prod'), { all: true });
  assert.deepEqual(refreshPlan(shown, rootNodes({ ...input(), trusted: false, live: live('synced') }), 'workspace'), { all: true });
  assert.deepEqual(refreshPlan(shown, next, undefined), { all: true });
  assert.deepEqual(refreshPlan(shown, next, 'live:gone'), { all: true });
});
