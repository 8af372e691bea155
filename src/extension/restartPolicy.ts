/** When to restart a crashed language server. No vscode import: unit-tested in plain Node. */
export const MAX_RESTARTS = 4;
export const RESTART_WINDOW_MS = 3 * 60 * 1000;

/** Crash bookkeeping, kept apart from VS Code so the policy is unit-tested. */
export class RestartPolicy {
  private crashes: number[] = [];
  constructor(
    private readonly max = MAX_RESTARTS,
    private readonly windowMs = RESTART_WINDOW_MS,
  ) {}
  /** Records a crash at `now`; true when the server should be restarted. */
  shouldRestart(now: number): boolean {
    this.crashes = this.crashes.filter((t) => now - t < this.windowMs);
    this.crashes.push(now);
    return this.crashes.length <= this.max;
  }
}
