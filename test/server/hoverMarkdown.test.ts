// Manifest strings in hovers stay text: a name or label holding backticks, emphasis or a markdown link
// must not close the code span it is shown in, turn bold, or become a link (before: "[link](http://x)" in a
// pod name was a clickable link in the selector hover, and "`**bold**`" broke out of the Service name's span).
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { Hover } from 'vscode-languageserver/node';
import { code, text } from '../../src/server/features/markdown';
import { caret, TestClient } from './client';

const EVIL = '<img src=x onerror=alert(1)>`**bold**`[link](http://x)';
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: "pod-${EVIL}"
  labels: {app: "${EVIL}"}
spec:
  containers: [{name: "c\`x", image: x, ports: [{name: "web", containerPort: 8080}]}]
status: {phase: Running, podIP: 10.244.1.9, conditions: [{type: Ready, status: "True"}]}
`;
const SVC = `apiVersion: v1
kind: Service
metadata:
  name: "${EVIL}"
spec:
  selector: {app: "${EVIL}"}
  ports: [{name: web, port: 80, targetPort: web}]
`;

let c: TestClient;
before(async () => {
  c = await TestClient.start({ files: { 'pod.yaml': POD } });
});
after(() => c.stop());

async function hoverAt(marked: string): Promise<string> {
  const { text: body, line, character } = caret(marked);
  const uri = await c.open(`h-${Math.random().toString(36).slice(2)}.yaml`, body);
  const h = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  assert.ok(h, 'a hover');
  return (h.contents as { value: string }).value;
}

/** The markdown with every code span taken out: what is left is read as markdown. */
function outsideCode(md: string): string {
  return md.replace(/(`+)(?!`)([^]*?[^`])\1(?!`)/g, '');
}

test('code spans hold any string verbatim; text escapes what markdown would read', () => {
  assert.equal(code('a'), '`a`');
  assert.equal(code('a`b'), '``a`b``');
  assert.equal(code('`x``'), '``` `x`` ```');
  assert.equal(text('[l](http://x) **b** <i> _u_ `c`'), '\\[l\\](http\\://x) \\*\\*b\\*\\* \\<i\\> \\_u\\_ \\`c\\`');
});

for (const [where, marked] of [
  ['name', SVC.replace('  name: "', '  name: "|')],
  ['selector', SVC.replace('  selector: {app', '  selector: {a|pp')],
  ['port', SVC.replace('[{name: web, port: 80', '[{name: web, po|rt: 80')],
] as const) {
  test(`hover on the Service ${where}: no markdown link, emphasis or HTML comes from the manifest`, async () => {
    const md = await hoverAt(marked);
    const rest = outsideCode(md);
    assert.ok(!/\[[^\]\\]*\]\(/.test(rest.replace(/\\\[/g, '')), `a link outside code spans:\n${md}`);
    assert.ok(!/(^|[^\\])<img/.test(rest), `raw HTML outside code spans:\n${md}`);
    assert.ok(!/(^|[^\\])\*\*bold/.test(rest), `emphasis outside code spans:\n${md}`);
    assert.ok(!/https?:\/\//.test(rest), `a bare URL GFM would link, outside code spans:\n${md}`);
  });
}

test('hover on the Service name: the name is one code span with the whole name in it', async () => {
  const md = await hoverAt(SVC.replace('  name: "', '  name: "|'));
  assert.ok(md.includes(`**Service** ${code(`default/${EVIL}`)}`), md);
});
