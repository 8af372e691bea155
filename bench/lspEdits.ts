/**
 * The language server's one-line edit mix: value edits of every kind of object a person edits (a workload's
 * replicas, pod template label and containerPort; a Service's selector value and targetPort; a Pod's label;
 * an endpoint of a given EndpointSlice turning unready)
 * in a 2,000-object multi-document file, each timed from didChange to the publishDiagnostics it causes.
 * Every edit changes the file's diagnostics (else no publish would follow): each one is undone by the next.
 * Prints figures (p50/p95 latency, and the server's CPU per edit read from /proc), never passes or fails.
 * Run through `npm run bench:lsp` (after the first-diagnostics figures) or alone: `npm run bench:lsp-edits`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initializeParams, spawnServer, type ServerProcess } from '../test/server/spawnServer';
import { appManifests } from './generate';

/** One app as a bare Pod (labels, the same two ports and probe as the Deployment's template) and its Service. */
function podApp(i: number, ns: string): string {
  const deployment = appManifests(i, ns);
  const service = deployment.slice(deployment.indexOf('---\n') + 4);
  return `apiVersion: v1
kind: Pod
metadata:
  name: app-${i}
  namespace: ${ns}
  labels:
    app: app-${i}
    tier: backend
spec:
  containers:
  - name: main
    image: registry.example/app-${i}:1.${i % 10}
    ports:
    - name: http
      containerPort: 8080
    - name: metrics
      containerPort: 9090
    readinessProbe:
      httpGet:
        path: /healthz
        port: http
---
${service}`;
}

/**
 * The EndpointSlice of an app's Service as a live cluster gives it (exported, or read through the API):
 * its two pods' endpoints, both ready, so one endpoint turning unready leaves a single ready one (KSD602).
 */
function appSlice(i: number, ns: string): string {
  const endpoint = (n: number) => `- addresses:
  - 10.250.${i % 250}.${n}
  conditions:
    ready: true
  targetRef:
    kind: Pod
    name: app-${i}-${n}
`;
  return `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: app-${i}-x7k2p
  namespace: ${ns}
  labels:
    kubernetes.io/service-name: app-${i}
addressType: IPv4
ports:
- name: http
  port: 8080
  protocol: TCP
- name: metrics
  port: 9090
  protocol: TCP
endpoints:
${endpoint(1)}${endpoint(2)}`;
}

/**
 * `apps` apps over `namespaces` namespaces as one file: every tenth app a bare Pod, the others Deployments,
 * each with its Service; the metrics port is targeted by number (9090), so a containerPort edit shows. The
 * Services of every 30th app (two replicas each) in the last fifth also have their EndpointSlice given, as
 * on a live cluster (past the lines the other edit kinds use: their edits would not change the findings of
 * a Service whose endpoints are given).
 */
export function mixedBigFile(apps: number, namespaces: number): string {
  const parts: string[] = [];
  for (let i = 0; i < apps; i++) {
    const ns = `team-${i % namespaces}`;
    parts.push((i % 10 === 5 ? podApp(i, ns) : appManifests(i, ns)).replace('targetPort: metrics', 'targetPort: 9090'));
    if (i % 30 === 7 && i >= apps * 0.8) parts.push(appSlice(i, ns));
  }
  return parts.join('---\n');
}

/** A kind of one-line edit: which lines it applies to (by document kind and line) and what it writes there. */
export interface EditKind {
  label: string;
  kind: 'Deployment' | 'Service' | 'Pod' | 'EndpointSlice';
  line: RegExp;
  to: (line: string) => string;
}

export const EDIT_KINDS: EditKind[] = [
  // 1 <-> 2 replicas: the Service's KSD602 (a single ready endpoint) comes and goes.
  { label: 'workload replicas', kind: 'Deployment', line: /^ {2}replicas: \d+$/, to: (l) => l.replace(/\d+$/, (d) => (d === '1' ? '2' : '1')) },
  // The pod template's app label: KSD103 on the Deployment, KSD101 on its Service.
  { label: 'workload template label', kind: 'Deployment', line: /^ {8}app: app-\d+$/, to: (l) => `${l}-x` },
  // The numerically targeted port: KSD203 (no container declares 9090) on the Service.
  { label: 'workload containerPort', kind: 'Deployment', line: /^ {10}containerPort: 9090$/, to: (l) => l.replace('9090', '9091') },
  // The selector value: KSD101 (matches no pod) on the Service.
  { label: 'Service selector value', kind: 'Service', line: /^ {4}app: app-\d+$/, to: (l) => `${l}-x` },
  // A named targetPort no container carries: KSD201.
  { label: 'Service targetPort', kind: 'Service', line: /^ {4}targetPort: http$/, to: (l) => l.replace('http', 'htp') },
  // The Pod's app label: its Service's KSD101.
  { label: 'Pod label', kind: 'Pod', line: /^ {4}app: app-\d+$/, to: (l) => `${l}-x` },
  // A given EndpointSlice's endpoint turning unready (the common live change): KSD602 on its Service.
  { label: 'EndpointSlice ready flip', kind: 'EndpointSlice', line: /^ {4}ready: true$/, to: (l) => l.replace('true', 'false') },
];

/** Lines of `text` an edit kind applies to, in file order. */
export function editLines(text: string, kind: EditKind): number[] {
  const out: number[] = [];
  let doc = '';
  text.split('\n').forEach((l, i) => {
    if (l === '---') doc = '';
    else if (l.startsWith('kind: ')) doc = l.slice(6);
    else if (doc === kind.kind && kind.line.test(l)) out.push(i);
  });
  return out;
}

export function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** User + system CPU of a process so far (ms), from /proc (10 ms ticks); undefined where /proc is missing. */
export function processCpuMs(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the file, 12 and 13 after the command name.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export interface SeriesResult {
  label: string;
  latencies: number[];
  /** Edits after which no publishDiagnostics came within 5 s (each edit changes the diagnostics). */
  missed: number;
  /** The server's CPU per edit (ms, mean over the series). */
  serverCpuMs: number | undefined;
}

/**
 * `edits` one-line edits of `kind` spread over the file (each pair: the edit, then its undo), 120 ms apart
 * (a person typing; closer edits would be coalesced by the server's debounce).
 */
export async function editSeries(server: ServerProcess, uri: string, text: string, state: { version: number }, kind: EditKind, edits = 40): Promise<SeriesResult> {
  const all = text.split('\n');
  const lines = editLines(text, kind);
  if (!lines.length) throw new Error(`no line to edit for ${kind.label}`);
  const latencies: number[] = [];
  let missed = 0;
  const cpu0 = processCpuMs(server.child.pid);
  for (let n = 0; n < edits; n++) {
    const line = lines[(Math.floor(n / 2) * 37) % lines.length]!;
    const original = all[line]!;
    const changed = kind.to(original);
    const [oldText, newText] = n % 2 === 0 ? [original, changed] : [changed, original];
    const before = server.published.length;
    const t0 = performance.now();
    await server.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: ++state.version },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: oldText.length } }, text: newText }],
    });
    try {
      const hit = await server.waitFor(() => server.published.slice(before).find((p) => p.params.uri === uri), `diagnostics after a ${kind.label} edit`, 5000);
      latencies.push(hit.at - t0);
    } catch {
      // Every edit of the mix changes the file's diagnostics: no publish is a missed re-check (a bug), counted.
      missed++;
    }
    await new Promise((r) => setTimeout(r, 120));
  }
  const cpu1 = processCpuMs(server.child.pid);
  return { label: kind.label, latencies, missed, serverCpuMs: cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / edits };
}

export function formatSeries(r: SeriesResult, target = 30): string {
  const cpu = r.serverCpuMs === undefined ? '' : `, server CPU ${r.serverCpuMs.toFixed(1)} ms/edit`;
  const missed = r.missed ? `; ${r.missed} edits got NO publishDiagnostics (a missed re-check)` : '';
  if (!r.latencies.length) return `${r.label.padEnd(26)} no edit published${cpu}${missed}`;
  const p95 = pct(r.latencies, 95);
  const f = (x: number) => `${x.toFixed(1)} ms`;
  return `${r.label.padEnd(26)} p50 ${f(pct(r.latencies, 50))}, p95 ${f(p95)}, max ${f(Math.max(...r.latencies))} (${r.latencies.length} edits${cpu}) ${p95 <= target ? 'met' : 'NOT met'}${missed}`;
}

/** Initializes a server on the (empty) folder `dir`, waits until it is ready, opens big.yaml: ms to its first diagnostics. */
async function openBig(server: ServerProcess, dir: string, text: string): Promise<number> {
  const uri = pathToFileURL(path.join(dir, 'big.yaml')).href;
  await server.conn.sendRequest('initialize', initializeParams(pathToFileURL(dir).href));
  await server.conn.sendNotification('initialized', {});
  await server.waitFor(() => server.notifications.find((n) => n.method === 'ksd/status' && (n.params as { state: string }).state === 'ready'), 'ready');
  const t0 = performance.now();
  await server.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const hit = await server.waitFor(() => server.published.find((p) => p.params.uri === uri), 'first diagnostics', 120000);
  return hit.at - t0;
}

/**
 * Opens the mixed file in a fresh `ksd lsp --stdio` (dist/cli.js) and runs every edit kind on it.
 * KSD_BENCH_CPU_PROF=DIR starts the server under `node --cpu-prof` (profile written to DIR on exit);
 * KSD_BENCH_CLI=FILE runs another build's cli.js (to compare builds on the same edits).
 */
export async function editMixBench(): Promise<SeriesResult[]> {
  const text = mixedBigFile(1000, 10);
  console.log(`\nEdit mix: ${text.split('\n').length} lines, ${(text.length / 1024 / 1024).toFixed(2)} MB, 900 Deployments + 100 Pods + 1,000 Services + ${text.split('kind: EndpointSlice').length - 1} EndpointSlices in 10 namespaces; 40 edits per kind (20 edited lines, each edit undone)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-bench-edits-'));
  const prof = process.env['KSD_BENCH_CPU_PROF'];
  const server = spawnServer(process.execPath, [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`] : []), path.resolve(process.env['KSD_BENCH_CLI'] ?? path.join(__dirname, '../../dist/cli.js')), 'lsp', '--stdio']);
  const first = await openBig(server, dir, text);
  console.log(`  ksd lsp:             first publishDiagnostics after didOpen  ${first.toFixed(1)} ms`);
  const uri = pathToFileURL(path.join(dir, 'big.yaml')).href;
  const state = { version: 1 };
  const out: SeriesResult[] = [];
  for (const kind of EDIT_KINDS) {
    const r = await editSeries(server, uri, text, state, kind);
    console.log(`  ksd lsp:             ${formatSeries(r)}`);
    out.push(r);
  }
  const rss = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'));
  console.log(`  ksd lsp:             peak RSS ${rss ? (Number(rss[1]) / 1024).toFixed(0) : '?'} MB`);
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

if (require.main === module) {
  console.log(`Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, shared with other jobs`);
  editMixBench().then(
    () => console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
