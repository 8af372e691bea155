/**
 * What live mode says when RBAC hides kube-proxy's own objects in kube-system: the objects in the user's words
 * ("kube-proxy Pods in kube-system (label component=kube-proxy)"), never our internal resource names. Against
 * the in-process fake API server (test/live/fakeApiServer.ts), not a real one: none can be installed here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { LiveCluster, RESOURCES, resourceWords } from '../../src/live';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, eventually, hookUnhandled, namespace, node, pod, service, writeKubeconfig } from './helpers';

hookUnhandled();

const root = path.resolve(__dirname, '../../..');
const fastReflector = { watchTimeoutSeconds: 30, backoff: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0.1 }, forbiddenRetryMs: 500 };
const INTERNAL = /kube-proxy-pods-|kube-proxy-daemonset|\bkube-proxy in kube-system/;

function ksd(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe("kube-proxy's objects in words", () => {
  const servers: FakeApiServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
    assertNoUnhandled();
  });

  async function cluster(deny: string[]) {
    const server = await FakeApiServer.start();
    servers.push(server);
    server.seed('namespaces', [namespace('default'), namespace('shop'), namespace('kube-system')]);
    server.seed('nodes', [node('node-a', '192.168.0.10')]);
    server.seed('services', [service('shop', 'web', { app: 'web' }, '10.96.0.50')]);
    server.seed('pods', [pod('shop', 'web-1', { app: 'web' }, '10.244.0.11', { node: 'node-a' })]);
    for (const plural of deny) server.deny(plural, 'kube-system');
    return { server, kubeconfig: writeKubeconfig([{ name: 'kind', server: server.url, namespace: 'shop' }], 'kind') };
  }

  it('every resource read for kube-proxy has words of its own; the kinds read as such keep the API plural', () => {
    for (const def of RESOURCES) {
      if (def.fixedNamespace) {
        const words = resourceWords(def.name);
        assert.doesNotMatch(words, INTERNAL, def.name);
        assert.match(words, /kube-proxy .* in kube-system/, def.name);
      } else assert.equal(resourceWords(def.name, 'shop'), `${def.name} in shop`);
    }
    assert.equal(resourceWords('pods', 'shop'), 'pods in shop');
    assert.equal(resourceWords('kube-proxy-pods-component'), 'kube-proxy Pods in kube-system (label component=kube-proxy)');
    assert.equal(resourceWords('kube-proxy-pods-k8s-app', 'kube-system'), 'kube-proxy Pods in kube-system (label k8s-app=kube-proxy)');
    assert.equal(resourceWords('kube-proxy-daemonset'), 'the kube-proxy DaemonSet in kube-system');
    assert.equal(resourceWords('kube-proxy'), 'the kube-proxy ConfigMap in kube-system');
  });

  it('the live status names forbidden kube-proxy Pods, DaemonSet and ConfigMap as the user knows them', async () => {
    const { kubeconfig } = await cluster(['pods', 'daemonsets', 'configmaps']);
    const live = await LiveCluster.connect({ kubeconfig: { files: [kubeconfig] }, trusted: false, reflector: fastReflector });
    live.start();
    try {
      const st = await eventually(() => {
        const s = live.status();
        return s.resources.filter((r) => r.state === 'forbidden').length === 4 ? s : undefined;
      }, 5000, 'four forbidden kube-proxy reads');
      // The cluster's own Services and pods are readable: the context works, with a note of what it could not read.
      assert.equal(st.state, 'synced');
      assert.equal(
        st.message,
        'not allowed to read: the kube-proxy ConfigMap in kube-system, the kube-proxy DaemonSet in kube-system, kube-proxy Pods in kube-system (label component=kube-proxy), kube-proxy Pods in kube-system (label k8s-app=kube-proxy)',
      );
      assert.doesNotMatch(st.message ?? '', INTERNAL);
    } finally {
      live.stop();
    }
  });

  it('ksd --live with kube-proxy hidden still answers, and never prints an internal resource name', async () => {
    const { kubeconfig } = await cluster(['pods', 'daemonsets', 'configmaps']);
    for (const args of [['endpoints', 'shop/web', '--live'], ['trace', '--live', '--from', '10.244.0.11', '--to', '10.96.0.50:80']]) {
      const r = await ksd(args, { KUBECONFIG: kubeconfig });
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, INTERNAL, args.join(' '));
    }
  });
});
