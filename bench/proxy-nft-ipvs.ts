/**
 * Benchmark: nftables and IPVS modes for 10,000 Services x 10 endpoints: render, parse our own output
 * (nft transaction, nft list form, ipvsadm -Ln), trace packets through it, and diff a node's rules
 * (a copy with stale endpoints) against the expected ones. Wall and CPU time of each step.
 * Prints figures; never fails on timing. Run: npm run bench:modes
 */
import {
  buildClusterState,
  diffIpvs,
  diffNftRules,
  dumpNftTable,
  ipvsDiffSide,
  formatIpvsadm,
  listNftTable,
  loadManifest,
  nftProfile,
  parseIpset,
  parseIpvsadm,
  parseNft,
  renderIpvs,
  renderNftables,
  traceIpvs,
  traceNft,
} from '../src/core';
import { ipOf, serviceSliceManifests } from './generate';
import { time } from './timing';

const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 10_000);
const ENDPOINTS = Number(process.env['BENCH_ENDPOINTS'] ?? 10);
const TRACES = 1000;

const mb = (s: string) => `${(s.length / 1024 / 1024).toFixed(1)} MB`;

function main(): void {
  const text = serviceSliceManifests(SERVICES, ENDPOINTS);
  const state = time(`load ${SERVICES} Services x ${ENDPOINTS} endpoints (${mb(text)} YAML)`, () => buildClusterState(loadManifest('bench.yaml', text).objects, { simulatePods: false }));
  const nft = time('nftables: render the transaction', () => renderNftables(state), (r) => `${mb(r.text)}, ${r.text.split('\n').length} lines`);
  time('nftables: render the v1.31-v1.33 layout', () => renderNftables(state, { profile: nftProfile('1.33') }), (r) => `${mb(r.text)}, ${r.text.split('\n').length} lines`);
  const v136 = time('nftables: render the v1.36 layout', () => renderNftables(state, { profile: nftProfile('1.36') }), (r) => `${mb(r.text)}, ${r.text.split('\n').length} lines`);
  time('nftables: parse the v1.36 transaction', () => parseNft(v136.text), (r) => `${r.tables[0]!.chains.size} chains`);
  const rs = time('nftables: parse the transaction', () => parseNft(nft.text), (r) => `${r.tables[0]!.chains.size} chains`);
  time('nftables: Fake.Dump form', () => dumpNftTable(rs.tables[0]!), mb);
  const listed = time('nftables: nft list table form', () => listNftTable(rs.tables[0]!), mb);
  const listedRs = time('nftables: parse the nft list form', () => parseNft(listed), (r) => `${r.tables[0]!.chains.size} chains`);
  // A node lagging behind: some endpoints (host part a multiple of 100) are still an old pod's, in 10.99.0.0/16.
  const lagging = parseNft(listed.replace(/__10\.(1\d\d)\.(\d+)\.(\d+)\/8080 \{\n\t\tip saddr 10\.\1\.\2\.\3 /g, (m, a: string, b: string, c: string) => (Number(c) % 100 === 0 ? `__10.99.${b}.${c}/8080 {\n\t\tip saddr 10.99.${b}.${c} ` : m)));
  time('nftables: diff the nft list form against the transaction', () => diffNftRules(rs, listedRs), (d) => `${d.missing.length + d.extra.length + d.stale.length} differences`);
  time('nftables: diff a lagging node', () => diffNftRules(rs, lagging), (d) => `${d.stale.length} stale endpoints, ${d.missing.length} missing, ${d.extra.length} extra`);
  const ctx = { source: 'pod' as const, localIPs: ['192.168.0.2'], nodeName: 'node-1' };
  time(`nftables: ${TRACES} traces to random ClusterIPs`, () => {
    let eps = 0;
    for (let i = 0; i < TRACES; i++) eps += traceNft(rs, { from: '10.244.0.5', to: ipOf(96, (i * 7919) % SERVICES), port: 80, protocol: 'TCP' }, ctx).endpoints.length;
    return eps;
  }, (n) => `${n} endpoints found`);
  const ipvs = time('ipvs: render virtual servers, ipsets, helper rules', () => renderIpvs(state), (r) => `${r.table.virtualServers.length} virtual servers`);
  const ipvsText = time('ipvs: ipvsadm -Ln text', () => formatIpvsadm(ipvs.table), mb);
  const table = time('ipvs: parse ipvsadm -Ln', () => parseIpvsadm(ipvsText), (t) => `${t.virtualServers.length} virtual servers`);
  const ipsetText = ipvs.sets.save();
  const sets = time('ipvs: parse ipset save', () => parseIpset(ipsetText), (m) => `${[...m.values()].reduce((n, x) => n + x.entries.length, 0)} entries`);
  const expected = ipvsDiffSide(ipvs);
  const laggingTable = parseIpvsadm(ipvsText.replace(/-> 10\.(1\d\d)\.(\d+)\.(\d+)0:8080 /g, '-> 10.$1.$2.$3:8080 '));
  time('ipvs: diff ipvsadm -Ln + ipsets against the expected table', () => diffIpvs(expected, { table, ipsets: sets }), (d) => `${d.missing.length + d.extra.length + d.stale.length} differences`);
  time('ipvs: diff a lagging node', () => diffIpvs(expected, { table: laggingTable, ipsets: sets }), (d) => `${d.stale.length} stale endpoints`);
  time(`ipvs: ${TRACES} traces to random ClusterIPs`, () => {
    let eps = 0;
    for (let i = 0; i < TRACES; i++) eps += traceIpvs(table, { from: '10.244.0.5', to: ipOf(96, (i * 7919) % SERVICES), port: 80, protocol: 'TCP' }, ctx).endpoints.length;
    return eps;
  }, (n) => `${n} endpoints found`);
}

main();
