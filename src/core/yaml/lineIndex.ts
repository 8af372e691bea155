/** Offsets <-> 0-based line/character positions (UTF-16 code units, as LSP uses). */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}

export class LineIndex {
  private lineStarts: number[] | undefined;
  private tail: { breaks: number; start: number } | undefined;
  constructor(readonly text: string) {}
  /**
   * The number of line breaks and the offset the last line starts at, counted without building the line
   * starts when they are not built yet (a document stepped over is rarely asked for a position).
   */
  lastLine(): { breaks: number; start: number } {
    if (this.tail) return this.tail;
    const built = this.lineStarts;
    if (built) return (this.tail = { breaks: built.length - 1, start: built[built.length - 1]! });
    const text = this.text;
    let breaks = 0;
    let start = 0;
    if (text.indexOf('\r') < 0) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
        breaks++;
        start = i + 1;
      }
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
          breaks++;
          start = i + 1;
        }
      }
    }
    return (this.tail = { breaks, start });
  }
  /**
   * The line of an offset (`position(offset).line`). While the line starts are not built and the text breaks
   * lines with `\n` only, the breaks are counted from the nearer end of the text instead (building the starts
   * of every document to place a few findings cost more than the findings).
   */
  lineOf(offset: number): number {
    const text = this.text;
    const o = Math.max(0, Math.min(offset, text.length));
    if (this.lineStarts || (this.crFree ??= text.indexOf('\r') < 0) === false) return this.lineAt(o);
    // A break at i starts line i + 1, which holds `o` when i < o.
    if (o * 2 <= text.length) {
      let line = 0;
      for (let i = text.indexOf('\n'); i >= 0 && i < o; i = text.indexOf('\n', i + 1)) line++;
      return line;
    }
    let after = 0;
    for (let i = text.indexOf('\n', o); i >= 0; i = text.indexOf('\n', i + 1)) after++;
    return this.lastLine().breaks - after;
  }
  private crFree: boolean | undefined;
  /** Line start offsets, found on first use: most files loaded by the CLI are never asked for a position. */
  private get starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const text = this.text;
    const starts = [0];
    if (text.indexOf('\r') < 0) {
      // Only `\n` breaks (the usual case): let the native search find them.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      return (this.lineStarts = starts);
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
    }
    return (this.lineStarts = starts);
  }
  /** Offset of the first character of a line (0-based; past the last line: the text's length). */
  lineStart(line: number): number {
    return this.starts[line] ?? this.text.length;
  }
  get lineCount(): number {
    return this.starts.length;
  }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineAt(o);
    return { line, character: o - this.starts[line]! };
  }
  /** The line holding offset `o` (within the text), from the line starts. */
  private lineAt(o: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  offset(pos: Position): number {
    if (pos.line < 0) return 0;
    if (pos.line >= this.starts.length) return this.text.length;
    return Math.min(this.starts[pos.line]! + pos.character, this.text.length);
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
  lineText(line: number): string {
    const s = this.starts[line] ?? this.text.length;
    const e = this.starts[line + 1] ?? this.text.length;
    return this.text.slice(s, e).replace(/\r?\n$|\r$/, '');
  }
}
