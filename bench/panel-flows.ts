/**
 * Benchmark: the panel's Rules tab (ruleChain: rules text + flow graph) in each mode for one Service of a
 * cluster of BENCH_SERVICES Services x BENCH_ENDPOINTS endpoints. The first request renders and parses the
 * node's whole rules (iptables and nftables flows need the dispatch chains and maps); later requests on the
 * same state reuse them. Wall and CPU time; prints figures, never fails on timing.
 * Run: npm run bench:panel-flows
 */
import { buildClusterState, loadManifest } from '../src/core';
import { serviceSliceManifests } from './generate';
import { ruleChain } from '../src/viewmodel/engines';

const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 2_000);
const ENDPOINTS = Number(process.env['BENCH_ENDPOINTS'] ?? 10);

function time(label: string, f: () => string): void {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const note = f();
  const c = process.cpuUsage(c0);
  console.log(`${label.padEnd(52)} wall ${(performance.now() - t0).toFixed(1).padStart(8)} ms   cpu ${((c.user + c.system) / 1000).toFixed(1).padStart(8)} ms   ${note}`);
}

const state = buildClusterState(loadManifest('/bench/cluster.yaml', serviceSliceManifests(SERVICES, ENDPOINTS)).objects);
console.log(`${SERVICES} Services x ${ENDPOINTS} endpoints, one node (figures for one Service's Rules tab)`);
for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
  const ask = (name: string) => () => {
    const v = ruleChain(state, { ref: { namespace: `ns${Number(name.slice(3)) % 50}`, name }, mode, version: '' });
    if (!v.available) throw new Error(v.reason);
    return `${v.nodes.length} nodes, ${v.edges.length} edges`;
  };
  time(`${mode}: first Service (whole node rules built)`, ask('svc0'));
  time(`${mode}: another Service (same state)`, ask('svc51'));
  time(`${mode}: a NodePort Service (same state)`, ask(`svc${Math.floor(SERVICES / 20) * 10}`)); // a NodePort (every 10th) half-way through: svc1000 at the default size
}
