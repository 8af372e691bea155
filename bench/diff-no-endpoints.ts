/**
 * Benchmark: `ksd diff` on bench:modes-sized input (10,000 Services x 10 endpoints) when some Services'
 * endpoints all went (the node still has their chains, the manifests give none) or all came (the node still
 * rejects): iptables (v1.31+ and v1.23), nftables (1.35 and 1.36) and IPVS (and parsing its
 * ipvsadm -Ln listing), plus the diff of identical rules for reference. Wall and CPU time of each diff. Prints figures; never fails on timing.
 * Run: npm run bench:diff-no-endpoints (BENCH_SERVICES, BENCH_ENDPOINTS, BENCH_GONE_EVERY to resize).
 */
import { buildClusterState, diffIpvs, formatIpvsadm, parseIpvsadm, diffNftRules, diffRules, ipvsDiffSide, loadManifest, nftProfile, parseNft, parseRules, renderIPTablesRules, renderIpvs, renderNftables, type ClusterState, type RulesDiff } from '../src/core';
import { serviceSliceManifests } from './generate';
import { time } from './timing';

const SERVICES = Number(process.env['BENCH_SERVICES'] ?? 10_000);
const ENDPOINTS = Number(process.env['BENCH_ENDPOINTS'] ?? 10);
/** One Service in this many has no endpoints in the "gone" cluster. */
const GONE_EVERY = Number(process.env['BENCH_GONE_EVERY'] ?? 20);

/** The same manifests with every GONE_EVERY-th Service's EndpointSlice emptied. */
function withoutSomeEndpoints(text: string): string {
  let n = 0;
  return text
    .split('\n---\n')
    .map((doc) => {
      const o = JSON.parse(doc) as { kind: string; endpoints?: unknown[] };
      if (o.kind !== 'EndpointSlice') return doc;
      if (n++ % GONE_EVERY !== GONE_EVERY - 1) return doc;
      o.endpoints = [];
      return JSON.stringify(o);
    })
    .join('\n---\n');
}

const summary = (d: RulesDiff) => `${d.stale.length} stale endpoints, ${d.missing.length} missing, ${d.extra.length} extra, ${d.missingChains.length + d.extraChains.length} chains`;

function main(): void {
  const text = serviceSliceManifests(SERVICES, ENDPOINTS);
  const load = (t: string): ClusterState => buildClusterState(loadManifest('bench.yaml', t).objects, { simulatePods: false });
  const full = load(text);
  const gone = load(withoutSomeEndpoints(text));
  console.log(`${SERVICES} Services x ${ENDPOINTS} endpoints; one Service in ${GONE_EVERY} has none in the changed cluster. Node node-1.`);
  for (const version of ['1.31', '1.23']) {
    const rules = (s: ClusterState) => parseRules(renderIPTablesRules({ state: s, node: 'node-1', version, format: 'save', families: ['IPv4'] }));
    const a = rules(full);
    const b = rules(gone);
    const same = rules(full);
    time(`iptables ${version}: diff identical rules`, () => diffRules(a, same), summary);
    time(`iptables ${version}: diff, endpoints all gone (node still routes)`, () => diffRules(b, a), summary);
    time(`iptables ${version}: diff, endpoints all came (node still rejects)`, () => diffRules(a, b), summary);
  }
  for (const version of ['1.35', '1.36']) {
    const table = (s: ClusterState) => parseNft(renderNftables(s, { node: 'node-1', profile: nftProfile(version) }).text);
    const a = table(full);
    const b = table(gone);
    const same = table(full);
    time(`nftables ${version}: diff identical tables`, () => diffNftRules(a, same), summary);
    time(`nftables ${version}: diff, endpoints all gone (node still routes)`, () => diffNftRules(b, a), summary);
    time(`nftables ${version}: diff, endpoints all came (node still rejects)`, () => diffNftRules(a, b), summary);
  }
  const side = (s: ClusterState) => ipvsDiffSide(renderIpvs(s, { node: 'node-1' }));
  const a = side(full);
  const b = side(gone);
  const listing = formatIpvsadm(a.table);
  time(`ipvs: parse ipvsadm -Ln (${listing.split('\n').length} lines)`, () => parseIpvsadm(listing), (t) => `${t.virtualServers.length} virtual servers`);
  time('ipvs: diff, endpoints all gone (node still has the real servers)', () => diffIpvs(b, a), summary);
  time('ipvs: diff, endpoints all came', () => diffIpvs(a, b), summary);
}

main();
