import type { Range } from './yaml/lineIndex';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Location {
  file: string;
  range: Range;
}
export interface TextEdit extends Location {
  newText: string;
}
/** A machine-readable fix: the edits that apply it, across files if needed. */
export interface Fix {
  title: string;
  edits: TextEdit[];
  isPreferred?: boolean;
}
export interface RelatedInfo {
  location: Location;
  message: string;
}
export interface Diagnostic extends Location {
  severity: Severity;
  /** Stable code, e.g. `KSD101`; see src/core/checks/codes.ts. */
  code: string;
  message: string;
  related?: RelatedInfo[];
  fixes?: Fix[];
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2, hint: 3 };
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    ORDER[a.severity] - ORDER[b.severity] ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)
  );
}
