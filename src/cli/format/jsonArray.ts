/**
 * `JSON.stringify(items, null, 2)`, built one item at a time: a --batch of 10,000 traces keeps each
 * result's text (compact) instead of every result object until the end, and prints it in pieces.
 */
export class JsonArrayText {
  private readonly items: string[] = [];

  add(value: unknown): void {
    // The item as it stands inside the array: a one-item array's text without its brackets.
    this.items.push(JSON.stringify([value], null, 2).slice(2, -2));
  }

  /** The items' text as it stands between the array's brackets (without the line breaks next to them). */
  body(): string {
    return this.items.join(',\n');
  }

  /** The whole text in pieces of about `per` items each, with a final newline. */
  pieces(per = 500): string[] {
    if (!this.items.length) return ['[]\n'];
    const out: string[] = [];
    for (let i = 0; i < this.items.length; i += per) {
      const body = this.items.slice(i, i + per).join(',\n');
      out.push(`${i === 0 ? '[\n' : ',\n'}${body}${i + per >= this.items.length ? '\n]\n' : ''}`);
    }
    return out;
  }
}

/** The text of the array whose items are the given bodies' (see JsonArrayText.body), in order, one piece each. */
export function jsonArrayPieces(bodies: readonly string[]): string[] {
  const parts = bodies.filter((b) => b.length);
  if (!parts.length) return ['[]\n'];
  return parts.map((b, i) => `${i === 0 ? '[\n' : ',\n'}${b}${i === parts.length - 1 ? '\n]\n' : ''}`);
}
