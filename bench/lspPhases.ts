/**
 * In-process phases of the language server's analysis on the 2,000-object file (no stdio): CPU time of
 * the first load + full check, and of one-line `replicas:` edits (re-parse, state, affected, check,
 * publish), of each kind of edit in bench:lsp-edits' mix, and of the cluster state alone, derived vs rebuilt. Prints figures, never passes or fails.
 * Run: npm run bench:lsp-phases
 */
import { buildClusterState, loadManifest, updateClusterState, type LoadedObject } from '../src/core';
import { normalizeSettings } from '../src/protocol/settings';
import { Analysis } from '../src/server/analysis';
import { replaced } from '../src/server/workspace/textChange';
import { WorkspaceIndex } from '../src/server/workspace/workspaceIndex';
import { bigFile } from './generate';
import { EDIT_KINDS, editLines, mixedBigFile } from './lspEdits';

const cpu = (f: () => void): number => {
  const a = process.cpuUsage();
  f();
  const b = process.cpuUsage(a);
  return (b.user + b.system) / 1000;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

const settings = normalizeSettings({});
const text = bigFile(1000, 10);
const uri = 'file:///bench/big.yaml';
const fresh = new WorkspaceIndex(settings);
const fa = new Analysis(fresh, settings, () => undefined);
let change = fresh.setText('file:///bench/warm.yaml', '');
const parseMs = cpu(() => (change = fresh.setText(uri, text)));
let first: ReturnType<Analysis['update']> | undefined;
const firstMs = cpu(() => (first = fa.update([change], uri)));
console.log(`first: parse ${parseMs.toFixed(1)} ms CPU, analysis ${firstMs.toFixed(1)} ms CPU (state ${first!.phases.state.toFixed(1)}, check ${first!.phases.check.toFixed(1)}, publish ${first!.phases.publish.toFixed(1)} wall)`);

const lines = text.split('\n');
const replicaLines = lines.flatMap((l, i) => (l.startsWith('  replicas: ') ? [i] : []));
for (const [label, to] of [
  ['value', (l: string) => (l.endsWith('1') ? l.replace(/1$/, '2') : l.replace(/\d+$/, '1'))],
  ['break', (l: string) => `${l}[2`],
] as const) {
  const parse: number[] = [];
  const total: number[] = [];
  const phases = { state: [] as number[], affected: [] as number[], check: [] as number[], publish: [] as number[] };
  for (let k = 0; k < 40; k++) {
    const at = replicaLines[Math.floor((k * 7919) % replicaLines.length)]!;
    for (const edited of [true, false]) {
      const copy = lines.slice();
      if (edited) copy[at] = to(lines[at]!);
      const t = copy.join('\n');
      let c = change;
      const p = cpu(() => (c = fresh.setText(uri, t)));
      let r: ReturnType<Analysis['update']> | undefined;
      const a = cpu(() => (r = fa.update([c], uri)));
      if (k < 5) continue;
      parse.push(p);
      total.push(p + a);
      for (const key of Object.keys(phases) as (keyof typeof phases)[]) phases[key].push(r!.phases[key]);
    }
  }
  const f = (xs: number[]) => `${pct(xs, 50).toFixed(1)}/${pct(xs, 95).toFixed(1)}`;
  console.log(`${label} edit (p50/p95 ms): total CPU ${f(total)}; parse CPU ${f(parse)}; state ${f(phases.state)}, affected ${f(phases.affected)}, check ${f(phases.check)}, publish ${f(phases.publish)} (wall)`);
}

// The edit mix of bench:lsp-edits (lspEdits.ts) on its file: CPU per edit and per phase, by kind.
{
  const mixed = mixedBigFile(1000, 10);
  const mixUri = 'file:///bench/mixed.yaml';
  const index = new WorkspaceIndex(settings);
  const analysis = new Analysis(index, settings, () => undefined);
  analysis.update([index.setText('file:///bench/warm.yaml', '')]);
  analysis.update([index.setText(mixUri, mixed)], mixUri);
  const mixLines = mixed.split('\n');
  // Where each line starts: the edited line's range is passed as the server passes a didChange's.
  const lineStart: number[] = [];
  mixLines.reduce((at, l) => (lineStart.push(at), at + l.length + 1), 0);
  let last = mixed;
  console.log('edit mix (p50/p95 CPU ms, 20 lines x edit + undo, first 5 pairs warm-up; the edited range passed as a didChange gives it):');
  for (const kind of EDIT_KINDS) {
    const at = editLines(mixed, kind);
    const total: number[] = [];
    const parse: number[] = [];
    const phases = { state: [] as number[], affected: [] as number[], check: [] as number[], publish: [] as number[] };
    for (let k = 0; k < 25; k++) {
      const line = at[(k * 37) % at.length]!;
      for (const edited of [true, false]) {
        const copy = mixLines.slice();
        if (edited) copy[line] = kind.to(mixLines[line]!);
        const t = copy.join('\n');
        const from = lineStart[line]!;
        const placed = replaced(last.length, from, from + (edited ? mixLines[line]! : kind.to(mixLines[line]!)).length, copy[line]!.length);
        last = t;
        let c = change;
        const p = cpu(() => (c = index.setText(mixUri, t, placed)));
        let r: ReturnType<Analysis['update']> | undefined;
        const a = cpu(() => (r = analysis.update([c], mixUri)));
        if (k < 5) continue;
        parse.push(p);
        total.push(p + a);
        for (const key of Object.keys(phases) as (keyof typeof phases)[]) phases[key].push(r!.phases[key]);
      }
    }
    const f = (xs: number[]) => `${pct(xs, 50).toFixed(1)}/${pct(xs, 95).toFixed(1)}`;
    console.log(`  ${kind.label.padEnd(24)} total ${f(total)}; parse ${f(parse)}; state ${f(phases.state)}, affected ${f(phases.affected)}, check ${f(phases.check)}, publish ${f(phases.publish)} (phases: wall)`);
  }
}

// The state alone: derived from the previous one for a replica edit vs built from scratch (CPU, median of 30).
{
  let objects = loadManifest('file:///bench/state.yaml', text).objects;
  let prev = buildClusterState(objects);
  const derived: number[] = [];
  const built: number[] = [];
  let fast = 0;
  for (let k = 0; k < 30; k++) {
    const i = objects.findIndex((o, j) => j >= k * 60 && o.kind === 'Deployment');
    const old = objects[i]!;
    const spec = { ...(old.object['spec'] as Record<string, unknown>) };
    spec['replicas'] = spec['replicas'] === 1 ? 2 : 1;
    const now: LoadedObject = { ...old, object: { ...old.object, spec } };
    // A new list, as the editor's index gives (the previous state holds the old one).
    objects = objects.map((o, j) => (j === i ? now : o));
    let next = prev;
    derived.push(cpu(() => (next = updateClusterState(prev, objects, [old], [now]))));
    built.push(cpu(() => buildClusterState(objects)));
    if (next.services === prev.services) fast++;
    prev = next;
  }
  console.log(`state after a replica edit (CPU ms, median): updateClusterState ${pct(derived, 50).toFixed(2)} (derived ${fast}/30), buildClusterState ${pct(built, 50).toFixed(2)}`);
}
