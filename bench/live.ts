/**
 * Live-cluster benchmark: initial sync of 50,000 pods, 5,000 Services and 5,000 EndpointSlices from
 * the wire-format server (test/live/fakeApiServer.ts, not a real API server) running in a child
 * process, then the latency from a change on the server to a subscriber. Prints figures; passes or
 * fails nothing. Run: npm run bench:live   (node --expose-gc out/bench/live.js [pods] [services])
 */
import { fork } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { endpointsReport, findService, LiveCluster } from '../src/live';
import { affectsService } from '../src/extension/liveRegistry';
import { dispatch, panelHandlers } from '../src/extension/panels/panelHandlers';
import type { ServiceView } from '../src/protocol/webview';
import { childNodes, rootNodes, sourceData, type SourceData, type TreeInput } from '../src/viewmodel/serviceTree';
import { writeKubeconfig } from '../test/live/helpers';
import { endpointSlice, svcNamespace, type BenchShape, type FromServer, type ToServer } from './liveServer';

const shape: BenchShape = { pods: Number(process.argv[2] ?? 50_000), services: Number(process.argv[3] ?? 5_000), namespaces: 500, nodes: 50 };

const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1048576;
};
const ms = (t: number) => `${t.toFixed(0)} ms`;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function main(): Promise<void> {
  console.log(`live bench: ${shape.pods} pods, ${shape.services} Services, ${shape.services} EndpointSlices, ${shape.namespaces} namespaces, ${shape.nodes} nodes`);
  console.log(`machine: ${cpus().length} cores (shared with other work), node ${process.version}; the API server runs in a child process${gc ? '' : ' (run with --expose-gc for exact heap figures)'}`);
  const child = fork(join(__dirname, 'liveServer.js'), [JSON.stringify(shape)], { stdio: 'inherit' });
  const send = (m: ToServer) => child.send(m);
  const ready = await new Promise<FromServer>((resolve) => child.once('message', (m: FromServer) => resolve(m)));
  console.log(`server seeded in ${ms(ready.seedMs)}`);
  const baseHeap = heapMB();

  const file = writeKubeconfig([{ name: 'bench', server: ready.url }], 'bench');
  const live = await LiveCluster.connect({ kubeconfig: { files: [file] }, trusted: false });
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed / 1048576)), 25);
  const load = loadavg()[0]!.toFixed(1);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  live.start();
  await live.whenReady(120_000);
  const syncMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const afterSync = heapMB();
  const t1 = performance.now();
  const state = live.state();
  const buildMs = performance.now() - t1;
  const withState = heapMB();
  console.log(`initial sync (paged lists, 500 per page, then watches): ${ms(syncMs)} wall, ${ms((cpu.user + cpu.system) / 1000)} CPU in this process (load average ${load} when it started)`);
  console.log(`  objects held: ${live.objects().length}; heap: ${(afterSync - baseHeap).toFixed(0)} MB retained after sync, peak ${(peak - baseHeap).toFixed(0)} MB during sync (sampled every 25 ms, before GC)`);
  console.log(`  whole-cluster state (${state.services.length} Services, ${state.pods.length} pods, ${state.slices.length} EndpointSlices) built in ${ms(buildMs)}; heap with it ${(withState - baseHeap).toFixed(0)} MB`);
  await new Promise((r) => setTimeout(r, 500));

  // A change on the server until (a) the subscriber is called, (b) it has the Service's new endpoints.
  const delivered: number[] = [];
  const withEndpoints: number[] = [];
  const rounds = 30;
  for (let i = 0; i < rounds; i++) {
    const s = (i * 97) % shape.services;
    const ns = svcNamespace(s, shape);
    const newIP = `10.250.${i >> 8}.${i & 255}`;
    let start = 0;
    const done = new Promise<void>((resolve) => {
      const sub = live.onChange(() => {
        const at = performance.now();
        const st = live.namespaceState(ns);
        const svc = findService(st, ns, `svc-${s}`);
        const rep = svc ? endpointsReport(st, svc) : undefined;
        if (rep?.endpoints.some((e) => e.ip === newIP)) {
          delivered.push(at - start);
          withEndpoints.push(performance.now() - start);
          sub.dispose();
          resolve();
        }
      });
    });
    start = performance.now();
    send({ type: 'apply', plural: 'endpointslices', object: endpointSlice(ns, `svc-${s}`, `svc-${s}-abcde`, [{ ip: newIP, pod: `app-${s}-0`, ready: true }]) });
    await done;
  }
  console.log(`watch event -> subscriber (50 ms debounce, IPC to the server included), ${rounds} changes: median ${ms(percentile(delivered, 50))}, p95 ${ms(percentile(delivered, 95))}, max ${ms(Math.max(...delivered))}`);
  console.log(`  -> subscriber has the Service's new endpoints (namespaceState + endpointsReport): median ${ms(percentile(withEndpoints, 50))}, p95 ${ms(percentile(withEndpoints, 95))}, max ${ms(Math.max(...withEndpoints))}`);

  // The panel's path: a watch event that concerns the shown Service -> the 'changed' event -> the webview's
  // 'service' request answered by the panel handlers (the same code the extension runs) -> the reply it
  // posts (serialised here as postMessage would), until the reply shows the new endpoint.
  const handlers = panelHandlers({
    state: async (ref) => live.namespaceState(ref!.namespace),
    revealService: async () => false,
    proxySettings: () => ({ mode: '', version: '' }),
    liveInfo: () => ({ context: 'bench', server: ready.url, state: live.status().state }),
  });
  const toPanel: number[] = [];
  let replyBytes = 0;
  for (let i = 0; i < rounds; i++) {
    const s = (i * 89 + 13) % shape.services;
    const ns = svcNamespace(s, shape);
    const ref = { namespace: ns, name: `svc-${s}`, context: 'bench' };
    const newIP = `10.251.${i >> 8}.${i & 255}`;
    let start = 0;
    const done = new Promise<void>((resolve) => {
      const sub = live.onChange((c) => {
        if (!affectsService('bench', c, ref)) return;
        void dispatch(handlers, { kind: 'request', id: i, method: 'service', params: ref }).then((reply) => {
          const wire = JSON.stringify(reply);
          const view = reply.ok ? (reply.result as { service: ServiceView | null }).service : null;
          if (view?.endpoints.some((e) => e.ip === newIP)) {
            toPanel.push(performance.now() - start);
            replyBytes = wire.length;
            sub.dispose();
            resolve();
          }
        });
      });
    });
    start = performance.now();
    send({ type: 'apply', plural: 'endpointslices', object: endpointSlice(ns, `svc-${s}`, `svc-${s}-abcde`, [{ ip: newIP, pod: `app-${s}-0`, ready: true }]) });
    await done;
  }
  console.log(`watch event -> panel reply with the new endpoint (filter, handlers, serialisation; webview render not included), ${rounds} changes: median ${ms(percentile(toPanel, 50))}, p95 ${ms(percentile(toPanel, 95))}, max ${ms(Math.max(...toPanel))} (reply ${replyBytes} bytes)`);

  const t2 = performance.now();
  live.state();
  console.log(`whole-cluster state rebuild after a change (tree, traces): ${ms(performance.now() - t2)}`);
  // The tree after a watch batch: its root and one expanded namespace, as the extension reads them (per
  // namespace, from the stores) and as it did before (the whole-cluster state rebuilt after every change).
  const treeRefresh = (data: () => SourceData) => {
    const t = performance.now();
    const input: TreeInput = { state: undefined, loading: false, trusted: true, live: [{ context: 'bench', data: data(), status: 'synced' }] };
    const src = rootNodes(input)[1]!;
    const nsNode = childNodes(input, src).find((n) => n.kind === 'namespace' && n.namespace === svcNamespace(7, shape))!;
    childNodes(input, nsNode);
    return performance.now() - t;
  };
  const perNs: number[] = [];
  const whole: number[] = [];
  for (let i = 0; i < 5; i++) {
    const s = 7;
    const ns = svcNamespace(s, shape);
    const changed = new Promise<void>((resolve) => {
      const sub = live.onChange(() => {
        sub.dispose();
        resolve();
      });
    });
    send({ type: 'apply', plural: 'endpointslices', object: endpointSlice(ns, `svc-${s}`, `svc-${s}-abcde`, [{ ip: `10.252.0.${i}`, pod: `app-${s}-0`, ready: true }]) });
    await changed;
    perNs.push(treeRefresh(() => ({ namespaces: live.servicesPerNamespace(), stateOf: (n) => live.namespaceState(n) })));
    whole.push(treeRefresh(() => sourceData(live.state())));
  }
  console.log(`tree refresh after a change (root + one expanded namespace), 5 changes: per namespace median ${ms(percentile(perNs, 50))}, max ${ms(Math.max(...perNs))}; the former whole-cluster way median ${ms(percentile(whole, 50))}, max ${ms(Math.max(...whole))}`);

  live.stop();
  send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
