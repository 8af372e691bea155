// The e2e tier: the packaged .vsix installed into a real VS Code (code-server from npm) driven by Playwright
// in Debian's Chromium, checking what a person sees. Screenshots of every step go to test-results/e2e/.
// Usage: node test/e2e/run.mjs   (E2E_SKIP_SETUP=1 skips setup.sh, E2E_VSIX=FILE tests a given .vsix,
// E2E_ONLY=trusted,restricted runs some scenarios only)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CODE_SERVER, ROOT, installExtension, startCodeServer, writeUserSettings } from './codeServer.mjs';
import { scenarios } from './scenarios.mjs';
import { Workbench } from './workbench.mjs';

const OUT = path.join(ROOT, 'test-results/e2e');
const started = Date.now();
const log = (m) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

if (process.env.E2E_SKIP_SETUP !== '1') run('bash', ['test/e2e/setup.sh']);
if (!existsSync(CODE_SERVER)) throw new Error(`code-server is not installed at ${CODE_SERVER}: run test/e2e/setup.sh`);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: run test/e2e/setup.sh (apt-get install chromium)`);

let vsix = process.env.E2E_VSIX;
if (!vsix) {
  log('packaging the extension (npm run package)');
  run('npm', ['run', '--silent', 'package']);
  vsix = path.join(ROOT, 'kube-service-debugger.vsix');
}
const vsixBytes = statSync(vsix).size;
log(`.vsix ${(vsixBytes / 1024).toFixed(0)} KB`);

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const tmp = mkdtempSync(path.join(tmpdir(), 'ksd-e2e-'));
const extensionsDir = path.join(tmp, 'extensions');
log(installExtension(vsix, extensionsDir));

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const results = [];
const figures = { vsixKB: Math.round(vsixBytes / 1024) };
try {
  for (const sc of scenarios.filter((s) => !process.env.E2E_ONLY || process.env.E2E_ONLY.split(',').includes(s.name))) {
    // Each scenario gets a fresh copy of the examples, a fresh profile and its own code-server.
    const dir = mkdtempSync(path.join(tmp, `${sc.name}-`));
    const folder = path.join(dir, 'workspace');
    cpSync(path.join(ROOT, 'examples'), folder, { recursive: true });
    const userDataDir = path.join(dir, 'user-data');
    // A scenario may start what it needs first (the live one: a fake API server) and add settings.
    const prepared = sc.before ? await sc.before({ dir, log }) : undefined;
    writeUserSettings(userDataDir, {
      'security.workspace.trust.enabled': sc.trust === 'prompt',
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.ignoreRecommendations': true,
      'update.mode': 'none',
      ...sc.settings,
      ...prepared?.settings,
    });
    const server = await startCodeServer({ userDataDir, extensionsDir, folder, log });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const wb = new Workbench(page, OUT);
    wb.shotsPrefix = sc.name;
    const t = { name: sc.name, steps: [] };
    results.push(t);
    try {
      await wb.open(server.url, folder);
      await sc.run({ wb, page, folder, userDataDir, figures, log, prepared, step: (name, fn) => step(t, wb, sc.name, name, fn) });
    } catch (e) {
      t.steps.push({ name: 'scenario', status: 'failed', error: e.message });
      await wb.screenshot(`${sc.name}-failure`).catch(() => undefined);
      log(`scenario ${sc.name} failed: ${e.message}`);
    } finally {
      await context.close();
      await server.stop();
      await prepared?.close?.();
    }
  }
} finally {
  await browser.close();
}

async function step(t, wb, scenario, name, fn) {
  const t0 = Date.now();
  try {
    const r = await fn();
    const skipped = r && typeof r === 'object' && 'skip' in r;
    t.steps.push({ name, status: skipped ? 'skipped' : 'passed', ms: Date.now() - t0, ...(skipped ? { reason: r.skip } : {}) });
    await wb.screenshot(`${scenario}-${name}`);
    log(`${skipped ? 'SKIP' : 'ok  '} ${scenario} / ${name}${skipped ? `: ${r.skip}` : ''}`);
  } catch (e) {
    t.steps.push({ name, status: 'failed', ms: Date.now() - t0, error: e.message });
    await wb.screenshot(`${scenario}-${name}-FAILED`).catch(() => undefined);
    log(`FAIL ${scenario} / ${name}: ${e.message}`);
  }
}

const all = results.flatMap((r) => r.steps);
const count = (s) => all.filter((x) => x.status === s).length;
writeFileSync(path.join(OUT, 'results.json'), JSON.stringify({ results, figures }, null, 2));
log(`figures: ${JSON.stringify(figures)}`);
log(`screenshots and results.json in ${path.relative(ROOT, OUT)}/`);
rmSync(tmp, { recursive: true, force: true });
console.log(`e2e: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
process.exit(count('failed') ? 1 : 0);
