/**
 * The stdio server's message encoder joins a publishDiagnostics message from per-diagnostic JSON made once
 * per object: its bytes must be those of JSON.stringify on the whole message (hostile strings included), and
 * a diagnostic published again is not serialised again.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import type { Message } from 'vscode-languageserver/node';
import { lspDiagnostic } from '../../src/server/features/convert';
import { publishCachingEncoder } from '../../src/server/publishEncoding';
import { rng } from '../../bench/fuzz-mutators';
import type { Diagnostic } from '../../src/core';

const UTF8 = { charset: 'utf-8' } as const;
const STRINGS = ['plain', 'quote " and \\ backslash', '"diagnostics":0', '"diagnostics":[]', 'ünïcødé → ✓', 'lone \ud800 surrogate', 'tab\tnew\nline', '</script>', ''];

async function bytes(msg: unknown, enc = publishCachingEncoder()): Promise<string> {
  return Buffer.from(await enc.encode(msg as Message, UTF8)).toString('utf8');
}

test('a publish is encoded to the bytes JSON.stringify gives, whatever its strings', async () => {
  const r = rng(3);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const enc = publishCachingEncoder();
  const pool = Array.from({ length: 30 }, (_, i) => ({ range: { start: { line: i, character: 0 }, end: { line: i, character: 3 } }, severity: 1 + (i % 4), code: `KSD${100 + i}`, source: 'ksd', message: pick(STRINGS), ...(i % 3 ? {} : { relatedInformation: [{ location: { uri: `file:///${pick(STRINGS)}`, range: { start: { line: 1, character: 1 }, end: { line: 1, character: 2 } } }, message: pick(STRINGS) }] }) }));
  for (let n = 0; n < 200; n++) {
    const diagnostics: unknown[] = Array.from({ length: Math.floor(r() * 12) }, () => pick(pool));
    if (r() < 0.1) diagnostics.push(undefined, null, 7);
    const params: Record<string, unknown> = r() < 0.5 ? { uri: `file:///${pick(STRINGS)}.yaml`, diagnostics } : { diagnostics, uri: 'file:///x.yaml', version: n };
    const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params };
    assert.equal(await bytes(msg, enc), JSON.stringify(msg), `message ${n}`);
  }
});

test('other messages are encoded as JSON.stringify gives them', async () => {
  for (const msg of [
    { jsonrpc: '2.0', id: 1, result: { items: ['"diagnostics":0'] } },
    { jsonrpc: '2.0', method: 'ksd/status', params: { state: 'ready', files: 3 } },
    { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a', diagnostics: 'not a list' } },
  ]) {
    assert.equal(await bytes(msg), JSON.stringify(msg));
  }
});

test('a diagnostic published again is not serialised again', async () => {
  let calls = 0;
  const d = { toJSON: () => (calls++, { message: 'once', code: 'KSD101' }) };
  const enc = publishCachingEncoder();
  const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a', diagnostics: [d] } };
  const first = await bytes(msg, enc);
  const second = await bytes({ ...msg, params: { ...msg.params, diagnostics: [d, d] } }, enc);
  assert.equal(calls, 1);
  assert.equal(first, JSON.stringify(msg));
  assert.equal(second, JSON.stringify({ ...msg, params: { ...msg.params, diagnostics: [d, d] } }));
  // The LSP form of a core diagnostic is made once too (kept findings are the same objects edit after edit).
  const core: Diagnostic = { file: 'f.yaml', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, severity: 'warning', code: 'KSD602', message: 'm' };
  assert.equal(lspDiagnostic(core), lspDiagnostic(core));
  assert.notEqual(lspDiagnostic({ ...core }), lspDiagnostic(core));
});
