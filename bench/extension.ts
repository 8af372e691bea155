/**
 * Benchmark: what the extension computes when a large workspace is opened: the Services tree (every
 * Service's view, namespaces expanded), one panel `service` request, one rule chain with its flow, and one
 * trace from the panel. Prints figures; never fails on timing. Run: npm run bench:extension
 */
import { cpus } from 'node:os';
import { buildClusterState, loadManifest } from '../src/core';
import { runTrace } from '../src/extension/traceRunner';
import { ruleChain } from '../src/viewmodel/engines';
import { childNodes, rootNodes, type TreeInput, type TreeNode } from '../src/viewmodel/serviceTree';
import { findService, toServiceView } from '../src/viewmodel/serviceView';

const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 2000);
const REPLICAS = Number(process.env['BENCH_REPLICAS'] ?? 3);

function manifests(): string {
  const docs = [JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.0.2' }], conditions: [{ type: 'Ready', status: 'True' }] } })];
  for (let s = 0; s < SERVICES; s++) {
    const ns = `ns${s % 20}`;
    const labels = { app: `app${s}` };
    docs.push(JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: ns, name: `app${s}` }, spec: { replicas: REPLICAS, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }] } } } }));
    docs.push(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name: `svc${s}` }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } }));
  }
  return docs.join('\n---\n');
}

const ms = (t0: number) => `${(performance.now() - t0).toFixed(1)} ms`;
const text = manifests();
let t0 = performance.now();
const file = loadManifest('/bench/all.yaml', text);
const state = buildClusterState(file.objects);
console.log(`${SERVICES} Services x ${REPLICAS} simulated pods (${(text.length / 1024 / 1024).toFixed(1)} MB): load + cluster state ${ms(t0)}`);

t0 = performance.now();
const input: TreeInput = { state, loading: false, trusted: true };
let nodes = 0;
const expand = (n: TreeNode, depth: number): void => {
  nodes++;
  if (depth < 3) for (const c of childNodes(input, n)) expand(c, depth + 1);
};
for (const r of rootNodes(input)) expand(r, 0);
console.log(`tree to the Services (every Service's endpoints and health): ${nodes} nodes in ${ms(t0)}`);

const svc = findService(state, { namespace: 'ns7', name: 'svc1007' })!;
t0 = performance.now();
toServiceView(state, svc);
console.log(`panel "service" request for one Service: ${ms(t0)}`);

t0 = performance.now();
const chain = ruleChain(state, { ref: { namespace: 'ns7', name: 'svc1007' }, mode: 'iptables', version: '' });
console.log(`rule chain + flow for one Service (renders the node's whole rule set for the flow): ${ms(t0)} (${chain.available ? `${chain.edges.length} edges` : chain.reason})`);

t0 = performance.now();
const trace = runTrace(state, { ref: null, from: '203.0.113.10', to: `${svc.clusterIP}:80`, protocol: 'TCP', node: '', mode: 'iptables' });
console.log(`trace from the panel (render, parse, compile, trace): ${ms(t0)} (${trace.available ? trace.result.verdict : trace.reason})`);
console.log(`(machine: ${cpus().length} cores, shared; Node ${process.version})`);
