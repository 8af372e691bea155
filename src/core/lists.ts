/**
 * How many items two versions of a list share at their start and (after that) at their end, by identity.
 * Lists rebuilt after an edit keep the unchanged items as the same objects, so what differs lies between
 * `head` and `length - tail` of each.
 */
export function commonEnds<T>(a: readonly T[], b: readonly T[]): [head: number, tail: number] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return [head, tail];
}
