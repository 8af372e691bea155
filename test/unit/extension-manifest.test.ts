/** package.json `contributes` is the extension's public surface: keep it in step with the code that serves it. */
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { RULE_CHAIN_COMMAND, TRACE_COMMAND } from '../../src/protocol/lsp';
import { SETTINGS_SCHEMA } from '../../src/protocol/settings';

const ROOT = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('the fixed command ids are contributed, including the ones the server code lenses call', () => {
  const ids = pkg.contributes.commands.map((c: { command: string }) => c.command);
  for (const id of ['kubeServiceDebugger.openPanel', 'kubeServiceDebugger.traceRequest', 'kubeServiceDebugger.showRuleChain', 'kubeServiceDebugger.importNodeRules', 'kubeServiceDebugger.refresh', TRACE_COMMAND, RULE_CHAIN_COMMAND]) assert.ok(ids.includes(id), id);
  // Every command the source registers is contributed (and nothing else).
  const src = readFileSync(path.join(ROOT, 'src/extension/commands.ts'), 'utf8');
  const registered = [...src.matchAll(/^ {2}'(kubeServiceDebugger\.\w+)':/gm)].map((m) => m[1]);
  assert.deepEqual([...registered].sort(), [...ids].sort());
});

test('the language server settings schema is contributed unchanged', () => {
  const props = pkg.contributes.configuration.properties;
  for (const [k, v] of Object.entries(SETTINGS_SCHEMA)) assert.deepEqual(props[k], v, k);
});

test('lazy activation: the language, the view, the panel and the rule documents; no "*"', () => {
  assert.deepEqual(pkg.activationEvents, ['onLanguage:yaml', 'onView:kubeServiceDebugger.services', 'onWebviewPanel:kubeServiceDebugger.panel', 'onFileSystem:ksd-rules']);
  assert.equal(pkg.main, './dist/extension.js');
});

test('Workspace Trust: limited support, live access settings restricted', () => {
  const u = pkg.capabilities.untrustedWorkspaces;
  assert.equal(u.supported, 'limited');
  assert.match(u.description, /Restricted Mode/);
  assert.deepEqual(u.restrictedConfigurations, ['kubeServiceDebugger.live.enabled', 'kubeServiceDebugger.live.kubeconfig', 'kubeServiceDebugger.live.checkManifests', 'kubeServiceDebugger.live.context']);
});

test('grammars and languages point at files that exist, with matching scope names', () => {
  const langs = new Set(pkg.contributes.languages.map((l: { id: string }) => l.id));
  for (const g of pkg.contributes.grammars as { language: string; scopeName: string; path: string }[]) {
    assert.ok(langs.has(g.language), g.language);
    const file = path.join(ROOT, g.path);
    assert.ok(existsSync(file), g.path);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).scopeName, g.scopeName);
  }
  for (const l of pkg.contributes.languages) assert.ok(existsSync(path.join(ROOT, l.configuration)));
  assert.ok(existsSync(path.join(ROOT, pkg.icon)));
  assert.ok(existsSync(path.join(ROOT, pkg.contributes.viewsContainers.activitybar[0].icon)));
});
