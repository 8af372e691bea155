import { LineIndex, type Position } from '../../core';

/**
 * The line index of one YAML document cut out of a larger file: offsets are relative to the document,
 * positions are file positions. When text above the document changes, only `base` moves; the parse of the
 * document (and every node offset in it) stays valid.
 */
export class ShiftedLineIndex extends LineIndex {
  constructor(
    text: string,
    public base: Position,
  ) {
    super(text);
  }
  /** Last file line positions may reach (the parse of an older text kept while the document does not parse). */
  maxLine = Infinity;
  override position(offset: number): Position {
    const p = super.position(offset);
    if (p.line + this.base.line > this.maxLine) return { line: this.maxLine, character: 0 };
    return p.line === 0 ? { line: this.base.line, character: this.base.character + p.character } : { line: p.line + this.base.line, character: p.character };
  }
  override lineOf(offset: number): number {
    const line = super.lineOf(offset) + this.base.line;
    return line > this.maxLine ? this.maxLine : line;
  }
  override offset(pos: Position): number {
    const line = pos.line - this.base.line;
    if (line < 0) return 0;
    return super.offset({ line, character: line === 0 ? Math.max(0, pos.character - this.base.character) : pos.character });
  }
  override lineText(line: number): string {
    const rel = line - this.base.line;
    if (rel < 0 || rel >= this.lineCount) return '';
    const t = super.lineText(rel);
    return rel === 0 ? ' '.repeat(this.base.character) + t : t;
  }
}
