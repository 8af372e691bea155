import { compareDiagnostics, type Diagnostic } from '../diagnostics';
import { ALL_CHECKS } from './registry';
import type { CheckContext, CheckOptions } from './types';

export * from './types';
export { ALL_CHECKS } from './registry';
export { effectiveSelector, ownerWorkload } from './scope';

/** Load problems plus every enabled check, sorted by file and position. A throwing check never hides the others. */
export function runChecks(ctx: CheckContext, options: CheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = ctx.files.flatMap((f) => f.diagnostics);
  for (const check of ALL_CHECKS) {
    const override = options.severities?.[check.code] ?? options.severities?.[check.id];
    if (override === 'off') continue;
    let found: Diagnostic[];
    try {
      found = check.run(ctx, options);
    } catch (e) {
      found = [
        {
          file: ctx.files[0]?.file ?? '',
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: 'warning',
          code: 'KSD000',
          message: `Internal error in check ${check.code} (${check.id}): ${e instanceof Error ? e.message : String(e)}. Please report it.`,
        },
      ];
    }
    for (const d of found) out.push(override ? { ...d, severity: override } : d);
  }
  return out.sort(compareDiagnostics);
}
