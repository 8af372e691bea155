import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

// `ksd diff` when a Service's endpoints all went (the manifests give none) or all came (the node still rejects).
const root = path.resolve(__dirname, '../../..');
const cluster = path.join(root, 'test/fixtures/trace/cluster.yaml');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });
const tmp = mkdtempSync(path.join(tmpdir(), 'ksd-diff-none-'));
const write = (name: string, text: string) => {
  const f = path.join(tmp, name);
  writeFileSync(f, text);
  return f;
};
/** shop/web selects no pod any more: no endpoints. */
const none = write('none.yaml', readFileSync(cluster, 'utf8').replace(/(name: web, namespace: shop\}\nspec:\n {2}clusterIP: 10\.96\.10\.10\n {2}selector: \{app: )web\}/, '$1gone}'));

interface Diff {
  missing: unknown[];
  extra: unknown[];
  stale: { service: string; endpoint: string; kind: string; rules: { table: string; chain: string; rule: string; line: number }[] }[];
  missingChains: string[];
  extraChains: string[];
}

test('the fixture edit leaves shop/web without endpoints', () => {
  assert.match(ksd('rules', none, '--node', 'worker-1').stdout, /shop\/web:http has no endpoints/);
});

for (const [mode, version] of [['iptables', '1.31'], ['iptables', '1.23'], ['nftables', '1.35'], ['nftables', '1.36']] as const) {
  test(`ksd diff ${mode} ${version}: endpoints all gone, or all come, are stale endpoints of shop/web:http, in JSON and text`, () => {
    const rules = (yaml: string, name: string) => write(name, ksd('rules', yaml, '--node', 'worker-1', '--mode', mode, '--kube-proxy-version', version, '--format', 'save').stdout);
    const some = rules(cluster, `some-${mode}-${version}`);
    const bare = rules(none, `none-${mode}-${version}`);
    for (const [manifests, dump, kind, words] of [
      [none, some, 'in-rules-only', "still in the node's rules, but no longer an endpoint"],
      [cluster, bare, 'expected-only', "an endpoint now, but not in the node's rules yet"],
    ] as const) {
      const r = ksd('diff', manifests, '--rules', dump, '--node', 'worker-1', '--kube-proxy-version', version, '--json');
      assert.equal(r.status, 1, r.stderr);
      const d = JSON.parse(r.stdout) as Diff;
      assert.deepEqual(Object.keys(d), ['missing', 'extra', 'stale', 'missingChains', 'extraChains']);
      assert.deepEqual([d.missing, d.extra, d.missingChains, d.extraChains], [[], [], [], []], r.stdout);
      assert.deepEqual(d.stale.map((s) => `${s.service} ${s.endpoint} ${s.kind}`), ['10.244.1.10:8080', '10.244.2.20:8080'].map((e) => `shop/web:http ${e} ${kind}`));
      for (const s of d.stale) {
        assert.deepEqual(Object.keys(s), ['service', 'endpoint', 'kind', 'rules']);
        // The no-endpoint form (REJECT rule or reject-chain element) is filed with the endpoint, from the side that has it.
        assert.ok(s.rules.some((x) => /has no endpoints.*REJECT|goto reject-chain/.test(x.rule)), JSON.stringify(s.rules));
      }
      const text = ksd('diff', manifests, '--rules', dump, '--node', 'worker-1', '--kube-proxy-version', version);
      assert.equal(text.status, 1);
      assert.match(text.stdout, /^Stale endpoints \(2\): kube-proxy on the node has not caught up with the Service's endpoints$/m);
      assert.ok(text.stdout.includes(`shop/web:http 10.244.1.10:8080: ${words}`), text.stdout);
      assert.doesNotMatch(text.stdout, /missing on the node|not expected|would not write/);
    }
  });
}
