/**
 * One answer per finding when open manifests are checked against a live cluster. A finding that reads other
 * objects (the check's `reads` is 'state': selector matches, target ports, readiness, conflicts, backends)
 * comes from the live analysis, replacing the offline one for the same subject, since the workspace's
 * workloads are not what runs; a finding about the object alone ('object': syntax, field values) and the
 * file's YAML problems stay offline, once. Drift (KSD801, KSD802) exists only live. Live findings name
 * the context so a user can tell them apart.
 */
import { ALL_CHECKS, type Diagnostic } from '../core';
import { DRIFT_CODE, NOT_DEPLOYED_CODE } from './drift';

/** Check codes whose findings the live state answers (every registered check not marked reads: 'object'). */
export const LIVE_ANSWERED_CODES: ReadonlySet<string> = new Set([...ALL_CHECKS.filter((c) => (c.reads ?? 'state') === 'state').map((c) => c.code), DRIFT_CODE, NOT_DEPLOYED_CODE]);

export interface PreferredFindings {
  /** The offline findings that stay (the live state cannot answer them). */
  offline: Diagnostic[];
  /** The live findings, worded for the context. */
  live: Diagnostic[];
}

/** Splits a document's findings when live data is usable for it. */
export function preferLive(offline: readonly Diagnostic[], live: readonly Diagnostic[], context: string): PreferredFindings {
  return {
    offline: offline.filter((d) => !LIVE_ANSWERED_CODES.has(d.code)),
    live: live.filter((d) => LIVE_ANSWERED_CODES.has(d.code)).map((d) => ({ ...d, message: liveWording(d.message, context) })),
  };
}

/** `Live cluster "kind": ...`, once. */
export function liveWording(message: string, context: string): string {
  const head = `Live cluster "${context}": `;
  return message.startsWith(head) ? message : head + message;
}
