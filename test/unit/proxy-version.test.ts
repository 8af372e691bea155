/** Which kube-proxy release's rules are shown when no version is given: src/core/proxy/proxyVersion.ts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterProxyVersion, parseKubeVersion, renderIPTablesRules, resolveProxyVersion, rulesRenderer, RulesRequestError, splitImage } from '../../src/core';
import { ruleChain } from '../../src/viewmodel/engines';
import { stateOf } from './helpers';

const yaml = (...objs: unknown[]) => objs.map((o) => JSON.stringify(o)).join('\n---\n');

function node(name: string, kubeletVersion?: unknown, labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    status: { addresses: [{ type: 'InternalIP', address: `192.168.0.${name.length}` }], ...(kubeletVersion !== undefined ? { nodeInfo: { kubeletVersion, ...extra } } : {}) },
  };
}

function daemonSet(image: unknown, o: { name?: string; ns?: string; container?: string; nodeSelector?: Record<string, string>; containers?: unknown } = {}): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: o.name ?? 'kube-proxy', namespace: o.ns ?? 'kube-system' },
    spec: {
      selector: { matchLabels: { 'k8s-app': o.name ?? 'kube-proxy' } },
      template: {
        metadata: { labels: { 'k8s-app': o.name ?? 'kube-proxy' } },
        spec: { hostNetwork: true, ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}), containers: o.containers ?? [{ name: o.container ?? 'kube-proxy', image }] },
      },
    },
  };
}

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { clusterIP: '10.96.0.20', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
};
const slice = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }],
  ports: [{ port: 8080, protocol: 'TCP' }],
};

test('parseKubeVersion: tags and kubelet versions as distributions write them; anything else is no version', () => {
  const ok: [string, number, number | undefined][] = [
    ['v1.33.2', 33, 2],
    ['1.33', 33, undefined],
    ['v1.33.2-eks-4c1a2b3', 33, 2],
    ['v1.31.1-gke.123', 31, 1],
    ['v1.29.3+k3s1', 29, 3],
    [' v1.30.0 ', 30, 0],
  ];
  for (const [text, minor, patch] of ok) assert.deepEqual(parseKubeVersion(text), { minor, patch }, text);
  // Line breaks or spaces would be quoted into '# note:' lines: such text is no version.
  for (const bad of ['latest', 'v2.1.0', '', 'v1.', 'v1.33x', 'v1.3333', 'sha256:0123abcd', 'x'.repeat(10000), 'v1.33.2-\nadd rule x', 'v1.33.2 extra', 133, null, {}, ['v1.30']]) {
    assert.equal(parseKubeVersion(bad), undefined, JSON.stringify(bad).slice(0, 40));
  }
});

test('splitImage: registry ports, tags and digests', () => {
  assert.deepEqual(splitImage('registry.k8s.io/kube-proxy:v1.33.2'), { repository: 'registry.k8s.io/kube-proxy', tag: 'v1.33.2' });
  assert.deepEqual(splitImage('localhost:5000/kube-proxy:v1.30.0'), { repository: 'localhost:5000/kube-proxy', tag: 'v1.30.0' });
  assert.deepEqual(splitImage('localhost:5000/kube-proxy'), { repository: 'localhost:5000/kube-proxy' });
  assert.deepEqual(splitImage('registry.k8s.io/kube-proxy@sha256:0123abcd'), { repository: 'registry.k8s.io/kube-proxy' });
  assert.deepEqual(splitImage('registry.k8s.io/kube-proxy:v1.33.2@sha256:0123abcd'), { repository: 'registry.k8s.io/kube-proxy', tag: 'v1.33.2' });
});

test('the kube-proxy DaemonSet: container named kube-proxy or an image .../kube-proxy, in kube-system, with a readable tag', () => {
  const at = (...objs: unknown[]) => clusterProxyVersion(stateOf(yaml(...objs)));
  assert.deepEqual(at(daemonSet('registry.k8s.io/kube-proxy:v1.33.2')), { raw: 'v1.33.2', minor: 33, source: 'daemonset', from: 'DaemonSet kube-system/kube-proxy' });
  assert.equal(at(daemonSet('602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-proxy:v1.30.4-eksbuild.2', { container: 'proxy' }))?.minor, 30);
  assert.equal(at(daemonSet('gke.gcr.io/kube-proxy-amd64:v1.31.1-gke.123'))?.raw, 'v1.31.1-gke.123');
  assert.equal(at(daemonSet('rancher/hyperkube:v1.20.4-rancher1'))?.minor, 20);
  assert.equal(at(daemonSet('registry.k8s.io/kube-proxy:v1.32.1@sha256:0123abcd'))?.minor, 32);
  // A sidecar next to kube-proxy does not count; the kube-proxy container does.
  assert.equal(at(daemonSet(undefined, { containers: [{ name: 'sidecar', image: 'busybox:1.36.1' }, { name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.28.9' }] }))?.minor, 28);
  // Not kube-proxy's: another namespace, another container, an unreadable tag, wrong-typed fields.
  assert.equal(at(daemonSet('registry.k8s.io/kube-proxy:v1.33.2', { ns: 'default' })), undefined);
  assert.equal(at(daemonSet('busybox:1.36.1', { container: 'helper', name: 'node-agent' })), undefined);
  for (const image of ['registry.k8s.io/kube-proxy:latest', 'registry.k8s.io/kube-proxy@sha256:0123abcd', 'registry.k8s.io/kube-proxy', 42, null]) {
    assert.equal(at(daemonSet(image), node('n1')), undefined, String(image));
  }
  assert.equal(at(daemonSet(undefined, { containers: 'kube-proxy' })), undefined);
  assert.equal(at(daemonSet(undefined, { containers: [null, 7, 'x', { name: 'kube-proxy', image: { tag: 'v1.30' } }] })), undefined);
});

test("the node's kubeletVersion when no DaemonSet says: the chosen node's, not kubeProxyVersion", () => {
  const state = stateOf(yaml(node('alpha', 'v1.33.2', {}, { kubeProxyVersion: 'v1.20.0' }), node('beta', 'v1.35.1+k3s1')));
  assert.deepEqual(clusterProxyVersion(state), { raw: 'v1.33.2', minor: 33, source: 'node', from: "node alpha's kubelet v1.33.2" });
  assert.equal(clusterProxyVersion(state, 'beta')?.minor, 35);
  assert.equal(clusterProxyVersion(state, 'missing'), undefined);
  // An unreadable or wrong-typed kubeletVersion is no hint.
  assert.equal(clusterProxyVersion(stateOf(yaml(node('a', 'unknown')))), undefined);
  assert.equal(clusterProxyVersion(stateOf(yaml(node('a', { major: 1 })))), undefined);
  assert.equal(clusterProxyVersion(stateOf(yaml(node('a')))), undefined);
  // An unreadable DaemonSet tag falls through to the node.
  assert.equal(clusterProxyVersion(stateOf(yaml(daemonSet('registry.k8s.io/kube-proxy:latest'), node('a', 'v1.31.0'))))?.source, 'node');
  // The DaemonSet wins over the kubelet.
  assert.equal(clusterProxyVersion(stateOf(yaml(daemonSet('registry.k8s.io/kube-proxy:v1.32.0'), node('a', 'v1.33.0'))))?.minor, 32);
});

test('kube-proxy DaemonSets that disagree: the ones whose nodeSelector fits the node decide, else the kubelet', () => {
  const objs = [
    daemonSet('registry.k8s.io/kube-proxy:v1.33.0', { name: 'kube-proxy-blue', nodeSelector: { pool: 'blue' } }),
    daemonSet('registry.k8s.io/kube-proxy:v1.34.0', { name: 'kube-proxy-green', nodeSelector: { pool: 'green' } }),
    node('a', 'v1.30.2', { pool: 'blue' }),
    node('b', 'v1.34.1', { pool: 'green' }),
    node('c', 'v1.31.0', { pool: 'red' }),
  ];
  const state = stateOf(yaml(...objs));
  assert.equal(clusterProxyVersion(state, 'a')?.from, 'DaemonSet kube-system/kube-proxy-blue');
  assert.equal(clusterProxyVersion(state, 'b')?.minor, 34);
  assert.deepEqual([clusterProxyVersion(state, 'c')?.source, clusterProxyVersion(state, 'c')?.minor], ['node', 31]);
});

test('resolveProxyVersion: the user wins; a cluster version out of range falls back to the nearest layout with a note', () => {
  const ds = (tag: string) => stateOf(yaml(daemonSet(`registry.k8s.io/kube-proxy:${tag}`), node('n1', 'v1.35.0')));
  // The user's version is passed through as given (errors about it stay the renderer's), with no note.
  assert.deepEqual(resolveProxyVersion(ds('v1.33.2'), 'iptables', { version: '1.30' }), { version: '1.30', source: 'user' });
  assert.deepEqual(resolveProxyVersion(ds('v1.33.2'), 'nftables', { version: ' 1.37 ' }), { version: '1.37', source: 'user' });
  // Nothing in the cluster: the mode's default.
  assert.deepEqual(resolveProxyVersion(stateOf(yaml(service)), 'nftables'), { version: undefined, source: 'default' });
  assert.deepEqual(resolveProxyVersion(stateOf(yaml(service)), 'iptables', { version: '' }), { version: undefined, source: 'default' });

  const cases: [string, 'iptables' | 'nftables' | 'ipvs', string, RegExp][] = [
    ['v1.33.2', 'iptables', '1.33', /^kube-proxy v1\.33\.2 \(from DaemonSet kube-system\/kube-proxy\): rules in the v1\.31\+ iptables layout$/],
    ['v1.33.2', 'nftables', '1.33', /^kube-proxy v1\.33\.2 \(from DaemonSet kube-system\/kube-proxy\): rules in the v1\.31-v1\.33 nftables layout$/],
    [
      'v1.37.1',
      'nftables',
      '1.36',
      /^kube-proxy v1\.37\.1 \(from DaemonSet kube-system\/kube-proxy\): rules shown in the v1\.36 nftables layout, the newest modelled; 1\.37 differs for single-endpoint Services/,
    ],
    ['v1.40.0', 'nftables', '1.36', /v1\.36 nftables layout, the newest modelled; 1\.40 is newer than 1\.37/],
    ['v1.30.3', 'nftables', '1.31', /v1\.31-v1\.33 nftables layout, the oldest modelled; 1\.30's alpha nftables layout differs/],
    ['v1.27.0', 'nftables', '1.31', /the oldest modelled; kube-proxy 1\.27 has no nftables mode/],
    ['v1.14.1', 'iptables', '1.15', /rules shown in the v1\.15-v1\.18 iptables layout, the oldest modelled; 1\.14's iptables layout is not modelled/],
    ['v1.40.0', 'iptables', '1.40', /rules shown in the v1\.31\+ iptables layout, the current one; 1\.40 is newer than 1\.37/],
    ['v1.27.4', 'ipvs', '1.29', /rules shown in the v1\.29\+ ipvs layout, the oldest modelled; 1\.27's IPVS helper rules/],
    ['v1.34.0', 'ipvs', '1.34', /rules in the v1\.29\+ ipvs layout$/],
  ];
  for (const [tag, mode, version, note] of cases) {
    const r = resolveProxyVersion(ds(tag), mode);
    assert.equal(r.version, version, `${tag} ${mode}`);
    assert.equal(r.source, 'daemonset');
    assert.match(r.note ?? '', note, `${tag} ${mode}`);
  }
  // A hostile node name cannot break the note out of its comment line.
  const hostile = resolveProxyVersion(stateOf(yaml(node('n1\nadd rule ip kube-proxy x', 'v1.33.0'))), 'nftables');
  assert.equal(hostile.note, "kube-proxy 1.33 (from node n1 add rule ip kube-proxy x's kubelet v1.33.0): rules in the v1.31-v1.33 nftables layout");
  const fromNode = resolveProxyVersion(stateOf(yaml(node('n1', 'v1.32.4-eks-1'))), 'iptables');
  assert.equal(fromNode.note, "kube-proxy 1.32 (from node n1's kubelet v1.32.4-eks-1): rules in the v1.31+ iptables layout");
});

test('the renderers use the cluster version when none is given, and never fail on one out of range', () => {
  const with_ = (tag: string) => stateOf(yaml(daemonSet(`registry.k8s.io/kube-proxy:${tag}`), service, slice, node('n1')));
  const plain = stateOf(yaml(service, slice, node('n1')));
  const render = (mode: string, state: ReturnType<typeof stateOf>, version?: string) => rulesRenderer(mode).render({ state, version, format: mode === 'ipvs' ? 'restore' : 'save', date: new Date(0) });
  // iptables 1.22: KUBE-SERVICES holds the masquerade rule and addresses carry /32.
  assert.equal(render('iptables', with_('v1.22.17')), render('iptables', plain, '1.22'));
  assert.notEqual(render('iptables', with_('v1.22.17')), render('iptables', plain));
  assert.equal(renderIPTablesRules({ state: with_('v1.22.17') }), renderIPTablesRules({ state: plain, version: '1.22' }));
  // nftables: 1.33 from the cluster; 1.37 (refused when the user asks) shown as 1.36.
  assert.equal(render('nftables', with_('v1.33.1')), render('nftables', plain, '1.33'));
  assert.equal(render('nftables', with_('v1.37.1')), render('nftables', plain, '1.36'));
  assert.throws(() => render('nftables', plain, '1.37'), RulesRequestError);
  // With no hint the nftables default is the newest modelled layout.
  assert.equal(render('nftables', plain), render('nftables', plain, '1.36'));
  // IPVS 1.27 from the cluster renders (1.29's helper rules); from the user it is refused.
  assert.equal(render('ipvs', with_('v1.27.3')), render('ipvs', plain, '1.29'));
  assert.throws(() => render('ipvs', plain, '1.27'), RulesRequestError);
  // The user's version wins over the cluster's.
  assert.equal(render('iptables', with_('v1.22.17'), '1.31'), render('iptables', plain));
});

test("the panel's Rules tab (viewmodel ruleChain): the note comes with the rules; a chosen version has none", () => {
  const state = stateOf(yaml(daemonSet('registry.k8s.io/kube-proxy:v1.37.1'), service, slice, node('n1')));
  const ref = { namespace: 'default', name: 'web' };
  const auto = ruleChain(state, { ref, mode: 'nftables', version: '' });
  assert.ok(auto.available);
  assert.match(auto.note ?? '', /^kube-proxy v1\.37\.1 \(from DaemonSet kube-system\/kube-proxy\): rules shown in the v1\.36 nftables layout/);
  const ipt = ruleChain(state, { ref, mode: 'iptables', version: '' });
  assert.ok(ipt.available && ipt.nodes.length > 0);
  assert.match(ipt.note ?? '', /rules in the v1\.31\+ iptables layout$/);
  const chosen = ruleChain(state, { ref, mode: 'nftables', version: '1.35' });
  assert.ok(chosen.available);
  assert.equal(chosen.note, undefined);
  assert.notEqual(chosen.text, auto.text);
  // Chosen by the user, 1.37 is not available, with the reason.
  const refused = ruleChain(state, { ref, mode: 'nftables', version: '1.37' });
  assert.equal(refused.available, false);
});

function proxyPod(nodeName: unknown, image: unknown, o: { name?: string; ns?: string; labels?: unknown; terminating?: boolean; containers?: unknown } = {}): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name ?? `kube-proxy-${String(nodeName)}`,
      namespace: o.ns ?? 'kube-system',
      labels: o.labels ?? { component: 'kube-proxy', tier: 'node' },
      annotations: { 'kubernetes.io/config.source': 'file', 'kubernetes.io/config.mirror': '3a2c77f7' },
      ...(o.terminating ? { deletionTimestamp: '2026-11-21T10:00:00Z' } : {}),
    },
    spec: { nodeName, hostNetwork: true, containers: o.containers ?? [{ name: 'kube-proxy', image }] },
    status: { phase: 'Running', podIP: '192.168.0.9' },
  };
}

const gkeImage = (tag: string) => `us-east1-artifactregistry.gcr.io/gke-release/gke-release/kube-proxy-amd64:${tag}`;

test("static-pod kube-proxy (GKE, kOps): the kube-proxy Pod on the node, by spec.nodeName, before the node's kubelet", () => {
  const state = stateOf(
    yaml(
      node('gke-pool-a', 'v1.31.2-gke.1000'),
      node('gke-pool-b', 'v1.31.2-gke.1000'),
      node('gke-pool-c', 'v1.31.2-gke.1000'),
      proxyPod('gke-pool-a', gkeImage('v1.30.5-gke.1014001')),
      proxyPod('gke-pool-b', 'registry.k8s.io/kube-proxy:v1.29.3', { labels: { 'k8s-app': 'kube-proxy', tier: 'node' } }),
    ),
  );
  assert.deepEqual(clusterProxyVersion(state, 'gke-pool-a'), { raw: 'v1.30.5-gke.1014001', minor: 30, source: 'pod', from: 'Pod kube-system/kube-proxy-gke-pool-a' });
  // The first Node is the default, as for the renderers.
  assert.equal(clusterProxyVersion(state)?.from, 'Pod kube-system/kube-proxy-gke-pool-a');
  // kOps labels its static pod k8s-app=kube-proxy.
  assert.deepEqual([clusterProxyVersion(state, 'gke-pool-b')?.source, clusterProxyVersion(state, 'gke-pool-b')?.minor], ['pod', 29]);
  // No kube-proxy Pod on the node: its kubelet decides (another node's pod says nothing about it).
  assert.deepEqual([clusterProxyVersion(state, 'gke-pool-c')?.source, clusterProxyVersion(state, 'gke-pool-c')?.minor], ['node', 31]);
  assert.equal(clusterProxyVersion(state, 'missing'), undefined);
  const r = resolveProxyVersion(state, 'iptables', { node: 'gke-pool-a' });
  assert.equal(r.version, '1.30');
  assert.equal(r.source, 'pod');
  assert.equal(r.note, 'kube-proxy v1.30.5-gke.1014001 (from Pod kube-system/kube-proxy-gke-pool-a): rules in the v1.30 iptables layout');
});

test('kube-proxy Pods that do not count: other namespaces, other labels, other containers, unreadable tags, wrong-typed fields', () => {
  const at = (...objs: unknown[]) => clusterProxyVersion(stateOf(yaml(node('n1'), ...objs)), 'n1');
  assert.equal(at(proxyPod('n1', gkeImage('v1.30.5-gke.1'), { ns: 'default' })), undefined);
  assert.equal(at(proxyPod('n1', gkeImage('v1.30.5-gke.1'), { labels: { app: 'kube-proxy' } })), undefined);
  assert.equal(at(proxyPod('n1', 'busybox:1.36.1', { containers: [{ name: 'helper', image: 'busybox:1.36.1' }] })), undefined);
  assert.equal(at(proxyPod('n2', gkeImage('v1.30.5-gke.1'))), undefined);
  for (const image of [gkeImage('latest'), 'registry.k8s.io/kube-proxy@sha256:0123abcd', 42, null, { tag: 'v1.30' }]) assert.equal(at(proxyPod('n1', image)), undefined, String(image));
  for (const containers of ['kube-proxy', 7, [null, 'x', 3]]) assert.equal(at(proxyPod('n1', undefined, { containers })), undefined, JSON.stringify(containers));
  for (const labels of ['component=kube-proxy', [{ component: 'kube-proxy' }], { component: 7 }]) assert.equal(at(proxyPod('n1', gkeImage('v1.30.5-gke.1'), { labels })), undefined, JSON.stringify(labels));
  assert.equal(at(proxyPod(['n1'], gkeImage('v1.30.5-gke.1'))), undefined);
  // A container not named kube-proxy counts by its image: .../kube-proxy or the per-architecture .../kube-proxy-ARCH, nothing else.
  assert.equal(at(proxyPod('n1', undefined, { containers: [{ name: 'proxy', image: 'gcr.io/x/kube-proxy-arm64:v1.28.1' }] }))?.minor, 28);
  assert.equal(at(proxyPod('n1', undefined, { containers: [{ name: 'exporter', image: 'example.com/kube-proxy-exporter:v1.28.1' }] })), undefined);
});

test('kube-proxy Pod versus DaemonSet: a DaemonSet that runs on the node wins; one whose nodeSelector keeps it off gives way to the pod there', () => {
  const gkeDs = daemonSet(gkeImage('v1.31.2-gke.1000'), { nodeSelector: { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/kube-proxy-ds-ready': 'true' } });
  const state = stateOf(
    yaml(
      gkeDs,
      node('static', 'v1.30.9', { 'kubernetes.io/os': 'linux' }),
      node('ds-ready', 'v1.31.2', { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/kube-proxy-ds-ready': 'true' }),
      node('bare', 'v1.30.9', { 'kubernetes.io/os': 'linux' }),
      proxyPod('static', gkeImage('v1.30.5-gke.1014001')),
      proxyPod('ds-ready', gkeImage('v1.29.0-gke.1'), { name: 'kube-proxy-x7k2p', labels: { 'k8s-app': 'kube-proxy' } }),
    ),
  );
  assert.equal(clusterProxyVersion(state, 'static')?.from, 'Pod kube-system/kube-proxy-static');
  assert.equal(clusterProxyVersion(state, 'ds-ready')?.from, 'DaemonSet kube-system/kube-proxy');
  // Off the DaemonSet's nodes and no pod there: the DaemonSet still says more than nothing, as before.
  assert.equal(clusterProxyVersion(state, 'bare')?.source, 'daemonset');
  // A DaemonSet without nodeSelector runs everywhere: it wins over any pod.
  const plain = stateOf(yaml(daemonSet('registry.k8s.io/kube-proxy:v1.33.0'), node('n1', 'v1.33.0'), proxyPod('n1', 'registry.k8s.io/kube-proxy:v1.32.0')));
  assert.equal(clusterProxyVersion(plain, 'n1')?.source, 'daemonset');
});

test('kube-proxy Pods without a known node speak only when they agree; terminating ones give way', () => {
  const same = stateOf(yaml(proxyPod('a', gkeImage('v1.30.5-gke.1')), proxyPod('b', gkeImage('v1.30.2-gke.7'))));
  assert.equal(clusterProxyVersion(same)?.minor, 30);
  const split = stateOf(yaml(proxyPod('a', gkeImage('v1.30.5-gke.1')), proxyPod('b', gkeImage('v1.31.2-gke.7'))));
  assert.equal(clusterProxyVersion(split), undefined);
  // An upgrade on one node: the old pod terminating, the new one starting.
  const upgrade = stateOf(
    yaml(node('a', 'v1.31.0'), proxyPod('a', gkeImage('v1.30.5-gke.1'), { terminating: true }), proxyPod('a', gkeImage('v1.31.2-gke.7'), { name: 'kube-proxy-a-new' })),
  );
  assert.deepEqual(clusterProxyVersion(upgrade, 'a'), { raw: 'v1.31.2-gke.7', minor: 31, source: 'pod', from: 'Pod kube-system/kube-proxy-a-new' });
});
