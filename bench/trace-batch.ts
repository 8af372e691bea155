/**
 * Benchmark: `ksd trace PATHS --batch FLOWS.json` with 10,000 flows over 10,000 Services x 10 endpoints,
 * by phase in this process (load, prepare, traces, JSON out), then the whole command as a child process.
 * Prints figures (CPU, wall, peak RSS, load average); never fails on timing.
 * Run: npm run bench:trace-batch [-- SERVICES]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { traceResult, type TraceDetail } from '../src/core';
import { JsonArrayText } from '../src/cli/format/jsonArray';
import { loadState } from '../src/cli/state';
import { chooseNode, familyOf, parseProtocol, resolveDestination, resolveSource, traceContext } from '../src/cli/traceInput';
import { generatedTracer } from '../src/tracing/generated';

const SERVICES = Number(process.argv[2] ?? 10_000);
const ENDPOINTS = 10;

function ip(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

const CLUSTER_IP = (10 << 24) | (96 << 16);
const POD_IP = (10 << 24) | (128 << 16);

/**
 * The manifests as `ksd` reads them from a folder: one-line JSON documents separated by `---`, 200 per
 * file (a Node, then each Service with its EndpointSlice). Every 10th Service is a NodePort; every 50th
 * has no EndpointSlice (no endpoints: REJECT).
 */
function writeManifests(dir: string): { files: number; bytes: number } {
  const docs: string[] = [
    JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'a' } }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.2' }] } }),
  ];
  for (let s = 0; s < SERVICES; s++) {
    const ns = `ns${s % 50}`;
    const name = `svc${s}`;
    const port: Record<string, unknown> = { name: 'http', port: 80, targetPort: 8080 };
    const spec: Record<string, unknown> = { clusterIP: ip(CLUSTER_IP + s), ports: [port] };
    if (s % 10 === 5) {
      spec['type'] = 'NodePort';
      port['nodePort'] = 30000 + (((s / 10) | 0) % 2768);
    }
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec }));
    if (s % 50 === 49) continue;
    const endpoints = [];
    for (let e = 0; e < ENDPOINTS; e++) endpoints.push({ addresses: [ip(POD_IP + s * ENDPOINTS + e)], nodeName: `node-${e % 3}`, conditions: { ready: true } });
    docs.push(JSON.stringify({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { namespace: ns, name: `${name}-abcde`, labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4', endpoints, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }));
  }
  let bytes = 0;
  let files = 0;
  for (let i = 0; i < docs.length; i += 200) {
    const text = docs.slice(i, i + 200).join('\n---\n');
    writeFileSync(path.join(dir, `f${String(files++).padStart(4, '0')}.yaml`), text);
    bytes += text.length;
  }
  return { files, bytes };
}

/** One flow per Service: pods and the node itself as sources; NodePort Services by their node port from outside. */
function flows(): { from: string; to: string }[] {
  return Array.from({ length: SERVICES }, (_, s) => {
    if (s % 10 === 5 && s % 20 === 15) return { from: '203.0.113.7', to: `192.168.0.2:${30000 + (((s / 10) | 0) % 2768)}` };
    return { from: s % 4 === 0 ? 'node:node-1' : ip(POD_IP + 0x7000 + (s & 0xfff)), to: `${ip(CLUSTER_IP + s)}:80` };
  });
}

interface Figures {
  wall: number;
  cpu: number;
}

async function phase<T>(label: string, f: () => T | Promise<T>, extra: (r: T) => string = () => ''): Promise<T> {
  const t = performance.now();
  const c = process.cpuUsage();
  const r = await f();
  const cpu = process.cpuUsage(c);
  const fig: Figures = { wall: performance.now() - t, cpu: (cpu.user + cpu.system) / 1000 };
  const rss = (process.resourceUsage().maxRSS / 1024).toFixed(0);
  console.log(`${label.padEnd(24)} ${fig.wall.toFixed(0).padStart(7)} ms wall ${fig.cpu.toFixed(0).padStart(7)} ms cpu   peak RSS ${rss.padStart(5)} MB   load ${loadavg()[0]!.toFixed(1)}${extra(r)}`);
  return r;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-bench-batch-'));
  try {
    const manifests = path.join(dir, 'manifests');
    const flowsFile = path.join(dir, 'flows.json');
    mkdirSync(manifests);
    const { files, bytes } = writeManifests(manifests);
    const list = flows();
    writeFileSync(flowsFile, JSON.stringify(list));
    console.log(`machine: ${cpus().length} cores (shared with other work), Node ${process.version}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`input: ${SERVICES} Services x ${ENDPOINTS} endpoints (every 10th a NodePort, every 50th without endpoints), ${(bytes / 1048576).toFixed(1)} MB of one-line JSON documents in ${files} files; ${list.length} flows`);

    // In this process, the steps of `ksd trace PATHS --batch` one by one.
    const { state } = await phase('load', () => loadState([manifests]), (r) => `   (${r.state.services.length} Services)`);
    const tracer = generatedTracer('iptables');
    const node = state.nodes[0]!;
    await phase('prepare (fixed rules)', () => tracer(state, node.name, 'IPv4', { from: '203.0.113.1', to: '203.0.113.2', port: 1, protocol: 'TCP' }, { source: 'external', localIPs: [] }));
    // As the command does it: each result is turned into its JSON text as soon as it is traced. The loop is
    // timed as a whole (reading the CPU clock per flow would add ~0.6 s of its own); the JSON share is then
    // timed apart by serializing the same results again.
    const json = new JsonArrayText();
    const verdicts = new Map<string, number>();
    const details: TraceDetail[] = [];
    const batch = { wall: 0, cpu: 0 };
    const timed = <T>(into: Figures, f: () => T): T => {
      const t = performance.now();
      const c = process.cpuUsage();
      const r = f();
      const cpu = process.cpuUsage(c);
      into.wall += performance.now() - t;
      into.cpu += (cpu.user + cpu.system) / 1000;
      return r;
    };
    const printed = timed(batch, () => {
      for (const flow of list) {
        const src = resolveSource(state, flow.from, state.proxy.clusterCIDRs);
        const dst = resolveDestination(state, flow.to);
        const n = chooseNode(state, undefined, src, dst);
        const d = tracer(state, n?.name, familyOf(dst.ip), { from: src.ip, to: dst.ip, port: dst.port, protocol: parseProtocol(undefined) }, traceContext(state, n, src, [], familyOf(dst.ip)));
        verdicts.set(d.verdict, (verdicts.get(d.verdict) ?? 0) + 1);
        details.push(d);
        json.add(traceResult(d));
      }
      return json.pieces().reduce((n, p) => n + p.length, 0);
    });
    const jsonOnly = { wall: 0, cpu: 0 };
    timed(jsonOnly, () => {
      const again = new JsonArrayText();
      for (const d of details) again.add(traceResult(d));
      return again.pieces().length;
    });
    const rss = (process.resourceUsage().maxRSS / 1024).toFixed(0);
    const line = (label: string, f: Figures, extra: string) => console.log(`${label.padEnd(24)} ${f.wall.toFixed(0).padStart(7)} ms wall ${f.cpu.toFixed(0).padStart(7)} ms cpu   peak RSS ${rss.padStart(5)} MB   load ${loadavg()[0]!.toFixed(1)}${extra}`);
    line(`${list.length} traces`, { wall: batch.wall - jsonOnly.wall, cpu: batch.cpu - jsonOnly.cpu }, `   (${[...verdicts].map(([v, k]) => `${k} ${v}`).join(', ')}; Services rendered and compiled on demand; the batch less the JSON share)`);
    line('JSON out', jsonOnly, `   (${(printed / 1048576).toFixed(1)} MB; timed apart on the same results)`);
    line('batch (traces + JSON)', batch, '   (state loaded -> 10,000 results printed)');

    // The whole command, as a user runs it: on one thread (--jobs 1), then as chosen (worker threads from 1,000 flows).
    const ksd = path.resolve(__dirname, '../../bin/ksd.js');
    for (const [label, jobs] of [['whole, --jobs 1', ['--jobs', '1']], ['whole, threads auto', []]] as const) {
      const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, ksd, 'trace', manifests, '--batch', flowsFile, ...jobs], { encoding: 'utf8', maxBuffer: 1 << 30 });
      if (run.error || run.status !== 0) {
        console.log(`${label}: could not run it under /usr/bin/time (${run.error?.message ?? run.stderr.trim().split('\n').pop()})`);
        continue;
      }
      const [wall, user, sys, kb] = run.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number, number, number];
      console.log(`${label.padEnd(24)} ${(wall * 1000).toFixed(0).padStart(7)} ms wall ${((user + sys) * 1000).toFixed(0).padStart(7)} ms cpu   peak RSS ${(kb / 1024).toFixed(0).padStart(5)} MB   load ${loadavg()[0]!.toFixed(1)}   (node bin/ksd.js ${['trace', '...', ...jobs].join(' ')}, dist/ bundle, ${availableParallelism()} cores; ${(run.stdout.length / 1048576).toFixed(1)} MB printed)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
