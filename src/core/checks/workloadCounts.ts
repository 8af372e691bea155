/** KSD403: replicas / parallelism counts the API server rejects. */
import type { Diagnostic } from '../diagnostics';
import { INT32_MAX } from '../model/defaults';
import { dig } from '../model/read';
import { COUNT_PATHS } from '../model/templatePaths';
import { inFocus } from './scope';
import type { Check } from './types';
import { diag } from './util';

function problem(v: unknown): string | undefined {
  if (typeof v === 'string') return `is the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}, but the field is an integer (write it without quotes)`;
  if (typeof v !== 'number') return `must be an integer, not ${Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `a ${typeof v}`}`;
  if (!Number.isInteger(v)) return `${v} is not a whole number`;
  if (v < 0) return `${v} is negative`;
  if (v > INT32_MAX) return `${v > 1e15 ? 'the number' : v} is larger than ${INT32_MAX}, the most an int32 field holds`;
  return undefined;
}

export const podCountCheck: Check = {
  reads: 'object',
  code: 'KSD403',
  id: 'invalid-pod-count',
  title: 'replicas or parallelism the API server rejects',
  defaultSeverity: 'error',
  description: 'replicas (and a Job\'s parallelism) is an int32 from 0 to 2147483647: a string, a fraction, a negative or a larger number is rejected, so the workload never runs a pod and no Service gets endpoints from it.',
  run(ctx) {
    const out: Diagnostic[] = [];
    for (const w of ctx.state.workloads) {
      const path = COUNT_PATHS[w.kind];
      if (!path || !w.loaded || !inFocus(ctx, w.loaded)) continue;
      const v = dig(w.loaded.object, ...path);
      if (v === undefined || v === null) continue;
      const why = problem(v);
      if (why) out.push(diag(w.loaded, path, 'error', 'KSD403', `${path[path.length - 1]} of ${w.kind} "${w.name}" ${why}. The API server rejects the ${w.kind}, so it runs no pods (none are simulated for it).`));
    }
    return out;
  },
};
