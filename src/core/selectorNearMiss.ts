/**
 * Why a label set is not selected, and how close it comes: for the "which pods, and why not that one"
 * answer of a selector hover. Closest first: more selector pairs satisfied, then the smaller typo.
 */
import { editDistance } from './checks/util';

export interface SelectorMiss {
  /** Selector pairs the labels satisfy. */
  satisfied: number;
  /** Edit distance summed over the wrong values (a missing key counts as its value's length). */
  distance: number;
  /** One phrase per unmet pair: `app=storefront, not storefrnt` or `no tier label`. */
  reasons: string[];
}

/** Undefined when the labels satisfy the whole selector, or share none of its keys (not a near miss). */
export function selectorMiss(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): SelectorMiss | undefined {
  const keys = Object.keys(selector);
  if (!keys.some((k) => labels[k] !== undefined)) return undefined;
  const out: SelectorMiss = { satisfied: 0, distance: 0, reasons: [] };
  for (const k of keys) {
    const want = selector[k]!;
    const have = labels[k];
    if (have === want) out.satisfied++;
    else if (have === undefined) {
      out.distance += want.length + k.length;
      out.reasons.push(`no ${k} label`);
    } else {
      out.distance += editDistance(have, want, Math.max(have.length, want.length));
      out.reasons.push(`${k}=${have}, not ${want}`);
    }
  }
  return out.reasons.length ? out : undefined;
}

/** Orders near misses closest first (stable for equal ones). */
export function byCloseness<T extends { miss: SelectorMiss }>(a: T, b: T): number {
  return b.miss.satisfied - a.miss.satisfied || a.miss.distance - b.miss.distance;
}
