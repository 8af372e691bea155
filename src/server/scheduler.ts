/**
 * Debounces edits: the first edit after a quiet spell is analysed on the next turn of the event loop
 * (so a burst already queued is taken together); edits within `debounceMs` of the last analysis wait for
 * the rest of that window. (The analysis is exact after each run: no full re-check is needed once edits settle.)
 */
export class Scheduler {
  private pending = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private lastRun = -Infinity;

  constructor(
    private readonly run: (uris: string[]) => void,
    private readonly debounceMs: number,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** `uri` is the index key; `docUri` the document's URI as the client wrote it. */
  changed(uri: string, docUri: string): void {
    this.pending.set(uri, docUri);
    if (this.timer) return;
    const wait = Math.max(0, this.lastRun + this.debounceMs - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  forget(docUri: string): void {
    for (const [k, v] of this.pending) if (v === docUri) this.pending.delete(k);
  }

  /** Applies pending edits now (requests call this so they never answer from stale text). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.size) return;
    const docs = [...this.pending.values()];
    this.pending.clear();
    try {
      this.run(docs);
    } catch (e) {
      this.onError(e);
    }
    this.lastRun = performance.now();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.pending.clear();
  }
}
