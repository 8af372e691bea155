/** KSD202 quick fixes: keep the Service port's protocol first, switch it second; each applied fix clears the finding. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver/node';
import { loadManifest } from '../../src/core';
import { TestClient } from './client';

const has202 = (d: Diagnostic[]) => d.some((x) => x.code === 'KSD202');

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  return text;
}

/** Opens `text`, takes the KSD202 quick fixes, and checks each one applied: valid YAML, comments kept, KSD202 gone. */
async function fixesFor(text: string): Promise<{ title: string; fixed: string; preferred?: boolean }[]> {
  const c = await TestClient.start();
  try {
    const uri = await c.open('svc.yaml', text);
    const d = (await c.diagnosticsFor(uri, has202, 'KSD202')).find((x) => x.code === 'KSD202')!;
    const actions = await c.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const out = [];
    for (const a of actions) {
      const fixed = apply(text, a.edit!.changes![uri]!);
      assert.deepEqual(loadManifest('svc.yaml', fixed).diagnostics.filter((x) => x.severity === 'error'), [], `${a.title} leaves valid YAML`);
      for (const comment of text.split('\n').filter((l) => /^\s*#/.test(l))) assert.ok(fixed.includes(comment), `${a.title} keeps "${comment}"`);
      await c.edit(uri, fixed);
      await c.diagnosticsFor(uri, (x) => !has202(x), `KSD202 to clear after "${a.title}"`);
      await c.edit(uri, text);
      await c.diagnosticsFor(uri, has202, 'KSD202 back');
      out.push({ title: a.title, fixed, preferred: a.isPreferred });
    }
    return out;
  } finally {
    await c.stop();
  }
}

test('the planted dns-cache mistake: keeping UDP (port number 53) comes first, the switch to TCP second', async () => {
  const text = readFileSync(path.join(__dirname, '../../../examples/mistakes/dns-cache.yaml'), 'utf8');
  const fixes = await fixesFor(text);
  assert.deepEqual(fixes.map((f) => f.title), ['Keep UDP: use port number 53 (no container port is UDP; works if the process listens on 53/UDP)', 'Change the Service port protocol to TCP']);
  assert.equal(fixes[0]!.preferred, true);
  assert.match(fixes[0]!.fixed, /protocol: UDP\n {4}# planted[^\n]*\n {4}targetPort: 53\n/);
  assert.match(fixes[1]!.fixed, /protocol: TCP\n {4}# planted[^\n]*\n {4}targetPort: dns\n/);
});

const DEPLOY_BOTH = (udpName: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dns
spec:
  selector:
    matchLabels:
      app: dns
  template:
    metadata:
      labels:
        app: dns
    spec:
      containers:
      - name: coredns
        image: coredns/coredns
        ports:
        - name: dns-tcp
          containerPort: 53
          protocol: TCP
        - ${udpName ? `name: ${udpName}\n          ` : ''}containerPort: 53
          protocol: UDP
---
apiVersion: v1
kind: Service
metadata:
  name: dns
spec:
  selector:
    app: dns
  ports:
  # UDP for queries
  - port: 53
    protocol: UDP
    targetPort: dns-tcp
`;

test('a container port with the Service protocol is offered first: by its name, else by its number', async () => {
  const named = await fixesFor(DEPLOY_BOTH('dns'));
  assert.deepEqual(named.map((f) => f.title), ['Keep UDP: use the container port "dns" (53/UDP)', 'Change the Service port protocol to TCP']);
  assert.match(named[0]!.fixed, /protocol: UDP\n {4}targetPort: dns\n$/);
  const unnamed = await fixesFor(DEPLOY_BOTH(''));
  assert.deepEqual(unnamed.map((f) => f.title), ['Keep UDP: use port number 53 (declared as 53/UDP)', 'Change the Service port protocol to TCP']);
  assert.match(unnamed[0]!.fixed, /protocol: UDP\n {4}targetPort: 53\n$/);
});
