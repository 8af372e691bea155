/**
 * Runs inside the VS Code that @vscode/test-electron started (extensionTestsPath): a small sequential runner,
 * since the extension host gives us no test framework. Every wait polls with a budget.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';

const EXTENSION_ID = 'kube-service-debugger.kube-service-debugger';

async function poll<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, budgetMs = 20_000): Promise<T> {
  const end = Date.now() + budgetMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${budgetMs} ms waiting for ${what}`);
}

const tests: [string, () => Promise<void>][] = [
  [
    'activates on a YAML file and registers every command',
    async () => {
      const [uri] = await vscode.workspace.findFiles('simpleservice/simpleservice.yaml');
      assert.ok(uri, 'examples/simpleservice is open');
      await vscode.window.showTextDocument(uri);
      const ext = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(ext);
      await poll('activation', () => ext.isActive);
      const all = await vscode.commands.getCommands(true);
      for (const id of ['openPanel', 'traceRequest', 'showRuleChain', 'importNodeRules', 'refresh']) assert.ok(all.includes(`kubeServiceDebugger.${id}`), id);
    },
  ],
  [
    'the language server reports the planted mistakes',
    async () => {
      const codes = await poll('diagnostics on examples/mistakes', () => {
        const found = vscode.languages.getDiagnostics().flatMap(([u, ds]) => (u.path.includes('/mistakes/') ? ds.map((d) => String(typeof d.code === 'object' ? d.code.value : d.code)) : []));
        return found.includes('KSD101') && found.includes('KSD601') ? found : undefined;
      }, 60_000);
      assert.ok(codes.includes('KSD208'));
      const clean = vscode.languages.getDiagnostics().filter(([u, ds]) => u.path.endsWith('/simpleservice.yaml') && ds.length);
      assert.deepEqual(clean, []);
    },
  ],
  [
    'the panel opens for a Service given as a code-lens argument',
    async () => {
      await vscode.commands.executeCommand('kubeServiceDebugger.openPanel', { namespace: 'default', name: 'simpleservice', uri: 'file:///x' });
      await poll('the panel tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'Service: simpleservice'));
    },
  ],
];

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const [name, fn] of tests) {
    try {
      await fn();
      console.log(`ok - ${name}`);
    } catch (e) {
      failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
      console.log(`not ok - ${name}`);
    }
  }
  console.log(`${tests.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length) throw new Error(failures.join('\n'));
}
