/**
 * Model benchmark: `buildClusterState` over a 2,000-object file (1,000 Deployments + 1,000 Services), first
 * build and repeated builds after a one-document edit, as the language server does on every keystroke.
 * Prints wall and CPU time per build; never a pass/fail test.
 *
 *   npm run bench:model -- [--apps 1000] [--runs 20]
 */
import * as os from 'node:os';
import { buildClusterState, loadManifest, runChecks, type LoadedObject } from '../src/core';
import { bigFile } from './generate';

const num = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const c0 = cpu();
  const t0 = performance.now();
  const value = f();
  return { value, wall: performance.now() - t0, cpu: cpu() - c0 };
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

function main(): void {
  const apps = num('apps', 1000);
  const runs = num('runs', 20);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
  const text = bigFile(apps, 10);
  const load = timed(() => loadManifest('big.yaml', text));
  const objects: LoadedObject[] = load.value.objects;
  console.log(`${objects.length} objects, ${text.split('\n').length} lines: load ${load.wall.toFixed(1)} ms wall, ${load.cpu.toFixed(1)} ms CPU`);
  const first = timed(() => buildClusterState(objects));
  console.log(`first build: ${first.wall.toFixed(1)} ms wall, ${first.cpu.toFixed(1)} ms CPU (${first.value.services.length} Services, ${first.value.pods.length} pods)`);
  const checks = timed(() => runChecks({ state: first.value, files: [load.value] }));
  console.log(`checks over everything: ${checks.wall.toFixed(1)} ms wall, ${checks.cpu.toFixed(1)} ms CPU`);
  // Each rebuild replaces one document with a freshly loaded copy of itself, as an edit does.
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i++) {
    const at = (i * 97) % objects.length;
    const o = objects[at]!;
    objects[at] = { ...o, object: structuredClone(o.object) };
    const r = timed(() => buildClusterState(objects));
    walls.push(r.wall);
    cpus.push(r.cpu);
  }
  console.log(`rebuild after a one-document edit (${runs} runs): median ${pct(walls, 50).toFixed(1)} ms, p95 ${pct(walls, 95).toFixed(1)} ms wall; median ${pct(cpus, 50).toFixed(1)} ms CPU`);
}

main();
