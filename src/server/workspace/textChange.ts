/**
 * What an editor's edits did to a document's text since it was last loaded, in the two numbers the
 * incremental loader needs: how many characters at its start and at its end are still as they were. The
 * edits arrive as LSP content changes (a range and its new text); only their offsets are kept here.
 */

/** `text` (now `after` characters) was `before` characters; its first `head` and last `tail` are unchanged. */
export interface TextChange {
  before: number;
  after: number;
  head: number;
  tail: number;
}

/** The change a text of length `length` had when text[start, end) was replaced by `inserted` characters. */
export function replaced(length: number, start: number, end: number, inserted: number): TextChange {
  return { before: length, after: length - (end - start) + inserted, head: start, tail: length - end };
}

/** Two changes, one after the other (`next.before` is `first.after`): what stays unchanged through both. */
export function combined(first: TextChange, next: TextChange): TextChange {
  return { before: first.before, after: next.after, head: Math.min(first.head, next.head), tail: Math.min(first.tail, next.tail) };
}

/** Is `change` a sound description of going from a text of `before` characters to one of `after`? */
export function fits(change: TextChange, before: number, after: number): boolean {
  return (
    change.before === before &&
    change.after === after &&
    Number.isInteger(change.head) &&
    Number.isInteger(change.tail) &&
    change.head >= 0 &&
    change.tail >= 0 &&
    change.head + change.tail <= Math.min(before, after)
  );
}

/**
 * Per document: the edits since its text was last taken. A whole-text replacement (or anything that cannot
 * be placed) makes the document's change unknown until it is taken again: the loader then compares the
 * documents themselves.
 */
export class TextChanges {
  private pending = new Map<string, TextChange | 'unknown'>();

  /** Text[start, end) of a text of `length` characters was replaced by `inserted` characters. */
  record(uri: string, length: number, start: number, end: number, inserted: number): void {
    const last = this.pending.get(uri);
    if (last === 'unknown') return;
    if (!(start >= 0 && start <= end && end <= length)) {
      this.pending.set(uri, 'unknown');
      return;
    }
    const change = replaced(length, start, end, inserted);
    if (!last) this.pending.set(uri, change);
    else if (last.after !== length) this.pending.set(uri, 'unknown');
    else this.pending.set(uri, combined(last, change));
  }

  /** The whole text was replaced (or changed in a way not recorded). */
  unknown(uri: string): void {
    this.pending.set(uri, 'unknown');
  }

  /** The change since the last take (undefined: unknown, or nothing recorded) and forgets it. */
  take(uri: string): TextChange | undefined {
    const c = this.pending.get(uri);
    this.pending.delete(uri);
    return c === 'unknown' ? undefined : c;
  }

  forget(uri: string): void {
    this.pending.delete(uri);
  }
}
