/** A knftables-style transaction: an ordered list of nft commands for one table, written as `nft -f` text. */
export interface NftContainerSpec {
  type: string;
  flags?: string[];
  /** Seconds. */
  timeout?: number;
  comment?: string;
}

export interface NftChainSpec {
  type?: string;
  hook?: string;
  priority?: number;
  comment?: string;
}

export class NftTransaction {
  private readonly lines: string[] = [];
  /** Elements written by ensureElement, by container and key: their value (nftElementStorage). */
  private readonly ensured = new Map<string, string>();
  readonly prefix: string;

  constructor(
    readonly family: 'ip' | 'ip6',
    readonly table: string,
  ) {
    this.prefix = `${family} ${table}`;
  }

  addTable(comment?: string): void {
    this.lines.push(`add table ${this.prefix}${comment !== undefined ? ` { comment ${quote(comment)} ; }` : ''}`);
  }

  addChain(name: string, spec: NftChainSpec = {}): void {
    const parts: string[] = [];
    if (spec.type) parts.push(`type ${spec.type} hook ${spec.hook} priority ${spec.priority} ;`);
    if (spec.comment !== undefined) parts.push(`comment ${quote(spec.comment)} ;`);
    this.lines.push(`add chain ${this.prefix} ${name}${parts.length ? ` { ${parts.join(' ')} }` : ''}`);
  }

  flushChain(name: string): void {
    this.lines.push(`flush chain ${this.prefix} ${name}`);
  }

  deleteChain(name: string): void {
    this.lines.push(`delete chain ${this.prefix} ${name}`);
  }

  addContainer(kind: 'set' | 'map', name: string, spec: NftContainerSpec): void {
    const parts = [`type ${spec.type} ;`];
    if (spec.flags?.length) parts.push(`flags ${spec.flags.join(',')} ;`);
    if (spec.timeout !== undefined) parts.push(`timeout ${spec.timeout}s ;`);
    if (spec.comment !== undefined) parts.push(`comment ${quote(spec.comment)} ;`);
    this.lines.push(`add ${kind} ${this.prefix} ${name} { ${parts.join(' ')} }`);
  }

  flushContainer(kind: 'set' | 'map', name: string): void {
    this.lines.push(`flush ${kind} ${this.prefix} ${name}`);
  }

  deleteContainer(kind: 'set' | 'map', name: string): void {
    this.lines.push(`delete ${kind} ${this.prefix} ${name}`);
  }

  addRule(chain: string, rule: string, comment?: string): void {
    this.lines.push(`add rule ${this.prefix} ${chain} ${rule}${comment !== undefined ? ` comment ${quote(comment)}` : ''}`);
  }

  addElement(container: string, key: string[], value?: string, comment?: string): void {
    const c = comment !== undefined ? ` comment ${quote(comment)}` : '';
    const v = value !== undefined ? ` : ${value}` : '';
    this.lines.push(`add element ${this.prefix} ${container} { ${key.join(' . ')}${c}${v} }`);
  }

  /**
   * knftables' nftElementStorage.ensureElem in a sync that starts from an empty table: an element whose key
   * was already written with the same value is not written again; a new value deletes and re-adds it.
   */
  ensureElement(container: string, key: string[], value?: string, comment?: string): void {
    const k = `${container}\u0000${key.join(' . ')}`;
    const v = value ?? '';
    const had = this.ensured.get(k);
    if (had === v) return;
    if (had !== undefined) this.lines.push(`delete element ${this.prefix} ${container} { ${key.join(' . ')} }`);
    this.ensured.set(k, v);
    this.addElement(container, key, value, comment);
  }

  /** Adds a blank line or a `#` comment to make long outputs readable (nft ignores both). */
  note(text: string): void {
    this.lines.push(text ? `# ${text}` : '');
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }

  get length(): number {
    return this.lines.length;
  }
}

/** Go's %q for the plain strings kube-proxy uses (names, fixed comments). */
export function quote(s: string): string {
  return JSON.stringify(s);
}
