/** Bits needed to hold 0..max. */
export function bitsFor(max: number): number {
  return Math.max(1, Math.ceil(Math.log2(max + 1)));
}

/** Zero-extend `expr` of width w to width W (W >= w). */
export function zext(expr: string, w: number, W: number): string {
  return W === w ? expr : `{${W - w}'d0, ${expr}}`;
}
