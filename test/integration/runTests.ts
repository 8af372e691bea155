/**
 * Integration tier: the extension inside a real VS Code downloaded by @vscode/test-electron, on the
 * minimum version (engines.vscode) and on stable, as rust-analyzer does. Where VS Code cannot be downloaded
 * (no network, as on this project's machines), it says why and exits 0 as SKIPPED: nothing is faked.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const ROOT = path.resolve(__dirname, '../../..');
const PROBE = 'https://update.code.visualstudio.com/api/releases/stable';
const PROBE_TIMEOUT_MS = 5000;

/** Why VS Code cannot be downloaded here, or undefined when it can. */
export async function downloadBlocker(fetchImpl: typeof fetch = fetch, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  try {
    const r = await fetchImpl(PROBE, { signal: AbortSignal.timeout(timeoutMs) });
    return r.ok ? undefined : `the VS Code update service answered HTTP ${r.status}`;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return `the VS Code update service cannot be reached (${cause ?? (e instanceof Error ? e.name + ': ' + e.message : String(e))})`;
  }
}

async function main(): Promise<number> {
  const blocker = await downloadBlocker();
  if (blocker) {
    console.log(`SKIPPED integration tier: ${blocker}, so @vscode/test-electron cannot download VS Code. The e2e tier (npm run test:e2e) runs the extension in code-server instead.`);
    return 0;
  }
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { vscode: string } };
  const minimum = pkg.engines.vscode.replace(/^[\^~]/, '');
  for (const version of [minimum, 'stable']) {
    console.log(`integration: VS Code ${version}`);
    const vscodeExecutablePath = await downloadAndUnzipVSCode(version);
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
      launchArgs: [path.join(ROOT, 'examples'), '--disable-extensions', '--disable-workspace-trust'],
    });
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`integration tier failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
