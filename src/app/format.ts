/** An accuracy in [0, 1] as a percentage with two decimals, or 'n/a' when not measured. */
export function pct(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(2)}%`;
}
