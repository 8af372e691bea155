/**
 * Benchmark: the full iptables-restore payload for 10,000 Services x 10 endpoints, and one
 * Service's chains from the loaded state. Prints figures; never fails on timing.
 * Run: npm run bench:proxy
 */
import * as os from 'node:os';
import {
  buildClusterState,
  buildProxyModel,
  loadManifest,
  renderIPTables,
  renderServiceIPTables,
  restoreText,
  totalEndpoints,
  type ClusterState,
} from '../src/core';

const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 10_000);
const ENDPOINTS = Number(process.env['BENCH_ENDPOINTS'] ?? 10);

/** The manifests as files of 100 Services each (one file is capped in size, as a folder of YAML would be). */
function manifests(): string[] {
  const docs: string[] = [
    JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'a' } }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.2' }] } }),
  ];
  for (let s = 0; s < SERVICES; s++) {
    const ns = `ns${s % 50}`;
    const name = `svc${s}`;
    const clusterIP = `10.${96 + (s >> 16)}.${(s >> 8) & 255}.${s & 255}`;
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec: { clusterIP, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } }));
    const endpoints = [];
    for (let e = 0; e < ENDPOINTS; e++) {
      const n = s * ENDPOINTS + e;
      endpoints.push({ addresses: [`10.${128 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`], nodeName: `node-${e % 3}`, conditions: { ready: true } });
    }
    docs.push(
      JSON.stringify({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { namespace: ns, name: `${name}-abcde`, labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        endpoints,
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      }),
    );
  }
  const files: string[] = [];
  for (let i = 0; i < docs.length; i += 200) files.push(docs.slice(i, i + 200).join('\n---\n'));
  return files;
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

function cpuMs(c: NodeJS.CpuUsage): number {
  return (c.user + c.system) / 1000;
}

/** The process's peak resident set so far (kernel maxrss). */
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Loads the manifests; the YAML texts are dropped once the state is built. */
function loadState(): { state: ClusterState; size: number; files: number } {
  const texts = manifests();
  const objects = texts.flatMap((t, i) => loadManifest(`bench-${i}.yaml`, t).objects);
  return { state: buildClusterState(objects, { simulatePods: false }), size: texts.reduce((n, t) => n + t.length, 0), files: texts.length };
}

function main(): void {
  const t0 = performance.now();
  const { state, size, files } = loadState();
  const t1 = performance.now();
  if (state.services.length !== SERVICES) throw new Error(`expected ${SERVICES} Services, loaded ${state.services.length}`);
  console.log(`machine: ${os.cpus().length} cores (shared), Node ${process.version}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`input: ${SERVICES} Services x ${ENDPOINTS} endpoints (${(size / 1024 / 1024).toFixed(1)} MB of YAML in ${files} files), parsed and modelled in ${(t1 - t0).toFixed(0)} ms`);
  gc?.();
  const loadedRss = process.memoryUsage().rss;
  const loadPeak = peakRss();
  console.log(`loaded state: RSS ${mb(loadedRss)}${gc ? ' after a full GC' : ''} (peak while loading ${mb(loadPeak)})`);

  // Wall time is what a user waits; CPU time (this process, all threads incl. GC) is the steadier
  // figure on a shared machine. Run 1 is the first payload from this state (every chain name hashed,
  // code not yet optimised); runs 2-3 are what an editor pays on the next render (names cached).
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    const a = performance.now();
    const model = buildProxyModel(state, { family: 'IPv4' });
    const b = performance.now();
    const c1 = process.cpuUsage();
    const payload = renderIPTables(state, model);
    const out = restoreText(payload);
    const c = performance.now();
    const c2 = process.cpuUsage();
    const rules = payload.nat.rules.length + payload.filter.rules.length;
    console.log(
      `run ${i + 1}: model ${(b - a).toFixed(0)} ms wall / ${(cpuMs(c1) - cpuMs(c0)).toFixed(0)} ms CPU; ` +
        `render + text ${(c - b).toFixed(0)} ms wall / ${(cpuMs(c2) - cpuMs(c1)).toFixed(0)} ms CPU; ` +
        `total ${(c - a).toFixed(0)} ms wall / ${(cpuMs(c2) - cpuMs(c0)).toFixed(0)} ms CPU; ${(out.length / 1024 / 1024).toFixed(1)} MB of rules, ${rules} rules`,
    );
    if (i === 0) {
      const peak = peakRss();
      const above = peak > loadPeak ? `${mb(peak - loadedRss)} above the loaded state's RSS` : `no higher than the peak while loading`;
      console.log(
        `peak RSS after the first payload: ${mb(peak)} for the whole process (the loaded state with its YAML trees and source positions, ` +
          `the proxy model, the payload's rules and its text); ${above}`,
      );
    }
  }
  console.log(`peak RSS after three payloads: ${mb(peakRss())}`);

  const target = state.services[Math.floor(state.services.length / 2)]!;
  const total = totalEndpoints(state, 'IPv4');
  const one: number[] = [];
  for (let i = 0; i < 200; i++) {
    const a = performance.now();
    restoreText(renderServiceIPTables(state, target, { family: 'IPv4' }, total));
    one.push(performance.now() - a);
  }
  one.sort((x, y) => x - y);
  console.log(`one Service's chains from the loaded state: median ${one[100]!.toFixed(3)} ms, p99 ${one[198]!.toFixed(3)} ms (200 runs)`);
}

main();
