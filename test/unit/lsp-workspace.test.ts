import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { DEFAULT_LOAD_OPTIONS, loadManifest, rangeOf } from '../../src/core';
import { normalizeSettings, parseNodePortRange } from '../../src/protocol/settings';
import { envVariables } from '../../src/server/features/serviceFacts';
import { blockMap, cursorContext, documentHeader } from '../../src/server/features/yamlContext';
import { globToRegExp, PathFilter } from '../../src/server/workspace/glob';
import { IncrementalManifest } from '../../src/server/workspace/incrementalManifest';
import { buildClusterState } from '../../src/core';

const doc = (name: string, extra = '') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
  - port: 80${extra}
`;

test('incremental loading re-parses only the changed document and gives the same ranges as a full load', () => {
  const text = ['# header', doc('a'), doc('b'), doc('c')].join('\n---\n');
  const inc = new IncrementalManifest('f.yaml');
  const first = inc.update(text, DEFAULT_LOAD_OPTIONS);
  assert.deepEqual(first.stats, { documents: 3, reparsed: 3, compared: 3 });
  // Insert lines above document b and change b: a is reused, c is reused but shifted down.
  const edited = text.replace('# header', '# header\n# more\n# lines').replace('app: b', 'app: bee\n    tier: x');
  const second = inc.update(edited, DEFAULT_LOAD_OPTIONS);
  assert.deepEqual(second.stats, { documents: 3, reparsed: 1, compared: 3 });
  const full = loadManifest('f.yaml', edited);
  assert.equal(second.manifest.objects.length, full.objects.length);
  second.manifest.objects.forEach((o, i) => {
    const f = full.objects[i]!;
    for (const p of [['metadata', 'name'], ['spec', 'selector', 'app'], ['spec', 'ports', 0, 'port']]) assert.deepEqual(rangeOf(o.source!, p), rangeOf(f.source!, p), `${o.name} ${p.join('.')}`);
    assert.deepEqual(o.object, f.object);
  });
});

test('incremental loading builds no node tree until a position is asked for, then the same ranges as a full load', () => {
  const text = [doc('a'), doc('b')].join('\n---\n');
  const inc = new IncrementalManifest('f.yaml');
  const objects = inc.update(text, DEFAULT_LOAD_OPTIONS).manifest.objects;
  for (const o of objects) assert.equal(typeof Object.getOwnPropertyDescriptor(o.source!, 'node')!.get, 'function', `${o.name}: source still lazy`);
  const full = loadManifest('f.yaml', text);
  objects.forEach((o, i) => assert.deepEqual(rangeOf(o.source!, ['spec', 'selector', 'app']), rangeOf(full.objects[i]!.source!, ['spec', 'selector', 'app'])));
});

test('incremental loading shifts load diagnostics of reused documents', () => {
  const text = `${doc('a')}---\nkind: [\n`;
  const inc = new IncrementalManifest('f.yaml');
  const a = inc.update(text, DEFAULT_LOAD_OPTIONS).manifest.diagnostics;
  const b = inc.update('# one more line\n' + text, DEFAULT_LOAD_OPTIONS).manifest.diagnostics;
  assert.equal(b[0]!.range.start.line, a[0]!.range.start.line + 1);
  assert.deepEqual(b.map((d) => d.code), loadManifest('f.yaml', '# one more line\n' + text).diagnostics.map((d) => d.code));
});

test('incremental loading handles the size limit and Helm templates like the core loader', () => {
  const inc = new IncrementalManifest('f.yaml');
  const big = inc.update(doc('a').repeat(10), { ...DEFAULT_LOAD_OPTIONS, maxBytes: 100 });
  assert.equal(big.manifest.skipped, 'too-large');
  const helm = inc.update('kind: Service\nmetadata:\n  name: {{ .Values.name }}\n', DEFAULT_LOAD_OPTIONS);
  assert.equal(helm.manifest.skipped, 'helm-template');
});

const pick = (c: { partialStart: number; wordEnd: number; quote?: string; colonAfter: boolean }) => [c.partialStart, c.wordEnd, c.quote, c.colonAfter];

test('cursor context reads the YAML path from lines, in block maps and sequences', () => {
  const text = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\nspec:\n  selector:\n    app: we\n  ports:\n  - name: http\n    targetPort: ht\n- bad\n';
  assert.deepEqual(cursorContext(text, 6, 11), { path: ['spec', 'selector'], mode: 'value', key: 'app', partial: 'we', partialStart: 9, wordEnd: 11, quote: undefined, colonAfter: false, docLines: text.split('\n'), line: 6 });
  // Mid-word: the word runs on past the cursor (to the closing quote when quoted); a key notes its colon.
  assert.deepEqual(pick(cursorContext(text, 6, 10)!), [9, 11, undefined, false]);
  assert.deepEqual(pick(cursorContext(text.replace('app: we', "app: 'we x'"), 6, 11)!), [10, 14, "'", false]);
  assert.deepEqual(pick(cursorContext(text, 6, 5)!), [4, 7, undefined, true]);
  const tp = cursorContext(text, 9, 18)!;
  assert.deepEqual([tp.path, tp.mode, tp.key, tp.partial], [['spec', 'ports', '-'], 'value', 'targetPort', 'ht']);
  const k = cursorContext(text, 6, 6)!;
  assert.deepEqual([k.path, k.mode, k.partial], [['spec', 'selector'], 'key', 'ap']);
  const item = cursorContext(text, 8, 6)!;
  assert.deepEqual([item.path, item.mode], [['spec', 'ports', '-'], 'key']);
  // Compact sequences (items at the parent's indentation).
  const compact = 'spec:\n  ports:\n  - port: 80\n    targetPort: \n';
  assert.deepEqual(cursorContext(compact, 3, 16)!.path, ['spec', 'ports', '-']);
  assert.equal(cursorContext(text, 99, 0), undefined);
});

test('document header and block maps are read from lines', () => {
  const lines = 'kind: Service # svc\nmetadata:\n  name: "web"\n  namespace: prod\n  labels:\n    name: not-this\nspec:\n  selector:\n    app: web\n    tier: "front"\n  ports: []\n'.split('\n');
  assert.deepEqual(documentHeader(lines), { kind: 'Service', namespace: 'prod', name: 'web' });
  assert.deepEqual(blockMap(lines, ['spec', 'selector']), { app: 'web', tier: 'front' });
  assert.deepEqual(blockMap(lines, ['spec', 'nothing']), {});
});

test('globs for ignored paths', () => {
  assert.ok(globToRegExp('vendor/**').test('vendor/a/b.yaml'));
  assert.ok(!globToRegExp('vendor/**').test('src/vendor.yaml'));
  assert.ok(globToRegExp('*.tmpl.yaml').test('deep/dir/x.tmpl.yaml'));
  assert.ok(globToRegExp('charts/*/templates').test('charts/web/templates/svc.yaml'));
  assert.ok(globToRegExp('**/*.{yml,json}').test('a/b.json'));
  assert.ok(!globToRegExp('**/*.{yml,json}').test('a/b.yaml'));
  const f = new PathFilter(['build/']);
  assert.ok(f.ignores('node_modules/x.yaml'));
  assert.ok(f.ignores('a/.git/config.yaml'));
  assert.ok(f.ignores('build/out.yaml'));
  assert.ok(!f.ignores('k8s/svc.yaml'));
});

test('settings are normalised: wrong types fall back to defaults, never throw', () => {
  assert.deepEqual(normalizeSettings(undefined).nodePortRange, '30000-32767');
  const s = normalizeSettings({ proxy: { mode: 'ipvs', version: '1.31' }, checks: { KSD101: 'off', KSD102: 'loud' }, ignoredPaths: ['a', 3, ''], maxFileSize: 'big', nodePortRange: '9-1' });
  assert.deepEqual(s.proxy, { mode: 'ipvs', version: '1.31' });
  assert.deepEqual(s.checks, { KSD101: 'off' });
  assert.deepEqual(s.ignoredPaths, ['a']);
  assert.equal(s.maxFileSize, 2 * 1024 * 1024);
  assert.equal(s.nodePortRange, '30000-32767');
  assert.deepEqual(normalizeSettings([1, 2]), normalizeSettings({}));
  assert.deepEqual(parseNodePortRange('1000-2000'), { min: 1000, max: 2000 });
  assert.equal(parseNodePortRange('0-70000'), undefined);
});

test('service environment variables follow the kubelet naming', () => {
  const file = loadManifest('s.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: my-db}\nspec:\n  clusterIP: 10.96.0.9\n  ports:\n  - {name: pg-main, port: 5432}\n  - {port: 53, protocol: UDP}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: headless}\nspec: {clusterIP: None, ports: [{port: 1}]}\n');
  const state = buildClusterState(file.objects);
  const env = envVariables(state.services[0]!);
  assert.deepEqual(
    env.map((e) => `${e.name}=${e.value}`),
    [
      'MY_DB_SERVICE_HOST=10.96.0.9',
      'MY_DB_SERVICE_PORT=5432',
      'MY_DB_SERVICE_PORT_PG_MAIN=5432',
      'MY_DB_PORT=tcp://10.96.0.9:5432',
      'MY_DB_PORT_5432_TCP=tcp://10.96.0.9:5432',
      'MY_DB_PORT_5432_TCP_PROTO=tcp',
      'MY_DB_PORT_5432_TCP_PORT=5432',
      'MY_DB_PORT_5432_TCP_ADDR=10.96.0.9',
      'MY_DB_PORT_53_UDP=udp://10.96.0.9:53',
      'MY_DB_PORT_53_UDP_PROTO=udp',
      'MY_DB_PORT_53_UDP_PORT=53',
      'MY_DB_PORT_53_UDP_ADDR=10.96.0.9',
    ],
  );
  assert.deepEqual(envVariables(state.services[1]!), []);
});
