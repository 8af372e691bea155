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
