/**
 * The API server side of bench/live.ts, in its own process (as a real API server would be): seeds
 * the in-process wire-format server (test/live/fakeApiServer.ts) with a big cluster, reports its URL
 * over IPC and applies the changes the benchmark sends.
 */
import { FakeApiServer } from '../test/live/fakeApiServer';
import { endpointSlice, namespace, node, pod, service } from '../test/live/helpers';

export interface BenchShape {
  pods: number;
  services: number;
  namespaces: number;
  nodes: number;
}

export type ToServer = { type: 'apply'; plural: string; object: Record<string, unknown> } | { type: 'stop' };
export type FromServer = { type: 'ready'; url: string; seedMs: number };

export const svcNamespace = (s: number, shape: BenchShape) => `ns-${Math.floor(s / Math.max(1, Math.floor(shape.services / shape.namespaces))) % shape.namespaces}`;
export const podIP = (i: number) => `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
export { endpointSlice };

async function main(): Promise<void> {
  const shape = JSON.parse(process.argv[2] ?? '{}') as BenchShape;
  const t0 = performance.now();
  const server = await FakeApiServer.start({ bookmarkMs: 10_000 });
  server.record = false;
  const podsPerSvc = Math.max(1, Math.floor(shape.pods / shape.services));
  server.seed('namespaces', Array.from({ length: shape.namespaces }, (_, i) => namespace(`ns-${i}`)));
  server.seed('nodes', Array.from({ length: shape.nodes }, (_, i) => node(`node-${i}`, `192.168.${i >> 8}.${i & 255}`)));
  const pods = [];
  const services = [];
  const slices = [];
  let p = 0;
  for (let s = 0; s < shape.services; s++) {
    const ns = svcNamespace(s, shape);
    const app = `app-${s}`;
    services.push(service(ns, `svc-${s}`, { app }, `10.96.${s >> 8}.${s & 255}`));
    const eps = [];
    for (let k = 0; k < podsPerSvc && p < shape.pods; k++, p++) {
      const name = `${app}-${k}`;
      pods.push(pod(ns, name, { app }, podIP(p), { node: `node-${p % shape.nodes}` }));
      eps.push({ ip: podIP(p), pod: name, ready: true, node: `node-${p % shape.nodes}` });
    }
    slices.push(endpointSlice(ns, `svc-${s}`, `svc-${s}-abcde`, eps));
  }
  server.seed('pods', pods);
  server.seed('services', services);
  server.seed('endpointslices', slices);
  process.on('message', (m: ToServer) => {
    if (m.type === 'apply') server.apply(m.plural, m.object);
    else void server.close().then(() => process.exit(0));
  });
  process.send!({ type: 'ready', url: server.url, seedMs: performance.now() - t0 } satisfies FromServer);
}

if (require.main === module) void main();
