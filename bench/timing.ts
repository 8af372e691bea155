/** Timing shared by the benches: one labelled line of wall and CPU time (process.cpuUsage) per step. */

/** Runs `f`, prints `label: W ms wall, C ms CPU (note)` and returns its result. */
export function time<T>(label: string, f: () => T, note: (r: T) => string = () => ''): T {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = f();
  const c = process.cpuUsage(c0);
  const extra = note(r);
  console.log(`${label}: ${(performance.now() - t0).toFixed(0)} ms wall, ${((c.user + c.system) / 1000).toFixed(0)} ms CPU${extra ? ` (${extra})` : ''}`);
  return r;
}
