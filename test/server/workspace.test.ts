import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Hover } from 'vscode-languageserver/node';
import type { ServiceSummaryResult } from '../../src/protocol/lsp';
import { caret, TestClient } from './client';
import { DEPLOY, SVC } from './fixtures';

async function hover(c: TestClient, uri: string, marked: string): Promise<string> {
  const { line, character } = caret(marked);
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  return h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
}
const onSelector = SVC.replace('    app: web', '    app: w|eb');
const onName = SVC.replace('  name: web', '  name: w|eb');

test('the index holds the workspace files (not node_modules, .git or ignored paths) and registers a file watcher', async () => {
  const c = await TestClient.start({
    files: { 'deploy/web.yaml': DEPLOY, 'node_modules/x/d.yaml': DEPLOY.replace(/web/g, 'nm'), 'vendor/d.yaml': DEPLOY.replace(/web/g, 'vendored') },
    settings: { ignoredPaths: ['vendor/**'] },
  });
  try {
    assert.ok(c.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles' && JSON.stringify(r.registerOptions).includes('**/*.{yaml,yml,json}')));
    const ready = c.status.at(-1) as { state: string; files: number };
    assert.equal(ready.state, 'ready');
    assert.equal(ready.files, 1);
    const uri = await c.open('svc.yaml', caret(onSelector).text);
    assert.match(await hover(c, uri, onSelector), /Deployment web/);
    const nm = caret(onSelector.replace(/app: w\|eb/, 'app: n|m'));
    await c.edit(uri, nm.text);
    assert.match(await hover(c, uri, onSelector.replace(/app: w\|eb/, 'app: n|m')), /Matches no workload/);
  } finally {
    await c.stop();
  }
});

test('an open document wins over its disk content; closing it goes back to the disk', async () => {
  const c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY } });
  try {
    const svc = await c.open('svc.yaml', caret(onSelector).text);
    assert.match(await hover(c, svc, onSelector), /2 matched/);
    const dep = await c.open('deploy/web.yaml', DEPLOY.replace('replicas: 2', 'replicas: 5'));
    assert.match(await hover(c, svc, onSelector), /5 matched/);
    await c.close(dep);
    assert.match(await hover(c, svc, onSelector), /2 matched/);
  } finally {
    await c.stop();
  }
});

test('watched-file events add, change and remove files', async () => {
  const c = await TestClient.start();
  try {
    const svc = await c.open('svc.yaml', caret(onSelector).text);
    assert.match(await hover(c, svc, onSelector), /Matches no workload/);
    const file = path.join(c.root, 'new.yaml');
    writeFileSync(file, DEPLOY);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: c.uri('new.yaml'), type: 1 }] });
    assert.match(await hover(c, svc, onSelector), /2 matched/);
    writeFileSync(file, DEPLOY.replace('replicas: 2', 'replicas: 3'));
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: c.uri('new.yaml'), type: 2 }] });
    assert.match(await hover(c, svc, onSelector), /3 matched/);
    rmSync(file);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: c.uri('new.yaml'), type: 3 }] });
    assert.match(await hover(c, svc, onSelector), /Matches no workload/);
  } finally {
    await c.stop();
  }
});

test('a kustomize patch is a fragment, not a second Deployment', async () => {
  const c = await TestClient.start({
    files: { 'base/web.yaml': DEPLOY, 'base/patch.yaml': DEPLOY.replace('replicas: 2', 'replicas: 9'), 'base/kustomization.yaml': 'resources: [web.yaml]\npatches:\n- path: patch.yaml\n' },
  });
  try {
    const svc = await c.open('svc.yaml', caret(onSelector).text);
    const md = await hover(c, svc, onSelector);
    assert.match(md, /Matches 1 workload template/);
    assert.match(md, /2 matched/);
  } finally {
    await c.stop();
  }
});

test('settings: Service CIDR and node-port range come from workspace/configuration, and changes apply', async () => {
  const nodePort = SVC.replace('spec:\n', 'spec:\n  type: NodePort\n');
  const c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY }, settings: { serviceCIDRs: ['172.20.0.0/16'], nodePortRange: '31000-31010' } });
  try {
    const uri = await c.open('svc.yaml', nodePort);
    assert.match(await hover(c, uri, nodePort.replace('  name: web', '  name: w|eb')), /Cluster IP `172\.20\.\d+\.\d+` \(assigned/);
    assert.match(await hover(c, uri, nodePort.replace('    port: 80', '    po|rt: 80')), /NodePort 310(0\d|10) \(assigned/);
    c.settings = { serviceCIDRs: ['192.168.128.0/20'] };
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: {} });
    await c.until(() => c.status.filter((s) => (s as { state: string }).state === 'ready').length >= 2, 'the rescan after a settings change');
    assert.match(await hover(c, uri, nodePort.replace('  name: web', '  name: w|eb')), /Cluster IP `192\.168\.1(2[89]|3\d|4[0-3])\.\d+`/);
  } finally {
    await c.stop();
  }
});

test('settings: maxFileSize skips a larger open document with an info diagnostic', async () => {
  const c = await TestClient.start({ settings: { maxFileSize: 2048 } });
  try {
    const uri = await c.open('big.yaml', Array.from({ length: 10 }, () => DEPLOY).join('---\n'));
    const diags = await c.diagnosticsFor(uri, (d) => d.length === 1, 'the size notice');
    assert.equal(diags[0]!.code, 'KSD002');
    assert.equal(diags[0]!.severity, 3);
    const msg = diags[0]!.message;
    assert.match(typeof msg === 'string' ? msg : msg.value, /over the 2 KB limit/);
  } finally {
    await c.stop();
  }
});

test('clients without workspace/configuration get settings from didChangeConfiguration', async () => {
  const c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY }, noConfiguration: true });
  try {
    await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { kubeServiceDebugger: { serviceCIDRs: ['172.21.0.0/16'] } } });
    await c.until(() => c.status.filter((s) => (s as { state: string }).state === 'ready').length >= 2, 'the rescan');
    const uri = await c.open('svc.yaml', SVC);
    assert.match(await hover(c, uri, onName), /Cluster IP `172\.21\./);
  } finally {
    await c.stop();
  }
});

test('diagnostics are published per file and only when they change', async () => {
  const c = await TestClient.start();
  try {
    const a = await c.open('a.yaml', 'kind: [\n');
    const b = await c.open('b.yaml', 'kind: {\n');
    await c.diagnosticsFor(a, (d) => d.length === 1);
    await c.diagnosticsFor(b, (d) => d.length === 1);
    const before = c.published.length;
    await c.edit(a, SVC);
    await c.diagnosticsFor(a, (d) => !d.some((x) => x.code === 'KSD001'), 'a to clear');
    // Same text again: nothing new to say.
    await c.edit(a, SVC + '\n');
    await c.request('textDocument/hover', { textDocument: { uri: a }, position: { line: 0, character: 0 } });
    const after = c.published.slice(before);
    assert.deepEqual(after.map((p) => p.uri), [a]);
  } finally {
    await c.stop();
  }
});

test('ksd/serviceSummary, ksd/ruleChain and ksd/trace answer with typed results', async () => {
  const c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY, 'svc.yaml': SVC } });
  try {
    const s = await c.request<ServiceSummaryResult>('ksd/serviceSummary', {});
    assert.equal(s.services.length, 1);
    const web = s.services[0]!;
    assert.deepEqual([web.namespace, web.name, web.type, web.matchedPods, web.readyEndpoints, web.endpointsSource, web.clusterIPAssigned], ['default', 'web', 'ClusterIP', 2, 2, 'computed', true]);
    assert.equal(web.location?.uri, c.uri('svc.yaml'));
    assert.deepEqual(web.ports, [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 0 }]);
    const only = await c.request<ServiceSummaryResult>('ksd/serviceSummary', { uri: c.uri('deploy/web.yaml') });
    assert.deepEqual(only.services, []);
    assert.deepEqual(await c.request('ksd/ruleChain', { service: { namespace: 'default', name: 'nope' } }), { available: false, reason: 'No Service default/nope in the workspace.' });
    const rc = await c.request<{ available: true; mode: string; text: string }>('ksd/ruleChain', { service: { namespace: 'default', name: 'web' } });
    assert.equal(rc.available, true);
    assert.equal(rc.mode, 'iptables');
    assert.match(rc.text, /-A KUBE-SERVICES .*default\/web:http cluster IP.* -j KUBE-SVC-/);
    assert.match(rc.text, /-m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/);
    // A mode whose renderer is not registered in this build says so.
    const none = await c.request<{ available: boolean; reason: string }>('ksd/ruleChain', { service: { namespace: 'default', name: 'web' }, mode: 'bogus' as 'ipvs' });
    assert.deepEqual(none, { available: false, reason: 'Unknown proxy mode "bogus" (iptables, nftables or ipvs).' });
    const bad = await c.request<{ available: boolean; reason: string }>('ksd/ruleChain', { service: { namespace: 'default', name: 'web' }, kubeProxyVersion: '0.1' });
    assert.equal(bad.available, false);
    assert.ok(bad.reason.length > 0);
    const tr = await c.request<{ available: boolean; reason: string }>('ksd/trace', {});
    assert.deepEqual(tr, { available: false, reason: 'A trace needs `from` (an IP) and `to` (IP:PORT).' });
  } finally {
    await c.stop();
  }
});
