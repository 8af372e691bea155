import type { LineIndex, Position } from '../../core';

/**
 * Positions of increasing offsets in a text, found by walking forward from the last one instead of indexing
 * the whole text: the documents an edit left alone are stepped over with their own (kept) line index, so
 * only the separators and the re-parsed documents are scanned. Line breaks are those of `LineIndex`
 * (`\n`, `\r\n`, a lone `\r`).
 */
export class LineCursor {
  private offset = 0;
  private line = 0;
  private character = 0;

  /** `start`: a known place to walk on from (the offset and its position), instead of the text's top. */
  constructor(
    private readonly text: string,
    start?: { offset: number; position: Position },
  ) {
    if (start) {
      this.offset = start.offset;
      this.line = start.position.line;
      this.character = start.position.character;
    }
  }

  /** The position of `to`; asking for an offset before the last one starts again from the top. */
  at(to: number): Position {
    const text = this.text;
    const end = Math.max(0, Math.min(to, text.length));
    if (end < this.offset) this.offset = this.line = this.character = 0;
    let lineStart = this.offset - this.character;
    for (let i = this.offset; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
        this.line++;
        lineStart = i + 1;
      }
    }
    this.offset = end;
    this.character = end - lineStart;
    return { line: this.line, character: this.character };
  }

  /**
   * Steps over `text[from, from + part.text.length)`, whose own line index is `part` (kept from an earlier
   * version), and returns the position of its end. `from` must be the offset last asked for.
   */
  over(from: number, part: LineIndex): Position {
    const length = part.text.length;
    const to = from + length;
    // A '\r' ending the part and a '\n' after it are one break in the file but not in the part alone.
    const split = part.text.charCodeAt(length - 1) === 13 && this.text.charCodeAt(to) === 10;
    if (from !== this.offset || split || to > this.text.length) return this.at(to);
    // Counted, not indexed: the part's line starts are built only if a position in it is asked for.
    const { breaks, start } = part.lastLine();
    this.offset = to;
    if (breaks > 0) {
      this.line += breaks;
      this.character = length - start;
    } else {
      this.character += length;
    }
    return { line: this.line, character: this.character };
  }
}
