/**
 * The language server's cold path, repeated: a fresh `ksd lsp --stdio` per run, initialize, wait for the
 * (empty) workspace to be ready, didOpen the 2,000-object file, time the first publishDiagnostics. Prints
 * wall time and the server process's CPU time (run time per thread from /proc, so a busy machine inflates
 * wall much more than CPU), median and spread over the runs. Prints figures, never passes or fails.
 *
 * Run: npm run bench:lsp-cold [-- --runs N] [-- --node-arg=--flag ...] [-- --flag-sets 'A;B'] [-- --prof DIR] [-- --cli A.js,B.js]
 *   --node-arg passes a V8/Node flag to the server process on top of the ones it sets itself;
 *   --flag-sets compares sets of such flags, runs interleaved: sets separated by `;`, flags in a set by
 *   spaces, `-` for none (e.g. `-;--v8-pool-size=1`);
 *   --prof DIR writes a .cpuprofile of each server run there (node --cpu-prof);
 *   --cli compares builds of the CLI bundle (another checkout's dist/cli.js), runs interleaved.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initializeParams, spawnServer } from '../test/server/spawnServer';
import { bigFile } from './generate';

const root = path.resolve(__dirname, '../..');
const argv = process.argv.slice(2);
const option = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const runs = Math.max(1, Number(option('--runs') ?? 7) || 7);
const nodeArgs = argv.filter((a) => a.startsWith('--node-arg=')).map((a) => a.slice('--node-arg='.length));
const profDir = option('--prof') !== undefined ? path.resolve(option('--prof')!) : undefined;
const clis = (option('--cli') ?? path.join(root, 'dist/cli.js')).split(',').map((c) => path.resolve(c));
const flagSets = (option('--flag-sets') ?? '-').split(';').map((s) => s.trim().split(/\s+/).filter((f) => f && f !== '-'));
/** What is compared: every build with every flag set. */
const variants = clis.flatMap((cli) => flagSets.map((flags) => ({ cli, flags })));

/**
 * CPU time so far, in ms, from the scheduler's per-thread run time (/proc/<pid>/task/<tid>/schedstat: kept in
 * ns, brought up to date at each scheduler tick or switch, so a few ms of error per reading rather than
 * /proc/<pid>/stat's 10 ms clock ticks): of the whole process (V8's GC and compiler threads included;
 * threads that exit in between would drop out, and the server's do not), or of its main thread alone (the
 * thread whose id is the process id).
 */
function cpuMs(pid: number, mainThread = false): number {
  const tids = mainThread ? [String(pid)] : readdirSync(`/proc/${pid}/task`);
  let ns = 0;
  for (const tid of tids) ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  return ns / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function once({ cli, flags }: { cli: string; flags: string[] }, dir: string, text: string): Promise<{ wall: number; cpu: number; main: number; startCpu: number; startWall: number; diagnostics: number }> {
  const extra = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [];
  const server = spawnServer(process.execPath, [...nodeArgs, ...flags, ...extra, cli, 'lsp', '--stdio']);
  const uri = pathToFileURL(path.join(dir, 'big.yaml')).href;
  const s0 = performance.now();
  await server.conn.sendRequest('initialize', initializeParams(pathToFileURL(dir).href));
  await server.conn.sendNotification('initialized', {});
  await server.waitFor(() => server.notifications.find((n) => n.method === 'ksd/status' && (n.params as { state: string }).state === 'ready'), 'ready');
  const startWall = performance.now() - s0;
  const pid = server.child.pid!;
  const c0 = cpuMs(pid);
  const m0 = cpuMs(pid, true);
  const t0 = performance.now();
  await server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const hit = await server.waitFor(() => server.published.find((p) => p.params.uri === uri), 'first diagnostics', 120000);
  const wall = hit.at - t0;
  const cpu = cpuMs(pid) - c0;
  const main = cpuMs(pid, true) - m0;
  await server.stop();
  return { wall, cpu, main, startCpu: c0, startWall, diagnostics: hit.params.diagnostics.length };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-cold-'));
  const text = bigFile(1000, 10);
  writeFileSync(path.join(dir, '.keep'), '');
  console.log(`Machine: ${cpus().length} cores, Node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')} (shared)`);
  console.log(`2,000-object file, ${text.split('\n').length} lines; ${runs} fresh servers${nodeArgs.length ? `, extra node flags ${nodeArgs.join(' ')}` : ''}`);
  const rows: Awaited<ReturnType<typeof once>>[][] = variants.map(() => []);
  for (let i = 0; i < runs; i++) for (const [k, v] of variants.entries()) rows[k]!.push(await once(v, dir, text));
  const f = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
  for (const [k, { cli, flags }] of variants.entries()) {
    const r = rows[k]!;
    if (variants.length > 1) console.log(`  ${clis.length > 1 ? cli : ''}${clis.length > 1 && flagSets.length > 1 ? ', ' : ''}${flagSets.length > 1 ? `flags: ${flags.join(' ') || 'none'}` : ''}:`);
    console.log(`  didOpen -> first publishDiagnostics:    wall ${f(r.map((x) => x.wall))}`);
    console.log(`  server CPU over that span, all threads: ${f(r.map((x) => x.cpu))}`);
    console.log(`  server CPU over that span, main thread: ${f(r.map((x) => x.main))}`);
    console.log(`  server CPU from start to ready:         ${f(r.map((x) => x.startCpu))}`);
    console.log(`  initialize -> ready (empty workspace):  wall ${f(r.map((x) => x.startWall))}`);
    console.log(`  diagnostics in the first publish:       ${[...new Set(r.map((x) => x.diagnostics))].join(', ')}`);
  }
  console.log(`  load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
