// The live-cluster scenario: a kubeconfig pointing at the in-process wire-format fake API server (test/live, NOT
// a real API server, which cannot be installed here), started by the e2e runner. A new user's path: the tree
// fills with the cluster's Services, the panel shows a live Service's endpoints and follows the watch as a pod
// becomes ready and terminates, a forbidden namespace and an API server restart are shown and survived, and
// nothing but GETs ever reaches the cluster.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { poll, ROOT } from './codeServer.mjs';

const VIEW = 'Services';
const CONTAINER = 'Kubernetes Service Debugger';
const NS = 'live-shop';

function loadFakeServer() {
  const out = path.join(ROOT, 'out/test/live/fakeApiServer.js');
  if (!existsSync(out)) {
    const r = spawnSync('npm', ['run', '--silent', 'compile-tests'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run compile-tests failed: the live scenario needs out/test/live');
  }
  const require = createRequire(import.meta.url);
  return { ...require(out), ...require(path.join(ROOT, 'out/test/live/helpers.js')) };
}

function slice(h, endpoints) {
  const s = h.endpointSlice(NS, 'checkout', 'checkout-x1', endpoints.map((e) => ({ ip: e.ip, pod: e.pod, ready: e.ready })));
  // A terminating endpoint, as the EndpointSlice controller lists it: not ready, not serving, terminating.
  for (const [i, e] of endpoints.entries()) if (e.terminating) s.endpoints[i].conditions = { ready: false, serving: false, terminating: true };
  return s;
}

async function panelText(frame, selector) {
  return ((await frame.locator(selector).first().textContent({ timeout: 2_000 }).catch(() => '')) ?? '').trim();
}

export const liveScenario = {
  name: 'live',
  trust: 'trusted',
  settings: {},
  async before({ dir, log }) {
    const h = loadFakeServer();
    const server = await h.FakeApiServer.start();
    server.seed('namespaces', [h.namespace('default'), h.namespace(NS), h.namespace('secret'), h.namespace('kube-system')]);
    server.seed('nodes', [h.node('node-a', '192.168.0.10')]);
    server.seed('pods', [
      h.pod(NS, 'checkout-1', { app: 'checkout' }, '10.244.0.11'),
      h.pod(NS, 'checkout-2', { app: 'checkout' }, '10.244.0.12', { ready: false }),
      h.pod('secret', 'vault-1', { app: 'vault' }, '10.244.0.30'),
    ]);
    server.seed('services', [h.service(NS, 'checkout', { app: 'checkout' }, '10.96.0.80', { targetPort: 8080 }), h.service('secret', 'vault', { app: 'vault' }, '10.96.0.81')]);
    server.seed('endpointslices', [slice(h, [{ ip: '10.244.0.11', pod: 'checkout-1', ready: true }, { ip: '10.244.0.12', pod: 'checkout-2', ready: false }])]);
    // RBAC as for a developer: no cluster-wide pod list, and nothing at all in namespace "secret".
    server.deny('pods', '*');
    server.deny('pods', 'secret');
    const kubeconfig = h.writeKubeconfig([{ name: 'e2e', server: server.url }], 'e2e', dir);
    log(`fake API server on ${server.url} (kubeconfig ${kubeconfig})`);
    return {
      h,
      server,
      settings: { 'kubeServiceDebugger.live.enabled': true, 'kubeServiceDebugger.live.kubeconfig': kubeconfig },
      close: () => server.close(),
    };
  },
  async run({ wb, page, figures, prepared, step }) {
    const { h, server } = prepared;
    const rows = () => wb.treeRows(VIEW);
    const has = (list, text) => list.some((r) => r.text.includes(text) || r.label.includes(text));

    await step('live-tree', async () => {
      await page.locator(`.activitybar .action-item a[aria-label^="${CONTAINER}"]`).first().click();
      await poll('the live context in the tree', async () => has(await rows(), 'Cluster: e2e'), 30_000);
      const row = wb.treeRow(VIEW, 'Cluster: e2e');
      await poll('the live Service under its namespace', async () => {
        // Expanding the context connects it; under load a click can land while the tree refreshes, so look again.
        if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
        const list = await rows();
        if (has(list, NS) && !has(list, 'checkout')) {
          const nsRow = wb.treeRow(VIEW, NS);
          if ((await nsRow.getAttribute('aria-expanded')) === 'false') await nsRow.locator('.monaco-tl-twistie').click();
        }
        return has(await rows(), 'checkout');
      }, 30_000);
      // The forbidden namespace is shown on the context, not hidden.
      await poll('the forbidden namespace on the context row', async () => has(await rows(), 'not allowed to read: pods in secret'), 15_000);
    });

    let frame;
    await step('live-panel', async () => {
      frame = wb.webview();
      await wb.untilEffect('the panel on the live Service', () => wb.treeRow(VIEW, 'checkout').click(), () => frame.locator('h1', { hasText: `${NS}/checkout` }).isVisible());
      const live = await panelText(frame, '[data-testid=live-status]');
      if (!/Live: context e2e/.test(live)) throw new Error(`live status: ${live}`);
      await poll('1 of 2 matched pods served', async () => /Matched pods: 1 of 2 served/.test(await panelText(frame, 'h2')), 10_000);
      const pods = await panelText(frame, 'table[data-testid=pods]');
      if (!/checkout-2/.test(pods) || !/not Ready/.test(pods)) throw new Error(`pods table: ${pods}`);
    });

    await step('pod-becomes-ready', async () => {
      const t0 = Date.now();
      server.apply('pods', h.pod(NS, 'checkout-2', { app: 'checkout' }, '10.244.0.12', { ready: true }));
      server.apply('endpointslices', slice(h, [{ ip: '10.244.0.11', pod: 'checkout-1', ready: true }, { ip: '10.244.0.12', pod: 'checkout-2', ready: true }]));
      await poll('2 of 2 served in the panel', async () => /Matched pods: 2 of 2 served/.test(await panelText(frame, 'h2')), 10_000, 20);
      // Watch event -> what the person sees (includes the 50 ms debounce and the webview round trip).
      figures.liveEventToPanelMs = Date.now() - t0;
    });

    await step('pod-terminates', async () => {
      const t0 = Date.now();
      const terminating = h.pod(NS, 'checkout-1', { app: 'checkout' }, '10.244.0.11');
      terminating.metadata.deletionTimestamp = new Date().toISOString();
      server.apply('pods', terminating);
      server.apply('endpointslices', slice(h, [{ ip: '10.244.0.11', pod: 'checkout-1', ready: false, terminating: true }, { ip: '10.244.0.12', pod: 'checkout-2', ready: true }]));
      await poll('the terminating endpoint in the panel', async () => /terminating/.test(await panelText(frame, 'table[data-testid=endpoints]')), 10_000, 20);
      figures.liveTerminateToPanelMs = Date.now() - t0;
    });

    await step('trace-live-service', async () => {
      // "Trace a Request" on the live Service: traced through the rules kube-proxy writes for the live state,
      // where checkout-1 is terminating and checkout-2 is the only ready endpoint.
      const row = wb.treeRow(VIEW, 'checkout');
      const clickTrace = async () => {
        await row.hover();
        await row.locator('.action-label[aria-label*="Trace a Request"]').click();
      };
      await wb.untilEffect('the live Service offered as the destination', clickTrace, () => wb.quickPickOffers(`${NS}/checkout`, 'destination'));
      await wb.pick(`${NS}/checkout`, { title: 'destination' });
      await wb.pick(`pod ${NS}/checkout-2`, { title: 'source' });
      const result = frame.locator('[data-testid=trace-result]');
      await poll('a trace result', async () => /DNAT/.test(await panelText(frame, '[data-testid=verdict]')), 20_000);
      const text = (await result.textContent()) ?? '';
      if (!/10\.244\.0\.12:8080/.test(text) || /10\.244\.0\.11:8080/.test(text)) throw new Error(`trace result: ${text}`);
      await frame.locator('[role=tab]', { hasText: 'Endpoints' }).click();
    });

    await step('api-server-restart', async () => {
      await server.down();
      await poll('the panel says the data is not current', async () => /reconnecting/.test(await panelText(frame, '[data-testid=live-status]')), 30_000, 100);
      await server.restart();
      server.apply('pods', h.pod(NS, 'checkout-3', { app: 'checkout' }, '10.244.0.13'));
      await poll('synced again, with the pod created meanwhile', async () => {
        const live = await panelText(frame, '[data-testid=live-status]');
        return /synced/.test(live) && /Matched pods: \d of 3 served/.test(await panelText(frame, 'h2'));
      }, 30_000, 100);
    });

    await step('forbidden-namespace-panel', async () => {
      // A Service whose namespace's pods RBAC hides: the panel says so instead of "matches no pod".
      await wb.untilEffect('the panel on secret/vault', () => wb.treeRow(VIEW, 'vault').click(), () => frame.locator('h1', { hasText: 'secret/vault' }).isVisible());
      await poll('the panel names what RBAC hides', async () => /Not allowed to read pods in this namespace/.test(await panelText(frame, '[data-testid=live-status]')), 10_000);
      const body = await panelText(frame, '.endpoints');
      if (!/pods in namespace secret cannot be read \(RBAC forbids it\)/.test(body)) throw new Error(`endpoints tab: ${body}`);
      const health = await panelText(frame, '[data-testid=health]');
      if (/matches no pod/.test(health)) throw new Error(`the health line guesses: ${health}`);
    });

    await step('read-only', async () => {
      const writes = server.requests.filter((r) => r.method !== 'GET');
      if (writes.length) throw new Error(`non-GET requests reached the cluster: ${writes.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      figures.liveRequests = server.requests.length;
    });
  },
};
