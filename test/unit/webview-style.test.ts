// The panel's stylesheet: long manifest strings (a 300-character label value, a hostile name) wrap where
// they are shown instead of widening the panel past its window (before, the facts grid and tables grew a
// horizontal scrollbar and pushed the Policies line off screen).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const css = readFileSync(path.resolve(__dirname, '../../../webview/style.css'), 'utf8');

function rule(selector: string): string {
  const found = [...css.matchAll(/([^{}]+)\{([^}]*)\}/g)].filter((m) => m[1]!.replace(/\/\*[^]*?\*\//g, '').split(',').map((s) => s.trim()).includes(selector));
  assert.ok(found.length, `no rule for ${selector}`);
  return found.map((m) => m[2]).join(';');
}

test('panel style: manifest strings wrap anywhere in the heading, the facts, the tables and the explanations', () => {
  for (const sel of ['h1', '.facts dd', 'td.name', '.excluded li', '.explanation']) assert.match(rule(sel), /overflow-wrap:\s*anywhere/, sel);
  // A grid column sized 1fr never shrinks below its content's width: minmax(0, 1fr) lets it wrap.
  assert.match(rule('.facts'), /grid-template-columns:\s*max-content\s+minmax\(0,\s*1fr\)/);
  // Other cells keep their words whole (an address is not split to make room), and the type badge never breaks.
  assert.doesNotMatch(rule('td'), /overflow-wrap/);
  assert.match(rule('.badge'), /white-space:\s*nowrap/);
  // In a narrow panel the type badge and the last tabs move to the next line instead of squeezing the name
  // ("web/webser ver") or cutting "DNS & env" off.
  assert.match(rule('h1'), /flex-wrap:\s*wrap/);
  assert.match(rule('.tabs'), /flex-wrap:\s*wrap/);
});

test('panel: the pod cells of both endpoint tables are the ones marked to wrap', () => {
  const src = readFileSync(path.resolve(__dirname, '../../../webview/views/endpoints.ts'), 'utf8');
  assert.equal((src.match(/h\('td', \{ class: 'name' \}, (e|p)\.pod/g) ?? []).length, 2);
});

test('trace steps: what each rule did is not painted in the link colour (nothing there is clickable)', () => {
  assert.doesNotMatch(rule('.steps .effect'), /textLink/);
});
