/** Quick fixes: the fixes the checks attached to a diagnostic, as workspace edits touching only what they must. */
import { CodeActionKind, type CodeAction, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { Diagnostic, Fix } from '../../core';

function sameRange(a: LspDiagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Matches the client's diagnostics (in the request context) to ours by range, code and message. */
export function quickFixes(ours: readonly Diagnostic[], context: readonly LspDiagnostic[], only?: string[]): CodeAction[] {
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.') || k === '')) return [];
  const out: CodeAction[] = [];
  for (const cd of context) {
    const d = ours.find((o) => o.code === cd.code && o.message === cd.message && sameRange(cd.range, o.range));
    for (const fix of d?.fixes ?? []) out.push(toAction(fix, cd));
  }
  return out;
}

export function toAction(fix: Fix, diagnostic: LspDiagnostic): CodeAction {
  const changes: Record<string, { range: Diagnostic['range']; newText: string }[]> = {};
  for (const e of fix.edits) (changes[e.file] ??= []).push({ range: e.range, newText: e.newText });
  return { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: fix.isPreferred, edit: { changes } };
}
