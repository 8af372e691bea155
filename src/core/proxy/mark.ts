/**
 * The masquerade mark, as kube-proxy formats it with Go's fmt.Sprintf("%#08x", 1<<bit): Go zero-pads the
 * digits to 8 and then prefixes "0x" (0x00004000 for the default bit 14). Bits outside 0..31 are clamped.
 */
export function masqueradeMark(bit: number): string {
  const v = 2 ** Math.max(0, Math.min(31, Math.trunc(bit)));
  return '0x' + v.toString(16).padStart(8, '0');
}
