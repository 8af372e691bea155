import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');
const ksd = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd: root, encoding: 'utf8' });

interface JsonDiag {
  file: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
}

/** Every `# planted: KSDnnn` comment names the code reported on the line right below it. */
function planted(): string[] {
  const dir = path.join(root, 'examples/mistakes');
  const out: string[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml')).sort()) {
    fs.readFileSync(path.join(dir, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = /#\s*planted:\s*(KSD\d{3})/.exec(line);
        if (m) out.push(`examples/mistakes/${f}:${i + 2}:${m[1]}`);
      });
  }
  return out.sort();
}

test('ksd check examples/ reports exactly the planted mistakes, and exits 1', () => {
  const r = ksd('check', 'examples/', '--format', 'json');
  assert.equal(r.status, 1, r.stderr);
  const diags = JSON.parse(r.stdout) as JsonDiag[];
  const got = diags.map((d) => `${path.relative(root, path.resolve(root, d.file))}:${d.range.start.line + 1}:${d.code}`).sort();
  const want = planted();
  assert.ok(want.length >= 10, `only ${want.length} planted mistakes`);
  assert.deepEqual(got, want);
});

test('--format json follows the contract: 0-based LSP ranges and exactly the documented keys', () => {
  const r = ksd('check', 'examples/mistakes/catalog.yaml', '--format', 'json');
  assert.equal(r.status, 1);
  const diags = JSON.parse(r.stdout) as JsonDiag[];
  assert.equal(diags.length, 1);
  const d = diags[0]!;
  assert.deepEqual(Object.keys(d), ['file', 'range', 'severity', 'code', 'message']);
  assert.deepEqual(d.range, { start: { line: 35, character: 16 }, end: { line: 35, character: 20 } });
  assert.equal(d.severity, 'error');
  assert.equal(d.code, 'KSD201');
  assert.match(d.message, /^targetPort "http" matches no container port name/);
});

test('--format sarif has the SARIF 2.1.0 shape, with rules for every check and fixes', () => {
  const r = ksd('check', 'examples/', '--format', 'sarif');
  assert.equal(r.status, 1);
  const log = JSON.parse(r.stdout) as {
    version: string;
    $schema: string;
    runs: { tool: { driver: { name: string; rules: { id: string; name?: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[]; fixes?: { artifactChanges: { replacements: unknown[] }[] }[] }[] }[];
  };
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif-2\.1\.0/);
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, 'ksd');
  const ids = run.tool.driver.rules.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const code of ['KSD101', 'KSD201', 'KSD211', 'KSD501', 'KSD601', 'KSD701']) assert.ok(ids.includes(code), code);
  assert.equal(run.results.length, planted().length);
  for (const res of run.results) {
    assert.equal(ids[res.ruleIndex], res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.ok(res.message.text.length > 20);
    const loc = res.locations[0]!.physicalLocation;
    assert.match(loc.artifactLocation.uri, /^examples\/mistakes\/[a-z-]+\.yaml$/);
    assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
  }
  assert.ok(run.results.some((x) => x.fixes?.[0]?.artifactChanges[0]?.replacements.length));
});

test('the other examples are clean: exit 0 and no diagnostics', () => {
  for (const dir of ['examples/simpleservice', 'examples/nginx', 'examples/webserver', 'examples/cluster']) {
    const r = ksd('check', dir, '--format', 'json');
    assert.equal(r.status, 0, `${dir}: ${r.stdout}${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout), [], dir);
  }
});

test('text output shows position, severity, code, related locations and fixes, then a summary', () => {
  const r = ksd('check', 'examples/mistakes/storefront.yaml');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^examples\/mistakes\/storefront\.yaml:37:10: warning KSD101: Selector app=storefrnt matches no pods/m);
  assert.match(r.stdout, /^ {4}examples\/mistakes\/storefront\.yaml:15:9: Deployment "storefront" labels its pods app=storefront,tier=web$/m);
  assert.match(r.stdout, /^ {4}fix: Change the selector to app=storefront$/m);
  assert.match(r.stdout, /1 file, 2 objects, 1 Service: 0 errors, 1 warning, 0 info\n$/);
});
