/**
 * Core benchmark: 20,000 objects (~10 MB of YAML over 200 files) loaded from disk, built into a cluster
 * state and checked, as `ksd check` does. Prints wall time per phase and peak memory. Each run is a fresh
 * process so peak RSS is the run's own. Never a pass/fail test: figures only.
 *
 *   npm run bench:core -- [--objects 20000] [--files 200] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildClusterState, runChecks } from '../src/core';
import { loadPaths } from '../src/node/loadPaths';
import { generateCorpus } from './corpus';

const root = path.resolve(__dirname, '..', '..');
const num = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};

async function measure(dir: string): Promise<void> {
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const c0 = cpu();
  const t0 = performance.now();
  const { files, problems } = await loadPaths([dir]);
  const t1 = performance.now();
  const c1 = cpu();
  const objects = files.flatMap((f) => f.objects);
  const state = buildClusterState(objects);
  const t2 = performance.now();
  const c2 = cpu();
  const diags = runChecks({ state, files });
  const t3 = performance.now();
  const c3 = cpu();
  const mem = process.memoryUsage();
  const result = {
    files: files.length,
    objects: objects.length,
    problems: problems.length,
    services: state.services.length,
    pods: state.pods.length,
    diagnostics: diags.length,
    loadMs: t1 - t0,
    modelMs: t2 - t1,
    checkMs: t3 - t2,
    totalMs: t3 - t0,
    cpuMs: c3 - c0,
    loadCpuMs: c1 - c0,
    modelCpuMs: c2 - c1,
    checkCpuMs: c3 - c2,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    heapUsedMB: mem.heapUsed / 1024 / 1024,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

function main(): void {
  const objects = num('objects', 20_000);
  const fileCount = num('files', 200);
  const runs = num('runs', 3);
  // Written when missing or different from what the generator gives now (so a changed generator never
  // leaves old files behind); unchanged files are left alone.
  const dir = path.join(root, 'bench', 'out', `corpus-${objects}-${fileCount}`);
  const corpus = generateCorpus({ objects, files: fileCount, seed: 42 });
  if (existsSync(dir) && readdirSync(dir).some((f) => !corpus.has(f))) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of corpus) {
    const file = path.join(dir, name);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
  }
  const bytes = readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
  console.log(`corpus: ${objects} objects, ${fileCount} files, ${(bytes / 1024 / 1024).toFixed(1)} MB in ${path.relative(root, dir)}`);
  const kinds = new Map<string, number>();
  for (const f of readdirSync(dir)) for (const m of readFileSync(path.join(dir, f), 'utf8').matchAll(/^kind: (\w+)$/gm)) kinds.set(m[1]!, (kinds.get(m[1]!) ?? 0) + 1);
  console.log(`kinds: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
  const results: Record<string, number>[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [__filename, '--measure', dir], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exitCode = 1;
      return;
    }
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
    results.push(res);
    console.log(
      `run ${i + 1}: ${res['objects']} objects, ${res['services']} Services, ${res['pods']} pods, ${res['diagnostics']} diagnostics | ` +
        `load ${res['loadMs']!.toFixed(0)} ms (${res['loadCpuMs']!.toFixed(0)} CPU), model ${res['modelMs']!.toFixed(0)} ms (${res['modelCpuMs']!.toFixed(0)} CPU), ` +
        `checks ${res['checkMs']!.toFixed(0)} ms (${res['checkCpuMs']!.toFixed(0)} CPU), total ${res['totalMs']!.toFixed(0)} ms wall, ${res['cpuMs']!.toFixed(0)} ms CPU | ` +
        `peak RSS ${res['peakRssMB']!.toFixed(0)} MB, heap used ${res['heapUsedMB']!.toFixed(0)} MB`,
    );
  }
  const totals = results.map((r) => r['totalMs']!).sort((a, b) => a - b);
  const rss = Math.max(...results.map((r) => r['peakRssMB']!));
  const cpus = results.map((r) => r['cpuMs']!).sort((a, b) => a - b);
  console.log(
    `load+check: best ${totals[0]!.toFixed(0)} ms wall (${cpus[0]!.toFixed(0)} ms CPU), median ${totals[Math.floor(totals.length / 2)]!.toFixed(0)} ms wall over ${runs} runs; ` +
      `peak RSS ${rss.toFixed(0)} MB (target: 1500 ms, 300 MB)`,
  );
}

if (process.argv[2] === '--measure') {
  measure(process.argv[3]!).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
} else {
  main();
}
