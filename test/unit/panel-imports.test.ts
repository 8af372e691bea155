import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadManifest, buildClusterState, parseNft, renderNftables, checkNftVersion } from '../../src/core';
import { ImportStore, MAX_IMPORTS } from '../../src/extension/importStore';
import { dispatch, panelHandlers } from '../../src/extension/panels/panelHandlers';
import { differenceCount, importedDiff } from '../../src/extension/traceRunner';
import { isToPanelMessage, type PanelIntent, type RequestMessage, type TraceView } from '../../src/protocol/webview';
import { dumpFamily, parseDump, type RulesDump } from '../../src/tracing/importedRules';

// The two-node fixture cluster and real outputs of worker-1 (the same files `ksd diff` and `ksd trace --rules` are tested with).
const root = path.resolve(__dirname, '../../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
const state = buildClusterState(loadManifest('/ws/cluster.yaml', read('test/fixtures/trace/cluster.yaml')).objects);
const NFT = read('test/fixtures/rules/nft-worker-1.nft');
const IPVS = read('test/fixtures/rules/ipvs-worker-1.ipvsadm');

function storeWith(...dumps: [string, string][]): ImportStore {
  const store = new ImportStore();
  for (const [file, text] of dumps) {
    const dump = parseDump(text);
    store.add({ file, kind: dump.kind, node: 'worker-1', family: dumpFamily(dump), differences: 0 }, dump);
  }
  return store;
}

function handlersFor(store: ImportStore, mode: '' | 'iptables' | 'nftables' | 'ipvs') {
  const handlers = panelHandlers({ state: async () => state, revealService: async () => false, proxySettings: () => ({ mode, version: '' }), imports: () => store.list(), imported: (id) => store.get(id) });
  return (m: Omit<RequestMessage, 'kind' | 'id'>) => dispatch(handlers, { kind: 'request', id: 3, ...m } as RequestMessage);
}

const traceParams = { ref: { namespace: 'shop', name: 'web' }, from: '203.0.113.10', to: '10.96.10.10:80', protocol: 'TCP' as const, node: '' };

test('panel trace through an imported nft dump: the dump\'s rules decide, the panel names the file and node', async () => {
  const store = storeWith(['worker-1.nft', NFT]);
  const ask = handlersFor(store, 'nftables');
  const service = (await ask({ method: 'service', params: { namespace: 'shop', name: 'web' } })) as { ok: true; result: { imports: { id: string; kind: string }[] } };
  assert.equal(service.result.imports.length, 1);
  assert.equal(service.result.imports[0]!.kind, 'nftables');
  const id = service.result.imports[0]!.id;
  const r = (await ask({ method: 'trace', params: { ...traceParams, mode: 'nftables', imported: id } })) as { ok: true; result: TraceView };
  assert.ok(r.ok && r.result.available, JSON.stringify(r));
  const res = r.result.result;
  assert.equal(res.verdict, 'DNAT');
  // worker-1's real table sends shop/web to 10.244.1.10 and 10.244.2.19 (the manifests would give other pods).
  assert.deepEqual(res.endpoints.map((e) => e.ip).sort(), ['10.244.1.10', '10.244.2.19']);
  assert.equal(res.node, 'worker-1', 'the node the rules were imported for');
  assert.deepEqual(res.through, { file: 'worker-1.nft', kind: 'nftables' });
  assert.ok(res.steps.some((s) => s.table === 'ip kube-proxy'));
  // Without the import id the same request follows the generated rules: no `through`.
  const gen = (await ask({ method: 'trace', params: { ...traceParams, mode: 'nftables' } })) as { ok: true; result: TraceView };
  assert.ok(gen.result.available && gen.result.result.through === undefined);
});

test('panel trace through an imported IPVS dump while the panel is in iptables mode: traced as IPVS, with a clear note', async () => {
  const store = storeWith(['worker-1.ipvsadm', IPVS]);
  const ask = handlersFor(store, 'iptables');
  const id = store.list()[0]!.id;
  const r = (await ask({ method: 'trace', params: { ...traceParams, mode: 'iptables', imported: id } })) as { ok: true; result: TraceView };
  assert.ok(r.ok && r.result.available);
  const res = r.result.result;
  assert.equal(res.verdict, 'DNAT');
  // 10.244.1.9 has weight 0 on the node (draining): IPVS sends new connections to 10.244.1.10 only.
  assert.deepEqual(res.endpoints.map((e) => [e.ip, e.probability]), [['10.244.1.10', 1]]);
  assert.equal(res.through?.kind, 'ipvs');
  assert.match(res.through?.note ?? '', /worker-1\.ipvsadm holds an IPVS table .* the panel is in iptables mode: this trace follows the imported ipvs rules/);
});

test('panel trace: an import no longer kept, a wrong-typed id and a family mismatch are answered, not thrown', async () => {
  const store = storeWith(['worker-1.nft', NFT]);
  const ask = handlersFor(store, '');
  const gone = (await ask({ method: 'trace', params: { ...traceParams, mode: 'iptables', imported: 'import-99' } })) as { ok: true; result: TraceView };
  assert.ok(gone.ok && !gone.result.available);
  assert.match(gone.result.reason, /no longer kept.*Import Node Rules/);
  const bad = await ask({ method: 'trace', params: { ...traceParams, mode: 'iptables', imported: 5 } as never });
  assert.equal(bad.ok, false);
  assert.match((bad as { error: string }).error, /import id/);
  const v6 = (await ask({ method: 'trace', params: { ...traceParams, from: 'fd00::1', to: '[fd00::10]:80', ref: null, mode: 'nftables', imported: store.list()[0]!.id } })) as { ok: true; result: TraceView };
  assert.ok(v6.ok && !v6.result.available);
  assert.match(v6.result.reason, /IPv4 rules; fd00::10 is IPv6/);
});

test('import store: newest first, the same file again replaces its import, at most MAX_IMPORTS kept, listeners told', () => {
  const store = new ImportStore();
  const seen: number[] = [];
  const sub = store.onDidChange((l) => seen.push(l.length));
  const dump = parseDump(NFT);
  const add = (file: string) => store.add({ file, kind: 'nftables', node: 'worker-1', family: 'IPv4', differences: 0 }, dump);
  const first = add('a.nft');
  add('b.nft');
  const again = add('a.nft');
  assert.notEqual(again.id, first.id);
  assert.deepEqual(store.list().map((i) => i.file), ['a.nft', 'b.nft']);
  assert.equal(store.get(first.id), undefined);
  for (let i = 0; i < MAX_IMPORTS + 2; i++) add(`x${i}.nft`);
  assert.equal(store.list().length, MAX_IMPORTS);
  sub.dispose();
  add('late.nft');
  assert.deepEqual(seen.slice(0, 3), [1, 2, 2]);
  assert.equal(seen.length, 3 + MAX_IMPORTS + 2);
  // The tracer is compiled once and kept.
  const entry = store.get(store.list()[0]!.id)!;
  assert.equal(entry.tracer(), entry.tracer());
});

test('imported diff: as `ksd diff` reports it, for nftables and IPVS dumps, against the chosen release', () => {
  const nft = parseDump(NFT) as Extract<RulesDump, { kind: 'nftables' }>;
  const d = importedDiff(state, 'worker-1', nft, 'worker-1.nft', '1.35');
  assert.ok(differenceCount(d.diff) > 0);
  assert.equal(d.version, '1.35');
  assert.match(d.text, /^# worker-1\.nft against what kube-proxy 1\.35 would write on node worker-1 \(\d+ chains, sets and maps of the kube-proxy table compared\)/);
  assert.match(d.text, /Rules and elements on the node that are not expected \(\d+\):\n {2}ip kube-proxy services: ip daddr 10\.96\.10\.99 tcp dport 80 drop {3}\(worker-1\.nft line 120\)/);
  // The node's own expected rules, imported back, match.
  const same: RulesDump = { kind: 'nftables', rules: parseNft(renderNftables(state, { node: 'worker-1', profile: checkNftVersion('1.35') }).text) };
  const ok = importedDiff(state, 'worker-1', same, 'same.nft', '1.35');
  assert.equal(differenceCount(ok.diff), 0);
  assert.match(ok.text, /They match/);
  const ipvs = importedDiff(state, 'worker-1', parseDump(IPVS), 'worker-1.ipvsadm', '');
  assert.match(ipvs.text, /virtual servers and ipsets compared/);
  assert.match(ipvs.text, /Stale endpoints|missing on the node|not expected/);
  assert.throws(() => importedDiff(state, 'worker-1', nft, 'x.nft', '1.20'), /1\.20/);
});

test('the imports event is a valid panel message', () => {
  assert.ok(isToPanelMessage({ kind: 'event', event: { type: 'imports', imports: [] } }));
});

test('current: the webview asks what the panel was opened on (a show posted while it loads can be lost)', async () => {
  const base = { state: async () => state, revealService: async () => false, proxySettings: () => ({ mode: '' as const, version: '' }) };
  let shown: PanelIntent = { ref: null };
  const handlers = panelHandlers(base, () => shown);
  const ask = () => dispatch(handlers, { kind: 'request', id: 9, method: 'current', params: {} });
  assert.deepEqual(await ask(), { kind: 'reply', id: 9, ok: true, result: { ref: null } });
  shown = { ref: { namespace: 'shop', name: 'web' }, tab: 'trace' };
  assert.deepEqual(await ask(), { kind: 'reply', id: 9, ok: true, result: { ref: { namespace: 'shop', name: 'web' }, tab: 'trace' } });
  const trace = { ...traceParams, mode: 'nftables' as const, imported: 'import-1' };
  shown = { ref: trace.ref, tab: 'trace', trace };
  assert.deepEqual(((await ask()) as { result: PanelIntent }).result.trace, trace);
  // Without a panel behind them the handlers answer "nothing shown".
  assert.deepEqual(await dispatch(panelHandlers(base), { kind: 'request', id: 1, method: 'current', params: {} }), { kind: 'reply', id: 1, ok: true, result: { ref: null } });
});

test('Import Node Rules: the diff document carries the reader\'s warnings as ksd diff prints them (a grep fragment\'s inferred tables)', () => {
  const dir = path.join(root, 'test/fixtures/real-dumps');
  const s = buildClusterState(loadManifest('/ws/hostnames.yaml', readFileSync(path.join(dir, 'hostnames.yaml'), 'utf8')).objects);
  const dump = parseDump(readFileSync(path.join(dir, 'hostnames-grep.save'), 'utf8'));
  const r = importedDiff(s, undefined, dump, 'hostnames-grep.save', '');
  const lines = r.text.split('\n');
  assert.match(lines[2]!, /^Warning: hostnames-grep\.save:1: the rules have no "\*nat"\/"\*filter" lines \(filtered output such as `iptables-save \| grep NAME`\?\)/);
  // A whole iptables-save dump has nothing to warn about, and its document has no such line.
  const full = parseDump('*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-MARK-MASQ - [0:0]\nCOMMIT\n');
  assert.ok(full.kind === 'iptables' && !full.rules.warnings.length);
  assert.ok(!importedDiff(s, undefined, full, 'w.save', '').text.includes('Warning:'));
});
