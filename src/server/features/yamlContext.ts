/**
 * The YAML path at a cursor, read from the lines themselves (block style) so it works on half-typed text
 * that does not parse. Sequence items appear as '-' in the path.
 */
export interface CursorContext {
  /** Keys from the document root to the mapping the cursor is in. */
  path: string[];
  /** Typing a key (`partial` is its start) or the value of `key`. */
  mode: 'key' | 'value';
  key?: string;
  partial: string;
  /** Column where `partial` starts (the range completion replaces). */
  partialStart: number;
  /**
   * Column where the word under the cursor ends: the rest of a key, or of the scalar (inside its quotes when
   * quoted), so a completion can replace the whole word and not leave its tail behind.
   */
  wordEnd: number;
  /** The quote the value opens with, if any (completion keeps it and replaces only what is inside). */
  quote?: '"' | "'";
  /** For a key: whether a `:` already follows the word (so completing it must not add another). */
  colonAfter: boolean;
  /** The document's lines and the cursor's line index in them. */
  docLines: string[];
  line: number;
}

const KEY_LINE = /^(\s*)((?:-\s+)*)([^\s:#'"{[][^:#]*?|"[^"]*"|'[^']*'):(?:\s|$)/;

export function cursorContext(text: string, line: number, character: number): CursorContext | undefined {
  const all = text.split(/\r?\n/);
  const cur = all[line];
  if (cur === undefined) return undefined;
  let start = line;
  while (start > 0 && !/^---/.test(all[start]!)) start--;
  let end = line + 1;
  while (end < all.length && !/^---/.test(all[end]!)) end++;
  const docLines = all.slice(start, end);
  const prefix = cur.slice(0, character);
  let mode: 'key' | 'value';
  let key: string | undefined;
  let partial: string;
  let indent: number;
  let quote: '"' | "'" | undefined;
  const valueM = /^(\s*)((?:-\s+)*)([^\s:#][^:#]*?):\s+(['"]?)([^'"#]*)$/.exec(prefix);
  const keyM = /^(\s*)((?:-\s+)*)([\w./-]*)$/.exec(prefix);
  if (valueM) {
    mode = 'value';
    key = valueM[3]!;
    partial = valueM[5]!;
    quote = valueM[4] === '"' || valueM[4] === "'" ? valueM[4] : undefined;
    indent = valueM[1]!.length + valueM[2]!.length;
  } else if (keyM) {
    mode = 'key';
    partial = keyM[3]!;
    indent = keyM[1]!.length + keyM[2]!.length;
  } else return undefined;
  const path: string[] = [];
  // Threshold: a parent key starts left of this column.
  let need = indent;
  const dash = /^(\s*)-\s/.exec(prefix);
  if (dash) {
    path.push('-');
    need = dash[1]!.length + 1;
  }
  for (let i = line - 1; i >= start; i--) {
    const l = all[i]!;
    if (/^\s*(#|$)/.test(l) || /^---/.test(l)) continue;
    const m = /^(\s*)((?:-\s+)*)(.*)$/.exec(l)!;
    const ws = m[1]!.length;
    const ci = ws + m[2]!.length;
    const km = KEY_LINE.exec(l);
    if (m[2]) {
      if (ci > need || ws >= need) continue;
      // We are inside this sequence item; when its key opens a nested block we are under that key too.
      if (ci < need && km) path.push(unquote(km[3]!));
      path.push('-');
      need = ws + 1;
      continue;
    }
    if (ws < need && km) {
      path.push(unquote(km[3]!));
      need = ws;
      if (ws === 0) break;
    }
  }
  path.reverse();
  const after = cur.slice(character);
  const rest = mode === 'key' ? /^[\w./-]*/.exec(after)![0] : quote ? new RegExp(`^[^${quote}]*`).exec(after)![0] : /^[^\s#'"]*/.exec(after)![0];
  const colonAfter = mode === 'key' && /^\s*:/.test(after.slice(rest.length));
  return { path, mode, key, partial, partialStart: character - partial.length, wordEnd: character + rest.length, quote, colonAfter, docLines, line: line - start };
}

function unquote(s: string): string {
  return /^(['"]).*\1$/.test(s) ? s.slice(1, -1) : s.trim();
}

/** `kind`, `metadata.namespace` and `metadata.name` of the document, read from its lines. */
export function documentHeader(lines: readonly string[]): { kind?: string; namespace?: string; name?: string } {
  const kind = lines.map((l) => /^kind:\s*(\S+?)\s*(#.*)?$/.exec(l)?.[1]).find((k) => k !== undefined);
  const meta = blockMap(lines, ['metadata']);
  return { kind: kind === undefined ? undefined : unquote(kind), namespace: meta['namespace'], name: meta['name'] };
}

/** `key: value` pairs of the block map under a top-level path such as spec -> selector, read from lines. */
export function blockMap(lines: readonly string[], path: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const stack: { indent: number; key: string }[] = [];
  for (const l of lines) {
    if (/^\s*(#|$)/.test(l) || /^---/.test(l)) continue;
    const m = /^(\s*)((?:-\s+)*)([^\s:#][^:#]*?):(?:\s+(.*?))?\s*(#.*)?$/.exec(l);
    if (!m) continue;
    const col = m[1]!.length + m[2]!.length;
    while (stack.length && stack[stack.length - 1]!.indent >= col) stack.pop();
    const key = unquote(m[3]!);
    const value = m[4] ?? '';
    if (m[2]) stack.push({ indent: m[1]!.length, key: '-' });
    if (stack.length === path.length && stack.every((e, i) => e.key === path[i]) && value) out[key] = unquote(value);
    if (!value) stack.push({ indent: col, key });
  }
  return out;
}
