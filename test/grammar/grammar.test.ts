/**
 * TextMate grammar snapshots over fixtures (vue language-tools style): every fixture is tokenised with the
 * grammars package.json contributes, through vscode-textmate + oniguruma as VS Code does, and compared with
 * the committed snapshot. UPDATE_SNAPSHOTS=1 rewrites them. Targeted assertions pin the scopes that matter.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = path.join(ROOT, 'test/grammar/fixtures');
const SNAPSHOTS = path.join(ROOT, 'test/grammar/snapshots');

type Snapshot = (file: string) => Promise<string>;
let snapshot: Snapshot;

before(async () => {
  // An ES module: loaded with a real dynamic import from this CommonJS test.
  const mod = (await import('vscode-tmlanguage-snapshot')) as { createGrammarSnapshot: (pkg: string) => Promise<Snapshot> };
  snapshot = await mod.createGrammarSnapshot(path.join(ROOT, 'package.json'));
});

/** The scopes of the first token on the line starting with `line` whose text is `text`. */
function scopesOf(snap: string, line: string, text: string): string {
  const lines = snap.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`>${line}`));
  assert.ok(at >= 0, `line ${line} not in snapshot`);
  const src = lines[at]!.slice(1);
  const col = src.indexOf(text);
  assert.ok(col >= 0, `${text} not on line`);
  for (let i = at + 1; i < lines.length && lines[i]!.startsWith('#'); i++) {
    const m = /^#(\s*)(\^+)\s+(.*)$/.exec(lines[i]!);
    if (m && m[1]!.length === col && m[2]!.length === text.length) return m[3]!;
  }
  assert.fail(`no token exactly "${text}" at column ${col} on line ${line}`);
}

for (const fixture of readdirSync(FIXTURES).sort()) {
  test(`snapshot: ${fixture}`, async () => {
    const got = await snapshot(path.join(FIXTURES, fixture));
    const file = path.join(SNAPSHOTS, `${fixture}.snap`);
    if (process.env['UPDATE_SNAPSHOTS'] === '1') {
      mkdirSync(SNAPSHOTS, { recursive: true });
      writeFileSync(file, got);
    }
    assert.ok(existsSync(file), `no snapshot for ${fixture}: run with UPDATE_SNAPSHOTS=1 and review it`);
    assert.equal(got, readFileSync(file, 'utf8'));
  });
}

test('iptables-save: tables, chain declarations, chains, targets, comments, addresses, probabilities', async () => {
  const s = await snapshot(path.join(FIXTURES, 'kube-services.rules'));
  assert.match(scopesOf(s, '*nat', 'nat'), /entity\.name\.type\.table/);
  assert.match(scopesOf(s, ':KUBE-SERVICES', 'KUBE-SERVICES'), /entity\.name\.function\.chain/);
  assert.match(scopesOf(s, '-A KUBE-SERVICES -d', '-j'), /keyword\.control\.jump/);
  assert.match(scopesOf(s, '-A KUBE-SERVICES -d', 'KUBE-SVC-EZC6WLOVQADP4IAW'), /entity\.name\.function\.target/);
  assert.match(scopesOf(s, '-A KUBE-SERVICES -d', '10.96.0.10/32'), /constant\.other\.ip-address/);
  assert.match(scopesOf(s, '-A KUBE-SERVICES -d', '"default/simpleservice cluster IP"'), /string\.quoted\.double/);
  assert.match(scopesOf(s, '-A KUBE-SVC-EZC6WLOVQADP4IAW ! -s', '!'), /keyword\.operator\.negation/);
  assert.match(scopesOf(s, '-A KUBE-SVC-EZC6WLOVQADP4IAW -m comment', '0.50000000000'), /constant\.numeric/);
  assert.match(scopesOf(s, '-A KUBE-SEP-ABCDEFGHIJKLMNOP', '10.244.1.5:9376'), /constant\.other\.ip-address/);
  assert.match(scopesOf(s, '-A KUBE-MARK-MASQ', '0x4000/0x4000'), /constant\.numeric\.hex/);
  assert.match(scopesOf(s, 'COMMIT', 'COMMIT'), /keyword\.control\.commit/);
  assert.match(scopesOf(s, '# Generated', '#'), /comment\.line/);
  // A comment text that looks like a chain or an address stays a string.
  assert.doesNotMatch(scopesOf(s, '-A KUBE-SVC-EZC6WLOVQADP4IAW -m comment', '"default/simpleservice -> 10.244.1.5:9376"'), /ip-address/);
});

test('iptables listing: chain headers with policy or references, counters, rule comments, dpt, to:', async () => {
  const s = await snapshot(path.join(FIXTURES, 'nat-listing.iptables-list'));
  assert.match(scopesOf(s, 'Chain PREROUTING', 'PREROUTING'), /entity\.name\.function\.chain/);
  assert.match(scopesOf(s, 'Chain PREROUTING', 'ACCEPT'), /support\.constant\.policy/);
  assert.match(scopesOf(s, 'Chain KUBE-SERVICES (2', '2'), /constant\.numeric\.references/);
  assert.match(scopesOf(s, '    0     0 KUBE-SVC-TCOU7JCQXEZGVUNU', 'KUBE-SVC-TCOU7JCQXEZGVUNU'), /entity\.name\.function\.target/);
  assert.match(scopesOf(s, '    0     0 KUBE-SVC-TCOU7JCQXEZGVUNU', 'udp'), /support\.type\.protocol/);
  assert.match(scopesOf(s, '    0     0 KUBE-SVC-TCOU7JCQXEZGVUNU', ' kube-system/kube-dns:dns cluster IP '), /comment\.block/);
  assert.match(scopesOf(s, '    0     0 KUBE-SVC-TCOU7JCQXEZGVUNU', '53'), /constant\.numeric\.port/);
  assert.match(scopesOf(s, '    0     0 KUBE-SEP-AAAAAAAAAAAAAAAA', '0.50000000000'), /constant\.numeric\.probability/);
  assert.match(scopesOf(s, '    0     0 DNAT', '10.244.0.2:53'), /constant\.other\.ip-address/);
  assert.match(scopesOf(s, ' pkts bytes target', ' pkts bytes target     prot opt in     out     source               destination'), /markup\.heading/);
});

test('nftables: tables, chains with slashes in names, hooks, verdict maps, sets, addresses', async () => {
  const s = await snapshot(path.join(FIXTURES, 'kube-proxy.nft'));
  assert.match(scopesOf(s, 'table ip kube-proxy', 'kube-proxy'), /entity\.name\.type\.table/);
  assert.match(scopesOf(s, '\tchain services', 'services'), /entity\.name\.function\.chain/);
  assert.match(scopesOf(s, '\t\ttype nat hook prerouting', 'prerouting'), /support\.constant\.hook/);
  assert.match(scopesOf(s, '\t\tip daddr . meta', '@service-ips'), /variable\.other\.set/);
  assert.match(scopesOf(s, '\t\tjump services', 'services'), /entity\.name\.function\.chain/);
  assert.match(scopesOf(s, '\t\tmeta l4proto tcp dnat', 'dnat'), /keyword\.control\.verdict/);
  assert.match(scopesOf(s, '\tcomment "rules', '"rules for kube-proxy"'), /string\.quoted\.double/);
  assert.match(scopesOf(s, '\t\tip daddr 10.96.0.10 tcp', '10.244.0.0/16'), /constant\.other\.ip-address/);
  assert.match(scopesOf(s, 'add rule ip kube-proxy services', 'services'), /entity\.name\.function\.chain/);
  assert.match(scopesOf(s, '# Rules', '#'), /comment\.line/);
});
