/** Shared by the checks-*.test.ts files: run the checks over inline YAML, read ranges back, apply fixes. */
import { strict as assert } from 'node:assert';
import { buildClusterState, LineIndex, loadManifest, runChecks, type CheckOptions, type ClusterOptions, type Diagnostic, type Fix, type Range } from '../../src/core';

export type Files = Record<string, string>;

export function check(files: Files | string, options: CheckOptions = {}, cluster: ClusterOptions = {}): Diagnostic[] {
  const map = typeof files === 'string' ? { 'a.yaml': files } : files;
  const loaded = Object.entries(map).map(([f, t]) => loadManifest(f, t));
  const state = buildClusterState(loaded.flatMap((f) => f.objects), cluster);
  return runChecks({ state, files: loaded }, options);
}

export function codes(diags: Diagnostic[]): string[] {
  return diags.map((d) => d.code);
}

/** The one diagnostic with this code (fails when there are none or several). */
export function one(diags: Diagnostic[], code: string): Diagnostic {
  const hits = diags.filter((d) => d.code === code);
  assert.equal(hits.length, 1, `expected one ${code}, got: ${JSON.stringify(diags.map((d) => `${d.code}@${d.range.start.line}: ${d.message}`), null, 1)}`);
  return hits[0]!;
}

export function none(diags: Diagnostic[], code?: string): void {
  const hits = code ? diags.filter((d) => d.code === code) : diags;
  assert.deepEqual(hits.map((d) => `${d.code}: ${d.message}`), []);
}

/** The text a range covers. */
export function textAt(text: string, range: Range): string {
  const idx = new LineIndex(text);
  return text.slice(idx.offset(range.start), idx.offset(range.end));
}

/** 1-based line of a range start and the covered text: compact to assert. */
export function where(files: Files | string, d: { file: string; range: Range }): { line: number; text: string } {
  const map = typeof files === 'string' ? { 'a.yaml': files } : files;
  return { line: d.range.start.line + 1, text: textAt(map[d.file]!, d.range) };
}

/** Applies a fix's edits to the files (edits applied from the end so offsets stay valid). */
export function applyFix(files: Files | string, f: Fix): Files {
  const map: Files = typeof files === 'string' ? { 'a.yaml': files } : { ...files };
  for (const file of new Set(f.edits.map((e) => e.file))) {
    let text = map[file]!;
    const idx = new LineIndex(text);
    const edits = f.edits.filter((e) => e.file === file).map((e) => ({ s: idx.offset(e.range.start), e: idx.offset(e.range.end), t: e.newText }));
    edits.sort((a, b) => b.s - a.s);
    for (const e of edits) text = text.slice(0, e.s) + e.t + text.slice(e.e);
    map[file] = text;
  }
  return map;
}

export function fixNamed(d: Diagnostic, title: RegExp): Fix {
  const f = d.fixes?.find((x) => title.test(x.title));
  assert.ok(f, `no fix matching ${title} in ${JSON.stringify(d.fixes?.map((x) => x.title))}`);
  return f;
}

export const deployment = (name: string, labels: string, ports = '        - name: http\n          containerPort: 8080\n', extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
${labels.split(',').map((l) => `      ${l.replace('=', ': ')}`).join('\n')}
  template:
    metadata:
      labels:
${labels.split(',').map((l) => `        ${l.replace('=', ': ')}`).join('\n')}
    spec:
      containers:
      - name: app
        image: example/app:1
${ports ? `        ports:\n${ports}` : ''}${extra}`;
