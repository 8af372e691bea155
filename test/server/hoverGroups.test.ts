/** Selector hovers list a workload once, with its Pods' count and readiness, not each Pod again. */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { Hover } from 'vscode-languageserver/node';
import { caret, TestClient } from './client';
import { DEPLOY } from './fixtures';

const pod = (name: string, ready: boolean, owner?: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: web
    tier: front
${owner ? `  ownerReferences:\n  - apiVersion: apps/v1\n    kind: ReplicaSet\n    name: ${owner}\n    uid: 1\n    controller: true\n` : ''}spec:
  containers:
  - name: main
    image: nginx
status:
  phase: Running
  podIP: 10.244.1.${name.length}
  conditions:
  - type: Ready
    status: "${ready ? 'True' : 'False'}"
`;

let c: TestClient;
before(async () => {
  const pods = [pod('web-6d4cf56db6-a1', true, 'web-6d4cf56db6'), pod('web-6d4cf56db6-b22', true, 'web-6d4cf56db6'), pod('web-6d4cf56db6-c333', false, 'web-6d4cf56db6'), pod('debug-shell', true)];
  c = await TestClient.start({ files: { 'k8s/deploy.yaml': DEPLOY, 'k8s/pods.yaml': pods.join('---\n') } });
});
after(() => c.stop());

async function hoverAt(rel: string, marked: string): Promise<string> {
  const { text, line, character } = caret(marked);
  const uri = await c.open(rel, text);
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  assert.ok(h && typeof h.contents === 'object' && 'value' in h.contents);
  return h.contents.value;
}

const svc = (selector: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: front\nspec:\n  selector:\n${selector}\n  ports:\n  - port: 80\n`;

test('a near-miss selector: one line for the Deployment with its pod count and readiness; an unowned Pod alone', async () => {
  const md = await hoverAt('miss.yaml', svc('    app: wbe|'));
  const list = md.split('Closest label sets in this namespace (closest first):\n')[1] ?? '';
  assert.match(list, /^- Deployment web \(3 pods, 2 ready\): app=web, not wbe/m);
  assert.match(list, /^- Pod debug-shell: app=web, not wbe/m);
  assert.doesNotMatch(list, /web-6d4cf56db6/, 'the Deployment\'s Pods are folded into its line');
});

test('a matching selector: the workload once in the match list, its Pods still listed with readiness below', async () => {
  const md = await hoverAt('match.yaml', svc('    app: w|eb'));
  const matches = md.split('\n\n')[1] ?? '';
  assert.match(matches, /^Matches 2 workload templates \/ pods:\n- Deployment web \(3 pods, 2 ready\)\n- Pod debug-shell$/);
  assert.match(md, /✗ `web-6d4cf56db6-c333`/);
});
