/** Every diagnostic code's documentation link (LSP codeDescription) lands on an anchor that exists in README.md. */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ALL_CHECKS } from '../../src/core';
import { toLspDiagnostic } from '../../src/server/features/convert';

const root = path.resolve(__dirname, '../../..');

/** Every KSDnnn code the sources emit (load problems too), read from the TypeScript sources. */
function emittedCodes(dir: string, out = new Set<string>()): Set<string> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) emittedCodes(p, out);
    else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/'(KSD\d{3})'/g)) out.add(m[1]!);
  }
  return out;
}

function anchors(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]!));
}

test('every code has a codeDescription link whose anchor exists in README.md', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const ids = anchors(readme);
  const codes = new Set([...ALL_CHECKS.map((c) => c.code), ...emittedCodes(path.join(root, 'src'))]);
  assert.ok(codes.has('KSD001') && codes.has('KSD101') && codes.size > 40, `found ${codes.size} codes`);
  for (const code of codes) {
    const lsp = toLspDiagnostic({ file: 'file:///x.yaml', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: 'error', code, message: 'm' });
    const href = lsp.codeDescription?.href;
    assert.ok(href, `${code} has a link`);
    const url = new URL(href);
    assert.equal(path.resolve(decodeURIComponent(url.pathname)), path.join(root, 'README.md'), `${code} links to the project README`);
    assert.ok(ids.has(url.hash.slice(1)), `${code}: README.md has no anchor "${url.hash}"`);
  }
});

test('the anchor reader finds only real anchors', () => {
  assert.deepEqual([...anchors('| <a id="ksd101"></a>KSD101 | x |\n#ksd999 <a name="ksd998">')], ['ksd101']);
});

/**
 * Markdown link targets that `vsce package` would have to rewrite: relative paths (not `#anchor`, not an
 * absolute URL). The package has no repository URL to rewrite them against, so vsce refuses to package.
 */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !t.startsWith('#') && !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

test('README.md links only to its own anchors or absolute URLs (vsce package refuses relative links)', () => {
  assert.deepEqual(relativeLinks(readFileSync(path.join(root, 'README.md'), 'utf8')), []);
});

test('the relative-link reader tells relative links from anchors and URLs', () => {
  assert.deepEqual(relativeLinks('[a](#checks) [b](docs/perf/core.md) [c](https://kubernetes.io/x) [d](../x.md) `[e](f)`'), ['docs/perf/core.md', '../x.md', 'f']);
});
