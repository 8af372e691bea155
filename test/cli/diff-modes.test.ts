import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

// `ksd diff` against nftables and IPVS node outputs of the two-node fixture cluster.
const root = path.resolve(__dirname, '../../..');
const cluster = path.join(root, 'test/fixtures/trace/cluster.yaml');
const fx = (name: string) => path.join(root, 'test/fixtures/rules', name);
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });
const tmp = mkdtempSync(path.join(tmpdir(), 'ksd-diff-modes-'));
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};
interface Row {
  table: string;
  chain: string;
  rule: string;
  line: number;
}
interface Diff {
  missing: Row[];
  extra: Row[];
  stale: { service: string; endpoint: string; kind: string; rules: Row[] }[];
  missingChains: string[];
  extraChains: string[];
}

test('ksd diff nftables: our transaction and our nft list view of the same node agree with the expected rules', () => {
  const txFile = write('w1.nft-tx', ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1').stdout);
  const listFile = write('w1.nft', ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1', '--format', 'save').stdout);
  for (const f of [txFile, listFile]) {
    const r = ksd('diff', cluster, '--rules', f, '--node', 'worker-1');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /match the expected ones \(\d+ chains, sets and maps of the kube-proxy table compared\)/);
  }
  // Two dumps compared directly (--expected), in either spelling.
  const dumps = ksd('diff', '--rules', listFile, '--expected', txFile);
  assert.equal(dumps.status, 0, dumps.stdout + dumps.stderr);
  // Another node's rules differ: its NodePort address and its Local-policy chain.
  const other = ksd('diff', cluster, '--rules', listFile, '--node', 'worker-2', '--json');
  assert.equal(other.status, 1);
  const d = JSON.parse(other.stdout) as Diff;
  assert.ok(d.missing.some((x) => x.chain === '@nodeport-ips' && x.rule === '192.168.0.12'));
  assert.ok(d.extra.some((x) => x.chain === '@nodeport-ips' && x.rule === '192.168.0.11'));
});

test('ksd diff nftables: a lagging node: stale endpoints, a missing map element, a hand-added rule; other tables ignored', () => {
  // The fixture is a 1.34-1.35 node (mark-for-masquerade chain, numgen vmaps).
  const r = ksd('diff', cluster, '--rules', fx('nft-worker-1.nft'), '--node', 'worker-1', '--kube-proxy-version', '1.35', '--json');
  assert.equal(r.status, 1, r.stderr);
  const d = JSON.parse(r.stdout) as Diff;
  assert.deepEqual(d.missing.map((x) => `${x.chain} ${x.rule}`), ['@service-ips 10.96.10.15 . tcp . 80 : goto service-LILVGSEM-shop/draining/tcp/http']);
  assert.deepEqual(d.extra.map((x) => `${x.chain} ${x.rule} @${x.line}`), ['services ip daddr 10.96.10.99 tcp dport 80 drop @120']);
  assert.deepEqual(d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind} ${s.rules.length}`), ['shop/web:http 10.244.2.19:8080 in-rules-only 3', 'shop/web:http 10.244.2.20:8080 expected-only 3']);
  // The fan-out rule naming the old endpoint is part of the stale report, not a separate extra rule.
  assert.ok(d.stale[0]!.rules.some((x) => x.rule.startsWith('numgen random mod 2 vmap')));
  assert.deepEqual([d.missingChains, d.extraChains], [[], []]);
  const text = ksd('diff', cluster, '--rules', fx('nft-worker-1.nft'), '--node', 'worker-1', '--kube-proxy-version', '1.35');
  assert.equal(text.status, 1);
  assert.match(text.stdout, /^Rules and elements missing on the node \(1\):\n {2}ip kube-proxy @service-ips: 10\.96\.10\.15 \. tcp \. 80 : goto /m);
  assert.match(text.stdout, /ip kube-proxy services: ip daddr 10\.96\.10\.99 tcp dport 80 drop {3}\(.*nft-worker-1\.nft line 120\)/);
  assert.match(text.stdout, /shop\/web:http 10\.244\.2\.19:8080: still in the node's rules, but no longer an endpoint \(3 entries\)/);
  assert.doesNotMatch(text.stdout, /INPUT|ip filter/);
});

test('ksd diff nftables 1.36: an endpoint kube-proxy has not caught up with is stale, not a dnat map rule missing plus one extra', () => {
  // The node's rules were written when web-b was still at 10.244.2.19; the manifests now have it at 10.244.2.20.
  const old = write('old-web-b.yaml', readFileSync(cluster, 'utf8').replace(/10\.244\.2\.20/g, '10.244.2.19'));
  const dump = write('w1-136.nft', ksd('rules', old, '--mode', 'nftables', '--node', 'worker-1', '--kube-proxy-version', '1.36', '--format', 'save').stdout);
  const r = ksd('diff', cluster, '--rules', dump, '--node', 'worker-1', '--kube-proxy-version', '1.36', '--json');
  assert.equal(r.status, 1, r.stderr);
  const d = JSON.parse(r.stdout) as Diff;
  assert.deepEqual([d.missing, d.extra, d.missingChains, d.extraChains], [[], [], [], []]);
  assert.deepEqual(
    d.stale.filter((s) => s.service === 'shop/web:http').map((s) => `${s.endpoint} ${s.kind} ${s.rules.map((x) => x.rule).join(' | ')}`),
    ['10.244.2.19:8080 in-rules-only meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.244.1.10 . 8080, 1 : 10.244.2.19 . 8080 }', '10.244.2.20:8080 expected-only meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 10.244.1.10 . 8080 , 1 : 10.244.2.20 . 8080 }'],
  );
  const text = ksd('diff', cluster, '--rules', dump, '--node', 'worker-1', '--kube-proxy-version', '1.36');
  assert.equal(text.status, 1);
  assert.match(text.stdout, /^Stale endpoints \(6\): /m);
  assert.match(text.stdout, /shop\/web:http 10\.244\.2\.19:8080: still in the node's rules, but no longer an endpoint \(1 entry\)/);
  assert.doesNotMatch(text.stdout, /missing on the node|not expected/);
});

test('ksd diff IPVS: ipvsadm -Ln plus ipset list of a lagging node', () => {
  const own = write('w1.ipvsadm', ksd('rules', cluster, '--mode', 'ipvs', '--format', 'ipvsadm', '--node', 'worker-1').stdout);
  const ownSets = write('w1.ipset', ksd('rules', cluster, '--mode', 'ipvs', '--format', 'ipset', '--node', 'worker-1').stdout);
  const same = ksd('diff', cluster, '--rules', own, '--ipset', ownSets, '--node', 'worker-1');
  assert.equal(same.status, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /virtual servers and ipsets compared/);

  const r = ksd('diff', cluster, '--rules', fx('ipvs-worker-1.ipvsadm'), '--ipset', fx('ipset-worker-1.list'), '--node', 'worker-1', '--json');
  assert.equal(r.status, 1, r.stderr);
  const d = JSON.parse(r.stdout) as Diff;
  assert.deepEqual(d.missingChains, ['ipvs/TCP 10.96.10.15:80']);
  assert.deepEqual(d.extraChains, ['ipvs/TCP 10.96.10.99:80']);
  assert.deepEqual(d.missing.map((x) => `${x.table} ${x.rule}`), ['ipvs TCP  10.96.10.15:80 rr', 'ipvs -> 10.244.1.77:8080 Masq 1', 'ipset 10.96.10.15,tcp:80']);
  assert.deepEqual(d.extra.map((x) => `${x.table} ${x.rule} @${x.line}`), ['ipvs TCP  10.96.10.99:80 rr @16', 'ipvs -> 10.244.2.31:8080 Masq 1 @17', 'ipset 10.96.10.99,tcp:80 @22']);
  // The old local pod is still a real server (draining at weight 0) and in KUBE-LOOP-BACK; the new one is not there yet.
  assert.deepEqual(
    d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind}: ${s.rules.map((x) => x.rule).join(' | ')}`),
    ['shop/web:http 10.244.1.9:8080 in-rules-only: -> 10.244.1.9:8080 Masq 0 | 10.244.1.9,tcp:8080,10.244.1.9', 'shop/web:http 10.244.2.20:8080 expected-only: -> 10.244.2.20:8080 Masq 1'],
  );
  // Without --ipset only the IPVS table is compared.
  const noSets = JSON.parse(ksd('diff', cluster, '--rules', fx('ipvs-worker-1.ipvsadm'), '--node', 'worker-1', '--json').stdout) as Diff;
  assert.ok(!noSets.missing.some((x) => x.table === 'ipset'));
  // A scheduler or persistence change shows the virtual server line on both sides.
  const sticky = write('sticky.ipvsadm', readFileSync(own, 'utf8').replace('TCP  10.96.10.11:80 rr persistent 10800', 'TCP  10.96.10.11:80 rr'));
  const s = JSON.parse(ksd('diff', cluster, '--rules', sticky, '--node', 'worker-1', '--json').stdout) as Diff;
  assert.deepEqual([s.missing.map((x) => x.rule), s.extra.map((x) => x.rule)], [['TCP  10.96.10.11:80 rr persistent 10800'], ['TCP  10.96.10.11:80 rr']]);
});

test('ksd diff IPVS: one file holding ipvsadm -Ln and ipset list output reads as --rules plus --ipset', () => {
  const both = write('both.txt', `${readFileSync(fx('ipvs-worker-1.ipvsadm'), 'utf8')}${readFileSync(fx('ipset-worker-1.list'), 'utf8')}`);
  const two = JSON.parse(ksd('diff', cluster, '--rules', fx('ipvs-worker-1.ipvsadm'), '--ipset', fx('ipset-worker-1.list'), '--node', 'worker-1', '--json').stdout) as Diff;
  const one = ksd('diff', cluster, '--rules', both, '--node', 'worker-1', '--json');
  assert.equal(one.status, 1, one.stderr);
  const d = JSON.parse(one.stdout) as Diff;
  const rules = (x: Diff) => [...x.missing, ...x.extra].map((r) => `${r.table} ${r.rule}`);
  assert.deepEqual(rules(d), rules(two));
  assert.ok(d.missing.some((x) => x.table === 'ipset'));
  // The ipset rows' lines are those of the combined file, and the text names it.
  const ipvsLines = readFileSync(fx('ipvs-worker-1.ipvsadm'), 'utf8').split('\n').length - 1;
  assert.equal(d.extra.find((x) => x.table === 'ipset')!.line, two.extra.find((x) => x.table === 'ipset')!.line + ipvsLines);
  assert.match(ksd('diff', cluster, '--rules', both, '--node', 'worker-1').stdout, /ipset KUBE-CLUSTER-IP: 10\.96\.10\.99,tcp:80 {3}\(.*both\.txt line \d+\)/);
  const twice = ksd('diff', cluster, '--rules', both, '--ipset', fx('ipset-worker-1.list'), '--node', 'worker-1');
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /both\.txt already holds the node's ipset output; leave out --ipset/);
});

test('ksd diff: clear errors for mismatched or unreadable inputs', () => {
  const cases: [string[], RegExp][] = [
    [['diff', cluster, '--rules', fx('nft-worker-1.nft'), '--ipset', fx('ipset-worker-1.list')], /--ipset goes with ipvsadm -Ln output/],
    [['diff', cluster, '--rules', fx('ipset-worker-1.list')], /holds ipset output; pass it as --ipset FILE/],
    [['diff', '--rules', fx('nft-worker-1.nft'), '--expected', fx('ipvs-worker-1.ipvsadm')], /--expected holds ipvs rules but --rules holds nft rules/],
    [['diff', cluster, '--rules', fx('ipvs-worker-1.ipvsadm'), '--ipset', write('bad.ipset', 'add KUBE-X 1.2.3.4\n')], /bad\.ipset: line 1: "add KUBE-X" before "create KUBE-X"/],
    [['diff', cluster, '--rules', fx('nft-worker-1.nft'), '--kube-proxy-version', '1.29'], /kube-proxy 1\.29's nftables mode \(alpha\)/],
    [['diff', cluster, '--rules', write('bad.nft', 'table ip kube-proxy {\n\tchain x {\n')], /bad\.nft: line/],
  ];
  for (const [args, re] of cases) {
    const r = ksd(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.notEqual(r.status, 1, `${args.join(' ')}: exit 1 is "differs"`);
    assert.match(r.stderr, re);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  }
});

test('ksd diff iptables on a v1.22 node: kubelet\'s chains are expected in iptables-save output, not in a restore payload', () => {
  const restore = write('v122.restore', ksd('rules', cluster, '--node', 'worker-1', '--kube-proxy-version', '1.22').stdout);
  const save = ksd('rules', cluster, '--node', 'worker-1', '--kube-proxy-version', '1.22', '--format', 'save').stdout;
  for (const f of [restore, write('v122.save', save)]) {
    const r = ksd('diff', cluster, '--rules', f, '--node', 'worker-1', '--kube-proxy-version', '1.22');
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
  // A node whose kubelet no longer marks packets for dropping: the rule is reported missing.
  const noDrop = write('v122-nodrop.save', save.replace('-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000\n', ''));
  const d = JSON.parse(ksd('diff', cluster, '--rules', noDrop, '--node', 'worker-1', '--kube-proxy-version', '1.22', '--json').stdout) as Diff;
  assert.deepEqual(d.missing.map((x) => `${x.table} ${x.rule}`), ['nat -A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000']);
});

test('nftables and IPVS versions outside the modelled layouts are refused by rules, trace and diff alike', () => {
  const refused: [string[], RegExp][] = [
    [['rules', cluster, '--mode', 'nftables', '--kube-proxy-version', '1.30'], /1\.30's nftables mode \(alpha\)/],
    [['rules', cluster, '--mode', 'nftables', '--kube-proxy-version', '1.37'], /#140723/],
    [['trace', cluster, '--mode', 'nftables', '--kube-proxy-version', '1.37.1', '--from', '10.244.2.99', '--to', '10.96.10.10:80'], /1\.37's nftables rules are not modelled/],
    [['rules', cluster, '--mode', 'nftables', '--kube-proxy-version', '1.38'], /newest release we have evidence for is 1\.37/],
    [['trace', cluster, '--mode', 'ipvs', '--kube-proxy-version', '1.25', '--from', '10.244.2.99', '--to', '10.96.10.10:80'], /1\.25's IPVS helper rules .* not modelled/],
    [['diff', cluster, '--rules', fx('nft-worker-1.nft'), '--kube-proxy-version', '1.37'], /#138427/],
    [['diff', cluster, '--rules', fx('ipvs-worker-1.ipvsadm'), '--kube-proxy-version', '1.20'], /1\.20's IPVS helper rules/],
  ];
  for (const [args, re] of refused) {
    const r = ksd(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
  }
  for (const v of ['1.31', '1.33.4', '1.34', '1.35.2', '1.36', 'v1.36.2']) {
    const r = ksd('trace', cluster, '--mode', 'nftables', '--kube-proxy-version', v, '--from', '10.244.2.99', '--to', '10.96.10.10:80');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^DNAT/);
  }
});

test('ksd rules/trace/diff --mode nftables follow --kube-proxy-version: the v1.31-v1.33 layout round-trips through diff', () => {
  const old = ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1', '--kube-proxy-version', '1.32');
  assert.equal(old.status, 0, old.stderr);
  assert.match(old.stdout, /^add chain ip kube-proxy filter-output-post-dnat \{ type filter hook output priority -90 ; \}$/m);
  assert.match(old.stdout, /^add rule ip kube-proxy service-\S+ ip daddr 10\.96\.10\.10 tcp dport 80 /m);
  const cur = ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1');
  assert.doesNotMatch(cur.stdout, /filter-output-post-dnat|tcp dport 80 /);
  const save = ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1', '--kube-proxy-version', '1.32', '--format', 'save');
  assert.match(save.stdout, /chain filter-input \{\n\t\ttype filter hook input priority -110; policy accept;/);
  for (const [name, text] of [['v132.nft', old.stdout], ['v132-list.nft', save.stdout]] as const) {
    const f = write(name, text);
    assert.equal(ksd('diff', cluster, '--rules', f, '--node', 'worker-1', '--kube-proxy-version', '1.32').status, 0, name);
    // Against the default (newest, 1.36) layout or a named later one the old node's rules differ, and the output says why.
    const d = ksd('diff', cluster, '--rules', f, '--node', 'worker-1');
    assert.equal(d.status, 1, name);
    assert.match(d.stdout, /Note: the node's table has the layout of kube-proxy v1\.31-v1\.33 \(base chain filter-prerouting .*compared with the v1\.36 layout; pass --kube-proxy-version 1\.33/);
    const d135 = ksd('diff', cluster, '--rules', f, '--node', 'worker-1', '--kube-proxy-version', '1.35');
    assert.match(d135.stdout, /Note: the node's table has the layout of kube-proxy v1\.31-v1\.33 \(base chain filter-prerouting .*compared with the v1\.34-v1\.35 layout; pass --kube-proxy-version 1\.33/);
    assert.doesNotMatch(ksd('diff', cluster, '--rules', f, '--node', 'worker-1', '--json').stdout, /Note:/);
  }
});

test('ksd rules/trace/diff --mode nftables --kube-proxy-version 1.36: the inline-masquerade layout renders, traces and round-trips through diff', () => {
  const tx = ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1', '--kube-proxy-version', '1.36');
  assert.equal(tx.status, 0, tx.stderr);
  assert.match(tx.stdout, /^add set ip kube-proxy hairpin-connections \{ type ipv4_addr \. ipv4_addr \. inet_proto \. inet_service ; comment "service hairpin connections" ; \}$/m);
  assert.match(tx.stdout, /^add rule ip kube-proxy service-\S+ meta l4proto tcp dnat ip addr \. port to numgen random mod \d+ map \{ 0 : /m);
  assert.doesNotMatch(tx.stdout, /mark-for-masquerade/);
  const save = ksd('rules', cluster, '--mode', 'nftables', '--node', 'worker-1', '--kube-proxy-version', 'v1.36.2', '--format', 'save');
  assert.equal(save.status, 0, save.stderr);
  assert.match(save.stdout, /\tset hairpin-connections \{\n\t\ttype ipv4_addr \. ipv4_addr \. inet_proto \. inet_service\n\t\tcomment "service hairpin connections"/);
  assert.match(save.stdout, /meta l4proto tcp dnat ip to numgen random mod \d+ map \{ 0 : /);
  const tr = ksd('trace', cluster, '--mode', 'nftables', '--kube-proxy-version', '1.36', '--node', 'worker-1', '--from', '10.244.2.99', '--to', '10.96.10.10:80');
  assert.equal(tr.status, 0, tr.stderr);
  assert.match(tr.stdout, /DNAT/);
  for (const [name, text] of [['v136.nft', tx.stdout], ['v136-list.nft', save.stdout]] as const) {
    const f = write(name, text);
    const same = ksd('diff', cluster, '--rules', f, '--node', 'worker-1', '--kube-proxy-version', '1.36');
    assert.equal(same.status, 0, `${name}: ${same.stdout}${same.stderr}`);
    // 1.36 is the default layout when neither the user nor the cluster names a version.
    assert.equal(ksd('diff', cluster, '--rules', f, '--node', 'worker-1').status, 0, name);
    const d = ksd('diff', cluster, '--rules', f, '--node', 'worker-1', '--kube-proxy-version', '1.35');
    assert.equal(d.status, 1, name);
    assert.match(d.stdout, /Note: the node's table has the layout of kube-proxy v1\.36 \(set hairpin-connections, no single-endpoint dnat\), but was compared with the v1\.34-v1\.35 layout; pass --kube-proxy-version 1\.36/);
  }
});
