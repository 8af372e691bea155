/**
 * `ksd check --format sarif` against what the SARIF 2.1.0 schema requires of every object we emit (required
 * properties, no properties the schema does not define: it sets additionalProperties false, URI references,
 * 1-based regions, unique rules) and what GitHub code scanning reads (ruleId, message.text, a location with
 * a repository-relative URI and a startLine).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../../..');

type Obj = Record<string, unknown>;
/** Per schema definition: the properties it defines (those we may emit) and the ones it requires. */
const SCHEMA: Record<string, { props: string[]; required: string[] }> = {
  sarifLog: { props: ['$schema', 'version', 'runs', 'inlineExternalProperties', 'properties'], required: ['version', 'runs'] },
  run: { props: ['tool', 'results', 'columnKind', 'artifacts', 'invocations', 'originalUriBaseIds', 'properties'], required: ['tool'] },
  tool: { props: ['driver', 'extensions', 'properties'], required: ['driver'] },
  toolComponent: { props: ['name', 'fullName', 'version', 'semanticVersion', 'informationUri', 'rules', 'organization', 'properties'], required: ['name'] },
  reportingDescriptor: { props: ['id', 'name', 'shortDescription', 'fullDescription', 'defaultConfiguration', 'help', 'helpUri', 'properties'], required: ['id'] },
  reportingConfiguration: { props: ['enabled', 'level', 'rank', 'parameters', 'properties'], required: [] },
  multiformatMessageString: { props: ['text', 'markdown', 'properties'], required: ['text'] },
  result: { props: ['ruleId', 'ruleIndex', 'level', 'message', 'locations', 'relatedLocations', 'fixes', 'partialFingerprints', 'properties'], required: ['message'] },
  message: { props: ['text', 'markdown', 'id', 'arguments', 'properties'], required: [] },
  location: { props: ['id', 'physicalLocation', 'message', 'logicalLocations', 'annotations', 'relationships', 'properties'], required: [] },
  physicalLocation: { props: ['address', 'artifactLocation', 'region', 'contextRegion', 'properties'], required: [] },
  artifactLocation: { props: ['uri', 'uriBaseId', 'index', 'description', 'properties'], required: [] },
  region: { props: ['startLine', 'startColumn', 'endLine', 'endColumn', 'charOffset', 'charLength', 'byteOffset', 'byteLength', 'snippet', 'message', 'sourceLanguage', 'properties'], required: [] },
  fix: { props: ['description', 'artifactChanges', 'properties'], required: ['artifactChanges'] },
  artifactChange: { props: ['artifactLocation', 'replacements', 'properties'], required: ['artifactLocation', 'replacements'] },
  replacement: { props: ['deletedRegion', 'insertedContent', 'properties'], required: ['deletedRegion'] },
  artifactContent: { props: ['text', 'binary', 'rendered', 'properties'], required: [] },
};

function conform(def: string, v: unknown, where: string): Obj {
  assert.ok(v && typeof v === 'object' && !Array.isArray(v), `${where}: ${def} must be an object`);
  const o = v as Obj;
  const spec = SCHEMA[def]!;
  for (const k of Object.keys(o)) assert.ok(spec.props.includes(k), `${where}: ${def} has no property "${k}"`);
  for (const k of spec.required) assert.ok(o[k] !== undefined, `${where}: ${def} requires "${k}"`);
  return o;
}

function list(v: unknown, where: string, minItems = 0): unknown[] {
  assert.ok(Array.isArray(v), `${where} must be an array`);
  assert.ok(v.length >= minItems, `${where} needs at least ${minItems} item(s)`);
  return v;
}

/** RFC 3986 URI reference: only unreserved, reserved and percent-encoded characters. */
function uriReference(uri: unknown, where: string): void {
  assert.equal(typeof uri, 'string', where);
  assert.match(uri as string, /^([A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$/, `${where}: "${String(uri)}" is not a URI reference`);
}

function region(v: unknown, where: string): void {
  const r = conform('region', v, where);
  for (const k of ['startLine', 'startColumn', 'endLine', 'endColumn']) if (r[k] !== undefined) assert.ok(Number.isInteger(r[k]) && (r[k] as number) >= 1, `${where}.${k} must be an integer >= 1`);
  assert.ok(r.startLine !== undefined, `${where}: GitHub needs startLine`);
  const endLine = (r.endLine ?? r.startLine) as number;
  assert.ok(endLine >= (r.startLine as number), `${where}: endLine before startLine`);
  if (endLine === r.startLine && r.endColumn !== undefined) assert.ok((r.endColumn as number) >= ((r.startColumn as number) ?? 1), `${where}: endColumn before startColumn`);
}

function physical(v: unknown, where: string): Obj {
  const p = conform('physicalLocation', v, where);
  const a = conform('artifactLocation', p.artifactLocation, `${where}.artifactLocation`);
  uriReference(a.uri, `${where}.artifactLocation.uri`);
  if (p.region !== undefined) region(p.region, `${where}.region`);
  return a;
}

function validate(log: unknown): { uris: string[]; results: Obj[] } {
  const l = conform('sarifLog', log, 'log');
  assert.equal(l.version, '2.1.0');
  const runs = list(l.runs, 'runs', 1);
  const uris: string[] = [];
  const results: Obj[] = [];
  for (const [ri, runV] of runs.entries()) {
    const run = conform('run', runV, `runs[${ri}]`);
    if (run.columnKind !== undefined) assert.ok(['utf16CodeUnits', 'unicodeCodePoints'].includes(run.columnKind as string));
    const driver = conform('toolComponent', conform('tool', run.tool, 'tool').driver, 'driver');
    const rules = list(driver.rules ?? [], 'rules').map((r, i) => conform('reportingDescriptor', r, `rules[${i}]`));
    const ids = rules.map((r) => r.id as string);
    assert.equal(new Set(ids).size, ids.length, 'rule ids are unique (rules has uniqueItems)');
    for (const [i, r] of rules.entries()) {
      for (const k of ['shortDescription', 'fullDescription']) if (r[k] !== undefined) conform('multiformatMessageString', r[k], `rules[${i}].${k}`);
      if (r.defaultConfiguration !== undefined) assert.ok(['none', 'note', 'warning', 'error'].includes(conform('reportingConfiguration', r.defaultConfiguration, 'defaultConfiguration').level as string));
    }
    for (const [i, resV] of list(run.results, 'results').entries()) {
      const w = `results[${i}]`;
      const res = conform('result', resV, w);
      results.push(res);
      assert.equal(typeof conform('message', res.message, `${w}.message`).text, 'string', `${w}: GitHub needs message.text`);
      assert.equal(typeof res.ruleId, 'string', `${w}: GitHub needs ruleId`);
      if (res.ruleIndex !== undefined) assert.equal(ids[res.ruleIndex as number], res.ruleId, `${w}.ruleIndex points at its rule`);
      assert.ok(['none', 'note', 'warning', 'error'].includes(res.level as string), `${w}.level`);
      for (const [j, loc] of list(res.locations, `${w}.locations`, 1).entries()) uris.push(physical(conform('location', loc, `${w}.locations[${j}]`).physicalLocation, `${w}.locations[${j}].physicalLocation`).uri as string);
      for (const [j, loc] of list(res.relatedLocations ?? [], `${w}.relatedLocations`).entries()) {
        const l2 = conform('location', loc, `${w}.relatedLocations[${j}]`);
        assert.ok(Number.isInteger(l2.id) && (l2.id as number) >= -1);
        physical(l2.physicalLocation, `${w}.relatedLocations[${j}].physicalLocation`);
      }
      for (const [j, fixV] of list(res.fixes ?? [], `${w}.fixes`).entries()) {
        const fix = conform('fix', fixV, `${w}.fixes[${j}]`);
        if (fix.description !== undefined) conform('message', fix.description, 'fix.description');
        for (const ch of list(fix.artifactChanges, `${w}.fixes[${j}].artifactChanges`, 1)) {
          const c = conform('artifactChange', ch, 'artifactChange');
          uriReference(conform('artifactLocation', c.artifactLocation, 'artifactChange.artifactLocation').uri, 'artifactChange uri');
          for (const rep of list(c.replacements, 'replacements', 1)) {
            const r = conform('replacement', rep, 'replacement');
            region(r.deletedRegion, 'deletedRegion');
            if (r.insertedContent !== undefined) conform('artifactContent', r.insertedContent, 'insertedContent');
          }
        }
      }
    }
  }
  return { uris, results };
}

const ksd = (args: string[], cwd: string, input?: string) => spawnSync(process.execPath, [path.join(root, 'bin/ksd.js'), ...args], { cwd, encoding: 'utf8', input });

test('SARIF for the bundled examples conforms to the 2.1.0 schema and carries what GitHub reads', () => {
  const r = ksd(['check', 'examples', '--format', 'sarif'], root);
  assert.equal(r.status, 1, r.stderr);
  const { uris, results } = validate(JSON.parse(r.stdout));
  assert.ok(results.length >= 10);
  assert.ok(uris.every((u) => u.startsWith('examples/mistakes/')), uris.join());
  assert.equal(JSON.parse(r.stdout).runs[0].columnKind, 'utf16CodeUnits');
});

test('SARIF URIs are percent-encoded: spaces, #, % and non-ASCII in file names, and stdin', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ksd-sarif-'));
  const svc = readFileSync(path.join(root, 'examples/mistakes/storefront.yaml'), 'utf8');
  writeFileSync(path.join(dir, 'my app #2 100%.yaml'), svc);
  writeFileSync(path.join(dir, 'café.yaml'), svc.replace(/name: storefront\b/g, 'name: storefront-b'));
  const r = ksd(['check', '.', '--format', 'sarif'], dir);
  const { uris } = validate(JSON.parse(r.stdout));
  assert.ok(uris.includes('my%20app%20%232%20100%25.yaml'), uris.join());
  assert.ok(uris.includes('caf%C3%A9.yaml'), uris.join());
  const s = ksd(['check', '-', '--format', 'sarif'], dir, svc);
  const fromStdin = validate(JSON.parse(s.stdout));
  assert.ok(fromStdin.uris.length > 0 && fromStdin.uris.every((u) => u === 'stdin'), fromStdin.uris.join());
});
