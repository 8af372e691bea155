// The pod counts of a lens and a name hover agree with the tree and the panel when a named targetPort
// resolves on no pod: the pods are matched and Ready, but their endpoints carry no port (kubernetes#109627),
// so the Service has no ready endpoint. Before, the lens read "2 pods, 2 ready" over a Service with none.
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { CodeLens, Hover, MarkupContent } from 'vscode-languageserver/node';
import { TestClient } from './client';
import { DEPLOY, SVC } from './fixtures';

let c: TestClient;
before(async () => {
  c = await TestClient.start({ files: { 'deploy/web.yaml': DEPLOY } });
});
after(() => c.stop());

async function countsLens(text: string): Promise<string | undefined> {
  const uri = await c.open(`lens-${Math.random().toString(36).slice(2)}.yaml`, text);
  const lenses = await c.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
  return lenses.find((l) => l.command?.command === '')?.command?.title;
}

test('lens: a targetPort no pod declares leaves the ready pods without an endpoint, and the lens says so', async () => {
  assert.equal(await countsLens(SVC.replace('targetPort: http', 'targetPort: htp')), '2 pods, 0 ready, 2 without port http');
  // The protocol counts too: "dns" is UDP on the pods, the Service port is TCP.
  assert.equal(await countsLens(SVC.replace('targetPort: http', 'targetPort: dns')), '2 pods, 0 ready, 2 without port http');
  // The same Service with a port the pods declare: unchanged.
  assert.equal(await countsLens(SVC), '2 pods, 2 ready');
});

test('lens: with two ports and one unresolved, the ready pods still count for the other port', async () => {
  const two = SVC.replace('    targetPort: http\n', '    targetPort: http\n  - name: metrics\n    port: 9100\n    targetPort: metrics\n');
  assert.equal(await countsLens(two), '2 pods, 2 ready, 2 without port metrics');
});

test('hover on the Service name: the same counts as the lens', async () => {
  const uri = await c.open('hover-portless.yaml', SVC.replace('targetPort: http', 'targetPort: htp'));
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 9 } });
  const md = (h?.contents as MarkupContent).value;
  assert.match(md, /2 pods, 0 ready, 2 without port http$/);
});
