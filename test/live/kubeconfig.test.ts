/** kubeconfig handling against the in-process wire-format server (not a real API server). */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LiveCluster, LiveError, loadKubeconfig, resolveContext, watchKubeconfig } from '../../src/live';
import { FakeApiServer } from './fakeApiServer';
import { assertNoUnhandled, assertReadOnly, eventually, hookUnhandled, namespace, pod, writeKubeconfig } from './helpers';

hookUnhandled();

const quick = { watchTimeoutSeconds: 30, backoff: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0 }, forbiddenRetryMs: 500 };

describe('kubeconfig', () => {
  let red: FakeApiServer;
  let blue: FakeApiServer;
  let dir: string;

  before(async () => {
    red = await FakeApiServer.start({ token: 'red-token' });
    blue = await FakeApiServer.start({ token: 'blue-token' });
    red.seed('namespaces', [namespace('default')]);
    blue.seed('namespaces', [namespace('default')]);
    red.seed('pods', [pod('default', 'red-pod', { app: 'r' }, '10.0.0.1')]);
    blue.seed('pods', [pod('default', 'blue-pod', { app: 'b' }, '10.0.0.2')]);
    dir = mkdtempSync(join(tmpdir(), 'ksd-kc-'));
  });

  after(async () => {
    assertReadOnly(red);
    assertReadOnly(blue);
    await red.close();
    await blue.close();
    assertNoUnhandled();
  });

  it('merges a multi-file KUBECONFIG as kubectl does: first definition and first current-context win', async () => {
    const first = writeKubeconfig([{ name: 'red', server: red.url, token: 'red-token', namespace: 'shop' }], 'red', dir);
    // The second file redefines "red" (ignored) and sets its own current-context (ignored).
    const second = writeKubeconfig(
      [
        { name: 'blue', server: blue.url, token: 'blue-token' },
        { name: 'red', server: 'http://127.0.0.1:1', token: 'wrong' },
      ],
      'blue',
      dir,
    );
    const missing = join(dir, 'does-not-exist');
    const kc = await loadKubeconfig({ env: { KUBECONFIG: [first, missing, second].join(delimiter) } });
    assert.deepEqual(kc.files, [first, second]);
    assert.equal(kc.currentContext, 'red');
    assert.deepEqual(kc.contexts.map((c) => `${c.name}:${c.namespace}:${c.server}`), [`red:shop:${red.url}`, `blue:default:${blue.url}`]);
  });

  it('follows the current context, and a pinned context switches clusters', async () => {
    const file = writeKubeconfig(
      [
        { name: 'red', server: red.url, token: 'red-token' },
        { name: 'blue', server: blue.url, token: 'blue-token' },
      ],
      'red',
      dir,
    );
    const names = async (context?: string) => {
      const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, context, trusted: false, reflector: quick, resources: ['pods'] });
      live.start();
      await live.whenReady(5000);
      const out = { context: live.context, pods: live.state().pods.map((p) => p.name) };
      live.stop();
      return out;
    };
    assert.deepEqual(await names(), { context: 'red', pods: ['red-pod'] });
    assert.deepEqual(await names('blue'), { context: 'blue', pods: ['blue-pod'] });
  });

  it('sends the kubeconfig token; a wrong one shows as an error status', async () => {
    const file = writeKubeconfig([{ name: 'red', server: red.url, token: 'nope' }], 'red', dir);
    const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: quick, resources: ['pods'] });
    live.start();
    const st = await live.whenReady(5000);
    live.stop();
    assert.equal(st.state, 'error');
    assert.match(st.message ?? '', /401 Unauthorized/);
  });

  it('refuses exec credential plugins in an untrusted workspace, without running them', async () => {
    const marker = join(dir, 'plugin-ran');
    const plugin = join(dir, 'plugin.js');
    writeFileSync(
      plugin,
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x');\nprocess.stdout.write(JSON.stringify({apiVersion:'client.authentication.k8s.io/v1beta1',kind:'ExecCredential',status:{token:'blue-token'}}));\n`,
    );
    chmodSync(plugin, 0o755);
    const file = writeKubeconfig([{ name: 'blue', server: blue.url, exec: { command: process.execPath, args: [plugin] } }], 'blue', dir);
    const kc = await loadKubeconfig({ files: [file] });
    assert.equal(kc.contexts[0]!.credentialPlugin, 'exec');
    await assert.rejects(resolveContext(kc, { trusted: false }), (e: unknown) => e instanceof LiveError && e.code === 'untrusted' && /trusted workspace/.test(e.message));
    assert.equal(existsSync(marker), false);
    // Trusted: the plugin runs and its token is used.
    const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: true, reflector: quick, resources: ['pods'] });
    live.start();
    const st = await live.whenReady(5000);
    live.stop();
    assert.equal(st.state, 'synced');
    assert.equal(existsSync(marker), true);
    assert.deepEqual(live.state().pods.map((p) => p.name), ['blue-pod']);
  });

  it('clear errors: no kubeconfig, broken kubeconfig, unknown context, no current context', async () => {
    await assert.rejects(loadKubeconfig({ files: [join(dir, 'nothing-here')] }), (e: unknown) => e instanceof LiveError && e.code === 'no-kubeconfig');
    await assert.rejects(loadKubeconfig({ env: {}, home: join(dir, 'no-home') }), (e: unknown) => e instanceof LiveError && e.code === 'no-kubeconfig' && /\.kube\/config/.test(e.message));
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'clusters: [\n  - name: x\n');
    await assert.rejects(loadKubeconfig({ files: [broken] }), (e: unknown) => e instanceof LiveError && e.code === 'bad-kubeconfig' && e.message.includes(broken));
    const wrongTypes = join(dir, 'wrong-types');
    writeFileSync(wrongTypes, 'clusters:\n- cluster: {server: 7}\ncontexts: "nope"\nusers: 12\n');
    await assert.rejects(loadKubeconfig({ files: [wrongTypes] }), (e: unknown) => e instanceof LiveError && e.code === 'bad-kubeconfig');
    const file = writeKubeconfig([{ name: 'red', server: red.url }], undefined, dir);
    const kc = await loadKubeconfig({ files: [file] });
    await assert.rejects(resolveContext(kc, { trusted: false }), (e: unknown) => e instanceof LiveError && e.code === 'no-context' && /red/.test(e.message));
    await assert.rejects(resolveContext(kc, { context: 'green', trusted: false }), (e: unknown) => e instanceof LiveError && e.code === 'no-context' && /no context "green"/.test(e.message));
  });

  it('an unreachable cluster shows as reconnecting, never as an exception', async () => {
    const file = writeKubeconfig([{ name: 'gone', server: 'http://127.0.0.1:9' }], 'gone', dir);
    const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false, reflector: quick, resources: ['pods'] });
    live.start();
    await assert.rejects(live.whenReady(700), /not synced/);
    const st = live.status();
    live.stop();
    assert.equal(st.state, 'reconnecting');
    assert.match(st.message ?? '', /cannot reach the API server/);
  });

  it('follows a change of current-context in the kubeconfig file', async () => {
    const file = writeKubeconfig([{ name: 'red', server: red.url }, { name: 'blue', server: blue.url }], 'red', dir);
    const seen: string[] = [];
    const sub = watchKubeconfig({ files: [file] }, (c) => seen.push(c.kubeconfig?.currentContext ?? `error ${c.error?.code}`), 50);
    try {
      await new Promise((r) => setTimeout(r, 120));
      assert.deepEqual(seen, [], 'no event without a change');
      writeFileSync(file, readFileSync(file, 'utf8').replace('current-context: red', 'current-context: blue') + '# touched\n');
      await eventually(() => seen.length >= 1, 3000, 'context change');
      assert.deepEqual(seen, ['blue']);
      writeFileSync(file, 'clusters: [\n');
      await eventually(() => seen.length >= 2, 3000, 'broken file');
      assert.equal(seen[1], 'error bad-kubeconfig');
    } finally {
      sub.dispose();
    }
  });
});
