/**
 * Edits sent as ranges (the editor's incremental didChange) are placed in the text, so the server splits
 * only the documents around them. After every step, the diagnostics and document symbols equal those of a
 * second server given the same text whole (which compares every document): an edit spanning two documents,
 * YAML broken mid-file, the undo of both, several changes in one notification, lines added above others.
 */
import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import type { DocumentSymbol, PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { TestClient } from './client';

function app(i: number, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${i}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: app-${i}
  template:
    metadata:
      labels:
        app: app-${i}
    spec:
      containers:
      - name: main
        image: app:${i}
        ports:
        - name: http
          containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: app-${i}
spec:
  selector:
    app: app-${i}
  ports:
  - port: 80
    targetPort: http
`;
}

interface Change {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/** The position of offset `at` in `text`. */
function pos(text: string, at: number): { line: number; character: number } {
  const before = text.slice(0, at).split('\n');
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

/** A change replacing `find` (its `nth` occurrence) with `by`, and the text after it. */
function replace(text: string, find: string, by: string, nth = 0): { change: Change; text: string } {
  let at = -1;
  for (let k = 0; k <= nth; k++) at = text.indexOf(find, at + 1);
  assert.ok(at >= 0, `${find} #${nth} in the text`);
  return { change: { range: { start: pos(text, at), end: pos(text, at + find.length) }, text: by }, text: text.slice(0, at) + by + text.slice(at + find.length) };
}

let placed: TestClient;
let whole: TestClient;
before(async () => {
  placed = await TestClient.start();
  whole = await TestClient.start();
});
after(async () => {
  await placed.stop();
  await whole.stop();
});

test('range edits give the diagnostics and symbols of the same text given whole', async () => {
  const start = Array.from({ length: 8 }, (_, i) => app(i, i % 3 === 0 ? 1 : 2)).join('---\n');
  const uri = await placed.open('big.yaml', start);
  const ref = await whole.open('big.yaml', start);
  let text = start;
  let version = 1;
  const steps: { what: string; edits: (t: string) => { changes: Change[]; text: string } }[] = [
    { what: 'a replica count', edits: (t) => one(replace(t, 'replicas: 2', 'replicas: 1', 1)) },
    // From inside app-2's Service to inside app-3's Deployment: two documents become one broken one.
    { what: 'an edit spanning two documents', edits: (t) => one(replace(t, 'targetPort: http\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-3', 'targetPort: htt\n  name: app-3', 2)) },
    { what: 'its undo', edits: (t) => one(replace(t, 'targetPort: htt\n  name: app-3', 'targetPort: http\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-3')) },
    { what: 'YAML broken mid-file', edits: (t) => one(replace(t, '  ports:\n  - port: 80', '  ports: [\n  - port: 80', 4)) },
    { what: 'a label edit below the broken document', edits: (t) => one(replace(t, 'app: app-6', 'app: app-6x', 2)) },
    { what: 'the break undone', edits: (t) => one(replace(t, '  ports: [\n  - port: 80', '  ports:\n  - port: 80')) },
    { what: 'the label undone', edits: (t) => one(replace(t, 'app: app-6x', 'app: app-6')) },
    { what: 'lines added at the top and a marker typed mid-file, in one notification', edits: (t) => many(t, [['apiVersion: apps/v1', '# note\n# more\napiVersion: apps/v1', 0], ['image: app:5', 'image: app:5\n---\n', 0]]) },
    { what: 'both undone', edits: (t) => many(t, [['image: app:5\n---\n', 'image: app:5', 0], ['# note\n# more\n', '', 0]]) },
    { what: 'a document cut out and the file end edited', edits: (t) => many(t, [[app(4, 2), '', 0], ['targetPort: http\n', 'targetPort: 9999\n', 6]]) },
  ];
  function one(r: { change: Change; text: string }) {
    return { changes: [r.change], text: r.text };
  }
  /** Several changes in one notification, each placed in the text the ones before it made. */
  function many(t: string, list: [string, string, number][]) {
    const changes: Change[] = [];
    for (const [find, by, nth] of list) {
      const r = replace(t, find, by, nth);
      changes.push(r.change);
      t = r.text;
    }
    return { changes, text: t };
  }
  for (const step of steps) {
    const { changes, text: next } = step.edits(text);
    text = next;
    version++;
    await placed.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    await whole.edit(ref, text);
    // A request applies pending edits first; its answer follows the publish it caused.
    const [a, b] = await Promise.all([symbols(placed, uri), symbols(whole, ref)]);
    assert.deepEqual(a, b, `${step.what}: symbols`);
    assert.deepEqual(shown(placed.diagnostics.get(uri)), shown(whole.diagnostics.get(ref)), `${step.what}: diagnostics`);
  }
  assert.ok(shown(placed.diagnostics.get(uri)).some((d) => d.includes('KSD203')), 'the last step is seen (a numeric targetPort no container declares)');
});

async function symbols(c: TestClient, uri: string): Promise<unknown> {
  const list = await c.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
  return list.map((s) => [s.name, s.range, s.selectionRange]);
}

function shown(list: PublishDiagnosticsParams['diagnostics'] | undefined): string[] {
  return (list ?? []).map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${String(d.code)} ${d.message}`);
}
