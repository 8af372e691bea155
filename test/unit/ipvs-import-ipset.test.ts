/**
 * Import Node Rules with IPVS: the node's `ipset list`/`ipset save` output picked beside the ipvsadm dump, or
 * in the same file, is compared as `ksd diff --ipset` compares it (src/tracing/importedRules parseDumpFiles).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { buildClusterState, loadManifest } from '../../src/core';
import { importedDiff, IPVS_ONLY_NOTE } from '../../src/extension/traceRunner';
import { ImportedRulesError, parseDump, parseDumpFiles, splitIpvsIpset } from '../../src/tracing/importedRules';

const root = path.resolve(__dirname, '../../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
const state = buildClusterState(loadManifest('/ws/cluster.yaml', read('test/fixtures/trace/cluster.yaml')).objects);
const IPVS = { name: 'worker-1.ipvsadm', text: read('test/fixtures/rules/ipvs-worker-1.ipvsadm') };
const SETS = { name: 'worker-1.ipset', text: read('test/fixtures/rules/ipset-worker-1.list') };
const NFT = { name: 'worker-1.nft', text: read('test/fixtures/rules/nft-worker-1.nft') };

test('an ipvsadm dump picked with its ipset output: the ipsets are compared, and their rows name the ipset file', () => {
  const picked = parseDumpFiles([SETS, IPVS]);
  assert.equal(picked.rulesFile, 'worker-1.ipvsadm');
  assert.equal(picked.ipsetFile, 'worker-1.ipset');
  assert.ok(picked.dump.kind === 'ipvs' && picked.dump.side.ipsets?.has('KUBE-CLUSTER-IP'));
  const d = importedDiff(state, 'worker-1', picked.dump, picked.rulesFile, '', picked.ipsetFile);
  // The same findings `ksd diff --rules ... --ipset ...` reports for these files (test/cli/diff-modes.test.ts).
  assert.deepEqual(d.diff.missing.map((x) => `${x.table} ${x.rule}`), ['ipvs TCP  10.96.10.15:80 rr', 'ipvs -> 10.244.1.77:8080 Masq 1', 'ipset 10.96.10.15,tcp:80']);
  assert.deepEqual(d.diff.extra.map((x) => `${x.table} ${x.rule} @${x.line}`), ['ipvs TCP  10.96.10.99:80 rr @16', 'ipvs -> 10.244.2.31:8080 Masq 1 @17', 'ipset 10.96.10.99,tcp:80 @22']);
  assert.match(d.text, /^# worker-1\.ipvsadm with worker-1\.ipset against what /);
  assert.match(d.text, /ipset KUBE-CLUSTER-IP: 10\.96\.10\.99,tcp:80 {3}\(worker-1\.ipset line 22\)/);
  assert.match(d.text, /ipvs TCP {2}10\.96\.10\.99:80 rr {3}\(worker-1\.ipvsadm line 16\)/);
  assert.match(d.text, /shop\/web:http 10\.244\.1\.9:8080: still in the node's rules, but no longer an endpoint \(2 entries\)/);
  assert.ok(!d.text.includes(IPVS_ONLY_NOTE));

  // Alone, the ipvsadm dump compares only the IPVS table, and the report says how to add the ipsets.
  const alone = parseDumpFiles([IPVS]);
  assert.equal(alone.ipsetFile, undefined);
  const a = importedDiff(state, 'worker-1', alone.dump, alone.rulesFile, '');
  assert.ok(!a.diff.missing.some((x) => x.table === 'ipset'));
  assert.ok(a.text.includes(`Note: ${IPVS_ONLY_NOTE}.`));
});

test('one file holding ipvsadm -Ln and ipset output, in either order: the same diff, with the lines of that file', () => {
  const twoFiles = importedDiff(state, 'worker-1', parseDumpFiles([IPVS, SETS]).dump, 'x', '', 'y').diff;
  const ipvsLines = IPVS.text.trimEnd().split('\n').length;
  for (const [text, ipsetOffset, ipvsOffset] of [
    [`${IPVS.text.trimEnd()}\n${SETS.text}`, ipvsLines, 0],
    [`${SETS.text.trimEnd()}\n\n${IPVS.text}`, 0, SETS.text.trimEnd().split('\n').length + 1],
  ] as const) {
    assert.ok(splitIpvsIpset(text));
    const picked = parseDumpFiles([{ name: 'both.txt', text }]);
    assert.equal(picked.ipsetFile, undefined);
    const d = importedDiff(state, 'worker-1', picked.dump, 'both.txt', '').diff;
    const lines = (rows: typeof d.extra) => rows.map((r) => `${r.table} ${r.rule} @${r.line}`);
    const shifted = (rows: typeof d.extra) => rows.map((r) => `${r.table} ${r.rule} @${r.line + (r.table === 'ipset' ? ipsetOffset : ipvsOffset)}`);
    assert.deepEqual(lines(d.extra), shifted(twoFiles.extra));
    assert.deepEqual(d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind} ${s.rules.length}`), twoFiles.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind} ${s.rules.length}`));
    // parseDump (ksd diff --rules, ksd trace --rules) reads the combined file too.
    const dump = parseDump(text);
    assert.ok(dump.kind === 'ipvs' && dump.side.ipsets?.size);
  }
  // Either part alone is not split.
  assert.equal(splitIpvsIpset(IPVS.text), undefined);
  assert.equal(splitIpvsIpset(SETS.text), undefined);
});

test('files that do not make one IPVS import are refused with a clear reason', () => {
  const cases: [{ name: string; text: string }[], RegExp][] = [
    [[SETS], /worker-1\.ipset holds ipset output, which only adds to an ipvsadm -Ln dump: pick the node's ipvsadm -Ln output with it/],
    [[IPVS, NFT], /pick one node's rules at a time \(worker-1\.ipvsadm, worker-1\.nft are all rule dumps\)/],
    [[NFT, SETS], /worker-1\.ipset holds ipset output, which goes with ipvsadm -Ln output; worker-1\.nft holds nftables rules/],
    [[IPVS, SETS, { ...SETS, name: 'again.ipset' }], /pick one file of ipset output \(got worker-1\.ipset, again\.ipset\)/],
    [[{ name: 'both.txt', text: `${IPVS.text}${SETS.text}` }, SETS], /both\.txt already holds the node's ipset output; worker-1\.ipset would be a second copy/],
    [[IPVS, { name: 'bad.ipset', text: 'create KUBE-X hash:ip\nadd KUBE-Y 1.2.3.4\n' }], /^bad\.ipset: line 2: "add KUBE-Y" before "create KUBE-Y"$/],
    [[{ name: 'bad.ipvsadm', text: 'IP Virtual Server version 1.2.1 (size=4096)\nTCP  10.0.0.1:80 rr\n  -> nonsense\n' }, SETS], /^bad\.ipvsadm: line 3: real server address "nonsense"/],
    [[], /^no file picked$/],
  ];
  for (const [files, re] of cases) {
    assert.throws(
      () => parseDumpFiles(files),
      (e: unknown) => e instanceof ImportedRulesError && re.test(e.message),
      files.map((f) => f.name).join(' + '),
    );
  }
});
