/** Core results -> LSP types. */
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { Diagnostic } from '../../core';
import { pathToUri } from '../workspace/uri';

const SEVERITY: Record<Diagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The README shipped next to the bundle (dist/../README.md) documents every code; links work offline. */
function findReadme(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const f = path.join(dir, 'README.md');
    if (existsSync(f) && existsSync(path.join(dir, 'package.json'))) return pathToUri(f);
    dir = path.dirname(dir);
  }
  return undefined;
}
const README = findReadme();

/**
 * LSP diagnostics by the core diagnostic they came from. Kept findings are the same objects edit after
 * edit, so a publish converts only the new ones, and the same LSP objects let the message encoder reuse
 * their JSON (publishEncoding.ts). Neither is changed once made.
 */
const converted = new WeakMap<Diagnostic, LspDiagnostic>();

/** `toLspDiagnostic`, made once per core diagnostic. */
export function lspDiagnostic(d: Diagnostic): LspDiagnostic {
  let out = converted.get(d);
  if (!out) converted.set(d, (out = toLspDiagnostic(d)));
  return out;
}

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const out: LspDiagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'ksd',
    message: d.message,
  };
  if (README) out.codeDescription = { href: `${README}#${d.code.toLowerCase()}` };
  if (d.related?.length) out.relatedInformation = d.related.map((r) => ({ location: { uri: r.location.file, range: r.location.range }, message: r.message }));
  return out;
}
