// Starts and stops code-server (a real VS Code workbench and extension host, from npm) for the e2e tier.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CODE_SERVER = path.join(ROOT, '.e2e/code-server/node_modules/.bin/code-server');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Installs the packaged extension into a fresh extensions dir, as a user would (`--install-extension`). */
export function installExtension(vsix, extensionsDir) {
  mkdirSync(extensionsDir, { recursive: true });
  const r = spawnSync(CODE_SERVER, ['--extensions-dir', extensionsDir, '--install-extension', vsix], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`code-server --install-extension failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout.trim();
}

export function writeUserSettings(userDataDir, settings) {
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
}

/** Polls `fn` until it returns a truthy value or the budget runs out. */
export async function poll(what, fn, budgetMs = 30_000, everyMs = 100) {
  const end = Date.now() + budgetMs;
  let last;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${budgetMs} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
}

export async function startCodeServer({ userDataDir, extensionsDir, folder, log }) {
  const port = await freePort();
  // Workspace trust is decided by each run's settings (security.workspace.trust.enabled).
  const args = ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, folder];
  const child = spawn(CODE_SERVER, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CS_DISABLE_GETTING_STARTED_OVERRIDE: '1' } });
  const out = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => out.push(String(d)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  try {
    await poll('code-server to answer HTTP', async () => {
      if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}): ${out.join('').slice(-2000)}`);
      const r = await fetch(`${url}/healthz`).catch(() => undefined);
      return r?.ok;
    }, 60_000, 200);
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
  log?.(`code-server on ${url} (pid ${child.pid})`);
  return {
    url,
    output: () => out.join(''),
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
