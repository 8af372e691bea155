/**
 * Seeded fuzzing of the core: mutated manifests from examples/ through load, buildClusterState, runChecks,
 * serviceEndpoints, DNS, env and positions. Reports every exception that escapes (and every KSD000
 * internal-error diagnostic a check swallowed), every input over the time budget, the slowest inputs, and a
 * summary. The time of an input is parse + load + model + checks only. On a shared machine a time slice
 * or a GC can land in any input, so an input over the budget is timed twice more and its best time counts
 * (both counts are printed).
 *
 *   npm run fuzz -- [--iterations 100000] [--seed 1] [--budget-ms 100]
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildClusterState, endpointRows, loadManifest, rangeOf, resolveName, runChecks, serviceEndpoints, serviceEnv, serviceRecords, type ClusterState, type Diagnostic, type ManifestFile } from '../src/core';
import { MUTATORS, pick, rng } from './fuzz-mutators';

const root = path.resolve(__dirname, '..', '..');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number`);
  return v;
};
const iterations = arg('iterations', 100_000);
const seed = arg('seed', 1);
const budget = arg('budget-ms', 100);

function examples(dir: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...examples(p));
    else if (/\.(ya?ml|json)$/.test(e)) out.push({ name: path.relative(root, p), text: readFileSync(p, 'utf8') });
  }
  return out;
}

interface Finding {
  iteration: number;
  mutators: string[];
  error: string;
  file: string;
}

/** Parse + load + model + checks: the part of an input that is timed against the budget. */
function loadAndCheck(files: { name: string; text: string }[]): { loaded: ManifestFile[]; state: ClusterState; diags: Diagnostic[] } {
  const loaded = files.map((f) => loadManifest(f.name, f.text));
  const state = buildClusterState(loaded.flatMap((f) => f.objects));
  return { loaded, state, diags: runChecks({ state, files: loaded }) };
}

/** The rest of what the core offers on the result (endpoints, DNS, env, positions): run for exceptions, not timed. */
function explore(state: ClusterState, loaded: ManifestFile[], r: () => number): void {
  for (const svc of state.services) endpointRows(state, serviceEndpoints(state, svc));
  for (const svc of state.services.slice(0, 8)) serviceRecords(state, svc);
  const namespaces = state.namespaces.slice(0, 3);
  for (const ns of namespaces) serviceEnv(state, ns, r() < 0.8);
  const names = [...state.services.slice(0, 3).map((s) => s.name), 'kubernetes.default', '_http._tcp.webserver.web', '10.96.0.1', 'a.b.c.d.e.f', ''];
  for (const n of names) resolveName(state, n, { namespace: pick(r, namespaces.length ? namespaces : ['default']) });
  for (const p of state.pods.slice(0, 2)) if (p.ip) resolveName(state, `${p.ip.replace(/[.:]/g, '-')}.${p.namespace}.pod.cluster.local`, { namespace: p.namespace });
  // Positions come from node trees built on first use: ask for a few.
  for (const f of loaded) for (const o of f.objects.slice(0, 3)) if (o.source) rangeOf(o.source, ['spec', 'ports', 0, 'port']);
}

function main(): void {
  const seeds = examples(path.join(root, 'examples'));
  if (!seeds.length) throw new Error('no example manifests found under examples/');
  const r = rng(seed);
  const mutatorNames = Object.keys(MUTATORS);
  const findings: Finding[] = [];
  const slow: { iteration: number; ms: number; mutators: string[]; bytes: number }[] = [];
  const times = new Float64Array(iterations);
  const outDir = path.join(root, 'bench', 'out', 'fuzz');
  let internal = 0;
  let firstOver = 0;
  const load0 = os.loadavg();
  const cpu0 = process.cpuUsage();
  let bytes = 0;
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    // One to three files: one mutated, the others as they are (cross-file logic needs company).
    const base = pick(r, seeds);
    const chain: string[] = [];
    let text = base.text;
    for (let k = 0, n = 1 + Math.floor(r() * 3); k < n; k++) {
      const m = pick(r, mutatorNames);
      chain.push(m);
      text = MUTATORS[m]!(text, r);
    }
    const files = [{ name: base.name, text }];
    for (let k = 0, n = Math.floor(r() * 2); k < n; k++) files.push(pick(r, seeds));
    bytes += text.length;
    // Written before running, so an input that hangs the process can be found afterwards.
    if (process.env['KSD_FUZZ_TRACE']) {
      writeFileSync(path.join(root, 'bench', 'out', 'fuzz-current.yaml'), files.map((f) => f.text).join('\n---\n'));
      process.stderr.write(`iteration ${i} [${chain.join(' + ')}]\n`);
    }
    let failure: string | undefined;
    let ms = 0;
    try {
      const t0 = performance.now();
      const { loaded, state, diags } = loadAndCheck(files);
      ms = performance.now() - t0;
      const swallowed = diags.filter((d) => d.code === 'KSD000');
      if (swallowed.length) {
        internal += swallowed.length;
        failure = `check internal error: ${swallowed[0]!.message}`;
      }
      explore(state, loaded, r);
    } catch (e) {
      failure = e instanceof Error ? (e.stack ?? e.message) : String(e);
    }
    if (ms > budget && !failure) {
      firstOver++;
      for (let k = 0; k < 2; k++) {
        const t0 = performance.now();
        loadAndCheck(files);
        ms = Math.min(ms, performance.now() - t0);
      }
    }
    times[i] = ms;
    if (ms > budget) process.stderr.write(`slow: iteration ${i} took ${ms.toFixed(0)} ms [${chain.join(' + ')}], ${text.length} bytes\n`);
    if ((i + 1) % 10000 === 0) process.stderr.write(`... ${i + 1} inputs, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    if (ms > budget || slow.length < 5 || ms > slow[slow.length - 1]!.ms) {
      slow.push({ iteration: i, ms, mutators: chain, bytes: text.length });
      slow.sort((a, b) => b.ms - a.ms);
      if (slow.length > 20) slow.length = 20;
    }
    if (failure) {
      mkdirSync(outDir, { recursive: true });
      const file = path.join(outDir, `seed${seed}-iter${i}.yaml`);
      writeFileSync(file, text);
      if (findings.length < 50) findings.push({ iteration: i, mutators: chain, error: failure, file: path.relative(root, file) });
      process.stderr.write(`EXCEPTION at iteration ${i} [${chain.join(' + ')}]: ${failure.split('\n')[0]}\n`);
    }
    if (ms > budget) {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(path.join(outDir, `seed${seed}-iter${i}-slow.yaml`), text);
    }
  }
  const total = performance.now() - started;
  const sorted = Array.from(times).sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const over = sorted.filter((t) => t > budget).length;
  for (const f of findings) console.log(`EXCEPTION at iteration ${f.iteration} [${f.mutators.join(' + ')}], input saved to ${f.file}\n  ${f.error.split('\n').slice(0, 6).join('\n  ')}`);
  console.log(`slowest inputs:`);
  for (const s of slow.slice(0, 5)) console.log(`  ${s.ms.toFixed(1)} ms  iteration ${s.iteration}  ${s.bytes} bytes  [${s.mutators.join(' + ')}]`);
  const cpu = process.cpuUsage(cpu0);
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  console.log(`inputs: ${iterations} (seed ${seed}, ${(bytes / 1024 / 1024).toFixed(1)} MB of mutated YAML, 1-3 files each)`);
  console.log(`exceptions escaped: ${findings.length} (check errors swallowed as KSD000: ${internal})`);
  console.log(`slowest input: ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} ms (parse + load + model + checks); p50 ${q(0.5).toFixed(2)} ms, p99 ${q(0.99).toFixed(2)} ms`);
  console.log(`inputs over ${budget} ms: ${over} (${firstOver} on their first timing)`);
  console.log(`total: ${(total / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, mean ${(total / Math.max(1, iterations)).toFixed(2)} ms per input`);
  console.log(`machine: ${os.cpus().length} cores, load average ${load(load0)} at the start, ${load(os.loadavg())} at the end, node ${process.version}`);
  process.exitCode = findings.length ? 1 : 0;
}

main();
