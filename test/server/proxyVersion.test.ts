import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { RuleChainResult, TraceResult } from '../../src/protocol/lsp';
import { TestClient } from './client';
import { DEPLOY, SVC } from './fixtures';

// ksd/ruleChain and ksd/trace without a version: the workspace's kube-proxy DaemonSet names the release.
const kubeProxy = (tag: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-proxy
  namespace: kube-system
spec:
  selector:
    matchLabels: {k8s-app: kube-proxy}
  template:
    metadata:
      labels: {k8s-app: kube-proxy}
    spec:
      hostNetwork: true
      containers:
      - name: kube-proxy
        image: registry.k8s.io/kube-proxy:${tag}
`;

type Available = Extract<RuleChainResult, { available: true }>;
const web = { namespace: 'default', name: 'web' };

test('ksd/ruleChain: the cluster names the release when the request and settings do not; the user overrides it', async () => {
  const c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY, 'svc.yaml': SVC, 'system/kube-proxy.yaml': kubeProxy('v1.22.17') } });
  try {
    const auto = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web })) as Available;
    assert.equal(auto.available, true);
    assert.equal(auto.note, 'kube-proxy v1.22.17 (from DaemonSet kube-system/kube-proxy): rules in the v1.19-v1.22 iptables layout');
    const v122 = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web, kubeProxyVersion: '1.22' })) as Available;
    assert.equal(auto.text, v122.text);
    assert.equal(v122.note, undefined);
    const v131 = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web, kubeProxyVersion: '1.31' })) as Available;
    assert.notEqual(auto.text, v131.text);
    // 1.22 wrote the cluster-IP masquerade rule in KUBE-SERVICES; 1.23+ in the service chain.
    assert.match(auto.text, /^-A KUBE-SERVICES .*default\/web:http cluster IP.* -j KUBE-MARK-MASQ$/m);
    assert.doesNotMatch(v131.text, /^-A KUBE-SERVICES .* -j KUBE-MARK-MASQ$/m);
    // A document opened or edited just before the request is what the request answers for (no stale state).
    const uri = await c.open('system/kube-proxy.yaml', kubeProxy('v1.31.4'));
    const opened = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web })) as Available;
    assert.match(opened.note ?? '', /^kube-proxy v1\.31\.4 \(from DaemonSet kube-system\/kube-proxy\)/);
    await c.edit(uri, kubeProxy('v1.27.3'));
    const edited = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web })) as Available;
    assert.match(edited.note ?? '', /^kube-proxy v1\.27\.3 /);
    const traced = await c.request<TraceResult>('ksd/trace', { from: '10.244.9.9', to: 'default/web:80' });
    assert.match(traced.available ? traced.explanation : '', /kube-proxy v1\.27\.3/);
  } finally {
    await c.stop();
  }
});

test('ksd/ruleChain and ksd/trace: a release the nftables renderer does not model, named by the cluster, is shown in the nearest layout with a note', async () => {
  const c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY, 'svc.yaml': SVC, 'system/kube-proxy.yaml': kubeProxy('v1.37.1') } });
  try {
    const nft = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web, mode: 'nftables' })) as Available;
    assert.equal(nft.available, true);
    assert.match(nft.note ?? '', /^kube-proxy v1\.37\.1 \(from DaemonSet kube-system\/kube-proxy\): rules shown in the v1\.36 nftables layout, the newest modelled; 1\.37 differs for single-endpoint Services/);
    // The same release asked for by the user is refused with the reason.
    const asked = await c.request<RuleChainResult>('ksd/ruleChain', { service: web, mode: 'nftables', kubeProxyVersion: '1.37' });
    assert.equal(asked.available, false);

    const tr = await c.request<TraceResult>('ksd/trace', { from: '10.244.9.9', to: 'default/web:80', mode: 'nftables' });
    assert.equal(tr.available && tr.verdict, 'DNAT');
    assert.match(tr.available ? tr.explanation : '', /Note: kube-proxy v1\.37\.1 \(from DaemonSet kube-system\/kube-proxy\): rules shown in the v1\.36 nftables layout/);
  } finally {
    await c.stop();
  }
});

test('ksd/ruleChain: the proxy.version setting wins over the cluster, and no hint means no note', async () => {
  const c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY, 'svc.yaml': SVC, 'system/kube-proxy.yaml': kubeProxy('v1.22.17') }, settings: { proxy: { mode: '', version: '1.31' } } });
  try {
    const r = (await c.request<RuleChainResult>('ksd/ruleChain', { service: web })) as Available;
    assert.equal(r.note, undefined);
    assert.doesNotMatch(r.text, /^-A KUBE-SERVICES .* -j KUBE-MARK-MASQ$/m);
  } finally {
    await c.stop();
  }
  const plain = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY, 'svc.yaml': SVC } });
  try {
    const r = (await plain.request<RuleChainResult>('ksd/ruleChain', { service: web })) as Available;
    assert.equal(r.available, true);
    assert.equal(r.note, undefined);
  } finally {
    await plain.stop();
  }
});
