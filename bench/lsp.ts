/**
 * Language-server benchmark: prints figures, never passes or fails.
 *  1. A 2,000-object (~50,000-line) multi-document file: time from didOpen to the first publishDiagnostics,
 *     and the latency of one-line edits (didChange -> publishDiagnostics), for `ksd lsp --stdio`.
 *  2. yaml-language-server 1.25 on the same file: time to its first publishDiagnostics.
 *  2b. The edit mix of lspEdits.ts: one-line value edits of workloads, Services and Pods, p50/p95 per kind.
 *  3. A 5,000-file workspace: time from `initialized` to the server's ready status, and peak RSS.
 * Run: npm run bench:lsp (builds first). Both servers run as child processes over stdio.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initializeParams, spawnServer, type ServerProcess } from '../test/server/spawnServer';
import { appManifests, bigFile } from './generate';
import { editMixBench } from './lspEdits';

const root = path.resolve(__dirname, '../..');
const ksd = [path.join(root, 'dist/cli.js'), 'lsp', '--stdio'];
const yls = [path.join(root, 'node_modules/yaml-language-server/bin/yaml-language-server'), '--stdio'];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;

function peakRssMB(pid: number | undefined): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function firstDiagnostics(server: ServerProcess, dir: string, text: string, settle = false): Promise<number> {
  const uri = pathToFileURL(path.join(dir, 'big.yaml')).href;
  await server.conn.sendRequest('initialize', initializeParams(pathToFileURL(dir).href));
  await server.conn.sendNotification('initialized', {});
  if (settle) await server.waitFor(() => server.notifications.find((n) => n.method === 'ksd/status' && (n.params as { state: string }).state === 'ready'), 'ready');
  const t0 = performance.now();
  await server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const hit = await server.waitFor(() => server.published.find((p) => p.params.uri === uri), 'first diagnostics', 120000);
  return hit.at - t0;
}

async function bigFileBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-bench-'));
  const text = bigFile(1000, 10);
  const lines = text.split('\n').length;
  console.log(`\n2,000-object file: ${lines} lines, ${(text.length / 1024 / 1024).toFixed(2)} MB, 1,000 Deployments + 1,000 Services in 10 namespaces`);
  // The server's workspace is an empty folder: the file is only open in the editor.
  const server = spawnServer(process.execPath, ksd);
  const first = await firstDiagnostics(server, dir, text, true);
  console.log(`  ksd lsp:             first publishDiagnostics after didOpen  ${ms(first)}`);
  const uri = pathToFileURL(path.join(dir, 'big.yaml')).href;
  const all = text.split('\n');
  const replicaLines = all.flatMap((l, i) => (l.startsWith('  replicas: ') ? [i] : []));
  let version = 1;
  /** 30 one-line edits of `replicas:` lines picked across the file, each undone by the next; `to` gives the new line. */
  const series = async (label: string, to: (original: string) => string) => {
    const latencies: number[] = [];
    for (let n = 0; n < 30; n++) {
      const line = replicaLines[(Math.floor(n / 2) * 37) % replicaLines.length]!;
      const original = all[line]!;
      const changed = to(original);
      const [oldText, newText] = n % 2 === 0 ? [original, changed] : [changed, original];
      const before = server.published.length;
      const t0 = performance.now();
      await server.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: ++version },
        contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: oldText.length } }, text: newText }],
      });
      const hit = await server.waitFor(() => server.published.slice(before).find((p) => p.params.uri === uri), 'diagnostics after an edit', 120000);
      latencies.push(hit.at - t0);
      // A person types a few keys a second; edits closer than the debounce window would be coalesced.
      await new Promise((r) => setTimeout(r, 120));
    }
    console.log(`  ksd lsp:             ${label.padEnd(40)} p50 ${ms(pct(latencies, 50))}, p95 ${ms(pct(latencies, 95))}, max ${ms(Math.max(...latencies))} (${latencies.length} edits)`);
  };
  // Breaking a line (a syntax error: the last good Deployment stays in the analysis) and fixing it again.
  await series('edit breaking/fixing a line -> publish', () => '  replicas: [2');
  // A real change of a value: the Deployment is re-read, the state rebuilt, its Services re-checked.
  // (Diagnostics of the file do not change, so this waits for the KSD602 count change: replicas 1 -> 2.)
  await series('edit changing a value -> publish', (l) => l.replace(/\d+$/, (d) => (d === '1' ? '2' : '1')));
  console.log(`  ksd lsp:             peak RSS ${peakRssMB(server.child.pid)?.toFixed(0) ?? '?'} MB`);
  await server.stop();

  const y = spawnServer(process.execPath, yls, { yaml: { validate: true, hover: true, completion: true, schemaStore: { enable: false }, schemas: {} } });
  const yFirst = await firstDiagnostics(y, dir, text);
  console.log(`  yaml-language-server first publishDiagnostics after didOpen  ${ms(yFirst)} (syntax validation, no schema: no network here)`);
  await y.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function workspaceBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-bench-ws-'));
  const files = 5000;
  for (let i = 0; i < files; i++) {
    const sub = path.join(dir, `team-${i % 50}`, `svc-${Math.floor(i / 50) % 10}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `app-${i}.yaml`), appManifests(i, `team-${i % 50}`));
  }
  console.log(`\n5,000-file workspace: ${files} files, ${files * 2} objects in 50 namespaces`);
  const server = spawnServer(process.execPath, ksd);
  const t0 = performance.now();
  await server.conn.sendRequest('initialize', initializeParams(pathToFileURL(dir).href));
  await server.conn.sendNotification('initialized', {});
  const ready = await server.waitFor(() => server.notifications.find((n) => n.method === 'ksd/status' && (n.params as { state: string }).state === 'ready'), 'workspace indexed', 120000);
  const t = performance.now() - t0;
  const p = ready.params as { files: number; objects: number; services: number };
  console.log(`  ksd lsp:             indexed + checked in ${ms(t)}: ${p.files} files, ${p.objects} objects, ${p.services} Services; peak RSS ${peakRssMB(server.child.pid)?.toFixed(0) ?? '?'} MB`);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, shared with other jobs`);
  await bigFileBench();
  // One-line value edits of six kinds (workload, Service, Pod) on a 2,000-object file: see lspEdits.ts.
  await editMixBench();
  await workspaceBench();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
