/**
 * Benchmark: the full iptables-restore payload for 10,000 Services x 10 endpoints, and one
 * Service's chains from the loaded state. Prints figures; never fails on timing.
 * Run: npm run bench:proxy
 */
import {
  buildClusterState,
  buildProxyModel,
  loadManifest,
  renderIPTables,
  renderServiceIPTables,
  restoreText,
  totalEndpoints,
} from '../src/core';

const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 10_000);
const ENDPOINTS = Number(process.env['BENCH_ENDPOINTS'] ?? 10);

function manifests(): string {
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
  return docs.join('\n---\n');
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

function main(): void {
  const text = manifests();
  const t0 = performance.now();
  const file = loadManifest('bench.yaml', text);
  const state = buildClusterState(file.objects, { simulatePods: false });
  const t1 = performance.now();
  console.log(`input: ${SERVICES} Services x ${ENDPOINTS} endpoints (${(text.length / 1024 / 1024).toFixed(1)} MB of YAML), parsed and modelled in ${(t1 - t0).toFixed(0)} ms`);

  const runs: number[] = [];
  let bytes = 0;
  let peakRss = process.memoryUsage().rss;
  for (let i = 0; i < 3; i++) {
    const a = performance.now();
    const model = buildProxyModel(state, { family: 'IPv4' });
    const payload = renderIPTables(state, model);
    const out = restoreText(payload);
    runs.push(performance.now() - a);
    bytes = out.length;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  console.log(`full payload (model + render + text): ${runs.map((r) => r.toFixed(0)).join(' / ')} ms over 3 runs; ${(bytes / 1024 / 1024).toFixed(1)} MB of rules; peak RSS ${mb(peakRss)}`);

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
