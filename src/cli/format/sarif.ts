/** SARIF 2.1.0 output for `ksd check --format sarif` (GitHub code scanning and friends). */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ALL_CHECKS, type Diagnostic } from '../../core';

const LEVEL = { error: 'error', warning: 'warning', info: 'note', hint: 'note' } as const;

export function toSarif(diags: readonly Diagnostic[], version: string, cwd = process.cwd()): object {
  const rules = new Map<string, object>();
  for (const c of ALL_CHECKS) {
    rules.set(c.code, { id: c.code, name: c.id, shortDescription: { text: c.title }, fullDescription: { text: c.description }, defaultConfiguration: { level: LEVEL[c.defaultSeverity] } });
  }
  for (const d of diags) if (!rules.has(d.code)) rules.set(d.code, { id: d.code, shortDescription: { text: d.code } });
  const ruleIds = [...rules.keys()];
  // A URI reference (RFC 3986), as SARIF requires: a relative path's segments are percent-encoded, so a file
  // named "my app#2.yaml" or "<stdin>" does not turn into a fragment or an invalid URI.
  const uri = (file: string) => {
    if (file === '<stdin>') return 'stdin';
    const rel = path.relative(cwd, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).map(encodeURIComponent).join('/') : pathToFileURL(path.resolve(file)).href;
  };
  const region = (r: Diagnostic['range']) => ({ startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ksd', fullName: 'Kubernetes Service Debugger', version, informationUri: 'https://github.com/kube-service-debugger', rules: [...rules.values()] } },
        // Our columns count UTF-16 code units (LSP's default), said outright rather than left to a default.
        columnKind: 'utf16CodeUnits',
        results: diags.map((d) => ({
          ruleId: d.code,
          ruleIndex: ruleIds.indexOf(d.code),
          level: LEVEL[d.severity],
          message: { text: d.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: uri(d.file) }, region: region(d.range) } }],
          relatedLocations: d.related?.map((r, i) => ({ id: i, message: { text: r.message }, physicalLocation: { artifactLocation: { uri: uri(r.location.file) }, region: region(r.location.range) } })),
          // SARIF wants at least one change per fix: a fix without edits (none today) is left out.
          fixes: d.fixes?.filter((f) => f.edits.length).map((f) => ({
            description: { text: f.title },
            artifactChanges: groupEdits(f.edits).map(([file, edits]) => ({
              artifactLocation: { uri: uri(file) },
              replacements: edits.map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
            })),
          })),
        })),
      },
    ],
  };
}

function groupEdits<T extends { file: string }>(edits: readonly T[]): [string, T[]][] {
  const m = new Map<string, T[]>();
  for (const e of edits) m.set(e.file, [...(m.get(e.file) ?? []), e]);
  return [...m];
}
