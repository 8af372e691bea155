// What a person does and sees, scenario by scenario. Expected values come from the examples/ manifests.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { poll, ROOT } from './codeServer.mjs';
import { liveScenario } from './liveScenario.mjs';

const VIEW = 'Services';
const CONTAINER = 'Kubernetes Service Debugger';

/** The extension's own log lines (its LogOutputChannel writes a file under the profile's logs). */
function extensionLog(userDataDir) {
  const found = [];
  const walk = (d) => {
    let entries = [];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(`${CONTAINER}.log`)) found.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return found.map((f) => readFileSync(f, 'utf8')).join('\n');
}

async function openServicesView(wb) {
  await wb.page.locator(`.activitybar .action-item a[aria-label^="${CONTAINER}"]`).first().click();
  await poll('the Services view', async () => (await wb.treeRows(VIEW)).length > 0, 30_000);
}

async function expand(wb, text) {
  const row = wb.treeRow(VIEW, text);
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
  await poll(`${text} expanded`, async () => (await row.getAttribute('aria-expanded')) === 'true', 10_000);
}

const hasRow = (rows, text) => rows.some((r) => r.text.includes(text) || r.label.includes(text));

export const scenarios = [
  {
    name: 'trusted',
    trust: 'trusted',
    settings: {},
    async run({ wb, page, folder, userDataDir, figures, log, step }) {
      await step('services-tree', async () => {
        await openServicesView(wb);
        await poll('Services under the workspace', async () => hasRow(await wb.treeRows(VIEW), 'simpleservice'), 30_000);
        const rows = await wb.treeRows(VIEW);
        for (const ns of ['default', 'shop', 'web']) if (!hasRow(rows, ns)) throw new Error(`namespace ${ns} missing: ${rows.map((r) => r.text).join(' | ')}`);
        for (const svc of ['my-nginx', 'simpleservice', 'storefront', 'payments']) if (!hasRow(rows, svc)) throw new Error(`Service ${svc} missing`);
        await expand(wb, 'simpleservice');
        await expand(wb, 'port 80/TCP');
        await poll('two endpoints on port 9876', async () => (await wb.treeRows(VIEW)).filter((r) => /:9876/.test(r.text) && /ready/.test(r.text)).length === 2, 10_000);
        // The pods of payments are not ready: the tree says so, with the reason.
        await expand(wb, 'payments');
        await poll('excluded payments pods with their reason', async () => (await wb.treeRows(VIEW)).some((r) => /payments-6d9f7c8b5-k2xwq/.test(r.text) && /not Ready/.test(r.text)), 10_000);
      });

      await step('activation-time', async () => {
        const text = await poll('the activation log line', async () => /Activated in ([\d.]+) ms/.exec(extensionLog(userDataDir)), 15_000);
        // A figure, not a pass/fail timing (2 shared cores): the run prints it and flags it when over the target.
        figures.activationMs = Number(text[1]);
        if (figures.activationMs > 50) log(`NOTE activation took ${figures.activationMs} ms (target 50 ms)`);
      });

      await step('problems-panel', async () => {
        await wb.command('View: Focus Problems');
        // The planted mistakes of examples/mistakes, as `ksd check examples/` reports them: 6 errors, 4 warnings.
        await poll('10 problems in the status bar', async () => /6\D+4/.test((await page.locator('[id="status.problems"]').textContent()) ?? ''), 60_000, 500);
        // The list is virtualised: find each mistake through the panel's filter, as a person would.
        const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
        for (const [code, file] of [['KSD101', 'storefront.yaml'], ['KSD103', 'worker.yaml'], ['KSD202', 'dns-cache.yaml'], ['KSD208', 'metrics.yaml'], ['KSD601', 'payments.yaml'], ['KSD211', 'admin.yaml']]) {
          await filter.fill(code);
          await poll(`${code} in ${file}`, async () => {
            const rows = (await wb.problems()).join('\n');
            return rows.includes(code) && rows.includes(file);
          }, 10_000);
        }
        await filter.fill('storefrnt');
        await poll('the selector typo', async () => (await wb.problems()).join('\n').includes('app=storefront'), 10_000);
        // The classic examples are clean.
        for (const clean of ['simpleservice.yaml', 'nginx.yaml', 'webserver.yaml']) {
          await filter.fill(clean);
          await poll(`no problems in ${clean}`, async () => (await page.locator('.markers-panel .monaco-list-row').count()) === 0, 5_000);
        }
        await filter.fill('KSD');
      });

      await step('panel-from-tree', async () => {
        const row = wb.treeRow(VIEW, 'simpleservice');
        await row.hover();
        const t0 = Date.now();
        await row.locator('.action-label[aria-label*="Open Panel"]').click();
        const frame = wb.webview();
        await frame.locator('h1', { hasText: 'default/simpleservice' }).waitFor({ timeout: 15_000 });
        await frame.locator('table[aria-label="Endpoints"] tbody tr').nth(1).waitFor({ timeout: 5_000 });
        // Click to data (includes VS Code creating the webview), and the panel document's own start to data.
        figures.panelClickToDataMs = Date.now() - t0;
        figures.panelDocumentToDataMs = Number(await frame.locator('body').getAttribute('data-shown-ms'));
        figures.panelRequestMs = Number(await frame.locator('body').getAttribute('data-load-ms'));
        const rows = await frame.locator('table[aria-label="Endpoints"] tbody tr').allTextContents();
        if (rows.length !== 2 || !rows.every((r) => /9876/.test(r) && /ready/.test(r))) throw new Error(`endpoints table: ${rows.join(' | ')}`);
        if (!(figures.panelDocumentToDataMs <= 500)) log(`NOTE the panel showed data ${figures.panelDocumentToDataMs} ms after its document started (target 500 ms)`);
        await frame.locator('[role=tab]', { hasText: 'DNS & env' }).click();
        await frame.locator('table[aria-label="DNS records"]').waitFor({ timeout: 5_000 });
        const dns = await frame.locator('table[aria-label="DNS records"]').textContent();
        if (!dns.includes('simpleservice.default.svc.cluster.local.')) throw new Error(`DNS tab: ${dns}`);
        const env = await frame.locator('table[aria-label="Environment variables"]').textContent();
        if (!env.includes('SIMPLESERVICE_SERVICE_PORT')) throw new Error(`env table: ${env}`);
      });

      await step('trace-command', async () => {
        await wb.command('Kubernetes Service Debugger: Trace a Request');
        // Each question stays open when the open panel takes the focus (one of its tabs focused here): none vanishes.
        const stays = async (title) => {
          const widget = page.locator('.quick-input-widget');
          await poll(`quick pick "${title}"`, async () => ((await widget.locator('.quick-input-title').textContent().catch(() => '')) ?? '').includes(title), 30_000);
          await wb.webview().locator('[role=tab]').first().focus();
          await page.waitForTimeout(300);
          if (!(await widget.isVisible())) throw new Error(`the "${title}" pick closed when the panel took the focus`);
        };
        await stays('destination');
        await wb.pick('default/simpleservice', { title: 'destination' });
        await stays('source');
        await wb.pick('an external client', { title: 'source' });
        // examples/cluster has two nodes: the default is the node that owns the destination, else the first.
        await wb.pick('Default node', { title: 'node' });
        const frame = wb.webview();
        const result = frame.locator('[data-testid=trace-result]');
        await poll('a trace result or a notice', async () => ((await result.textContent()) ?? '').trim() && !/Tracing\.\.\./.test(await result.textContent()), 15_000);
        const text = await result.textContent();
        if (/not part of this build/.test(text)) return { skip: `the panel says: ${text.trim()}` };
        const verdict = await frame.locator('[data-testid=verdict]').textContent();
        if (!/DNAT/.test(verdict)) throw new Error(`verdict: ${verdict}`);
        if (!/:9876/.test(text)) throw new Error(`no endpoint on 9876 in: ${text}`);
      });

      await step('rules-tab-node', async () => {
        // The panel (open on the trace) shows one node's rules; the node picked there holds for the trace form too.
        const frame = wb.webview();
        await frame.locator('#tab-rules').click();
        const shown = frame.locator('[data-testid=rules-node-shown]');
        await poll('the rules of the first node', async () => /node worker-1\./.test((await shown.textContent().catch(() => '')) ?? ''), 15_000);
        await frame.locator('#rules-node').selectOption('worker-2');
        await poll('the rules of worker-2', async () => /node worker-2\./.test((await shown.textContent().catch(() => '')) ?? ''), 15_000);
        await frame.locator('#tab-trace').click();
        const picked = await frame.locator('#trace-node').inputValue();
        if (picked !== 'worker-2') throw new Error(`the trace form's node is "${picked}", not the node picked on the Rules tab`);
      });

      await step('import-nft-dump', async () => {
        // A node that has not caught up: worker-1's nftables ruleset as `nft list ruleset` prints it, with one
        // of web/webserver's three endpoints gone from its numgen map.
        const ksd = spawnSync(process.execPath, [path.join(ROOT, 'bin/ksd.js'), 'rules', folder, '--mode', 'nftables', '--format', 'save', '--node', 'worker-1'], { encoding: 'utf8' });
        if (ksd.status !== 0) throw new Error(`ksd rules: ${ksd.stderr}`);
        const stale = ksd.stdout.replace(/numgen random mod 3 map \{ 0 : ([\d.]+) \. 80, 1 : ([\d.]+) \. 80, 2 : [\d.]+ \. 80 \}/, 'numgen random mod 2 map { 0 : $1 . 80, 1 : $2 . 80 }');
        if (stale === ksd.stdout) throw new Error('the webserver fan-out was not found in the generated ruleset');
        const file = path.join(folder, 'worker-1.nft');
        writeFileSync(file, stale);
        await wb.command('Kubernetes Service Debugger: Import Node Rules (iptables-save, iptables -L, nft, ipvsadm)');
        // code-server's own file dialog: a quick input that takes a path.
        const input = page.locator('.quick-input-widget input.input');
        await input.waitFor({ state: 'visible', timeout: 15_000 });
        // The dialog writes the folder's path into the input once it has listed it: type the file after that.
        await poll('the file dialog listing the workspace', async () => (await input.inputValue()).endsWith('/') && (await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'worker-1.nft' }).count()) > 0, 15_000);
        await input.fill(file);
        await poll('the path typed', async () => (await input.inputValue()) === file, 5_000);
        await input.press('Enter');
        await wb.pick('worker-1', { title: 'Which node' });
        // The diff, in the words of `ksd diff`, opens beside the dump: the endpoint left out of the node's numgen
        // map is a stale endpoint (in the 1.36 layout the fan-out is one rule holding every endpoint).
        const report = page.locator('.editor-instance .view-lines', { hasText: 'Stale endpoints (1)' });
        await poll('the diff document naming the stale endpoint', async () => (await report.count()) > 0, 20_000);
        // examples/cluster configures iptables mode: the import says the dump is another mode's.
        await poll('the mode mismatch warning', async () => (await page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'but the panel simulates iptables mode' }).count()) > 0, 10_000);
        const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'differ from the expected ones' });
        await toast.waitFor({ timeout: 10_000 });
        await toast.locator('.monaco-button', { hasText: 'Trace a request through them' }).click();
        await wb.pick('web/webserver', { title: 'destination' });
        await wb.pick('an external client', { title: 'source' });
        await wb.pick('worker-1', { title: 'node' });
        const frame = wb.webview();
        const through = frame.locator('[data-testid=trace-through]');
        await poll('the trace through the imported rules', async () => /imported from/.test((await through.textContent().catch(() => '')) ?? ''), 20_000);
        const text = await frame.locator('[data-testid=trace-result]').textContent();
        if (!/worker-1\.nft/.test(text)) throw new Error(`the result does not name the file: ${text}`);
        if (!/DNAT/.test(await frame.locator('[data-testid=verdict]').textContent())) throw new Error(`verdict: ${text}`);
        // Two endpoints at 50% (the node's rules), not the three at 33.3% the manifests would give.
        const pcts = await frame.locator('.probabilities .pct').allTextContents();
        if (pcts.length !== 2 || !pcts.every((p) => p === '50%')) throw new Error(`endpoint shares: ${pcts.join(', ')}`);
        if (!/this trace follows the imported nftables rules/.test(text)) throw new Error(`no mode note in: ${text}`);
        // Leave the workbench as a person would: notifications dismissed, the editor focused again.
        await wb.command('Notifications: Clear All Notifications');
        await wb.command('View: Focus Active Editor Group');
      });

      await step('rule-chain-document', async () => {
        await wb.command('Kubernetes Service Debugger: Show kube-proxy Rule Chain');
        await wb.pick('default/simpleservice');
        // examples/cluster has two nodes: the command asks whose rules to show.
        await wb.pick('worker-2', { title: 'node' });
        const notice = page.locator('.notifications-toasts .notification-list-item-message', { hasText: 'not part of this build' });
        const editor = page.locator('.editor-instance .view-lines', { hasText: 'KUBE-SVC-' });
        const which = await poll('the rule document or a notice', async () => ((await editor.count()) ? 'doc' : (await notice.count()) ? 'notice' : ''), 15_000);
        if (which === 'notice') return { skip: `VS Code says: ${(await notice.first().textContent()).trim()}` };
        const text = await editor.first().textContent();
        for (const chain of ['KUBE-SERVICES', 'KUBE-SVC-', 'KUBE-SEP-']) if (!text.includes(chain)) throw new Error(`${chain} missing from the rule document`);
      });
    },
  },
  {
    name: 'restricted',
    trust: 'prompt',
    settings: {},
    async run({ wb, page, step }) {
      await step('trust-prompt', async () => {
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ timeout: 30_000 });
        if (!/trust/i.test(await dialog.textContent())) throw new Error('the dialog is not the workspace trust prompt');
        await dialog.locator('.monaco-button', { hasText: /No, I don.t trust/ }).click();
        await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
      });
      await step('tree-in-restricted-mode', async () => {
        await openServicesView(wb);
        await poll('Services and the Restricted Mode notice', async () => {
          const rows = await wb.treeRows(VIEW);
          return hasRow(rows, 'simpleservice') && hasRow(rows, 'Live clusters are off in Restricted Mode');
        }, 30_000);
        if (!(await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).count())) throw new Error('VS Code does not show Restricted Mode');
      });
      await step('diagnostics-in-restricted-mode', async () => {
        // Manifest analysis is not a risk: the language server runs and reports the planted mistakes.
        await poll('6 errors and 4 warnings in the status bar', async () => /6\D+4/.test((await page.locator('[id="status.problems"]').textContent()) ?? ''), 60_000, 500);
      });
    },
  },
  liveScenario,
];
