/** Text and number formatting for the report page. Every formatter shows a missing figure as '–'. */

export const MISSING = '–';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** An integer with thousands separators: 12,000. */
export function integer(value: number | null | undefined): string {
  return value == null ? MISSING : INTEGER.format(value);
}

/**
 * A measured quantity with about three significant digits and thousands separators, no unit
 * (the unit is in the column header): 1,234 / 56.7 / 8.91 / 0.123.
 */
export function quantity(value: number | null | undefined): string {
  if (value == null) return MISSING;
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 || magnitude === 0 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/**
 * A fraction in [0, 1] as a percentage, two decimals unless told (a column keeps one count, so its
 * decimal points line up), without the % sign (it is in the header).
 */
export function percentOf(fraction: number | null | undefined, decimals = 2): string {
  return fraction == null ? MISSING : (fraction * 100).toFixed(decimals);
}

export function milliwatts(watts: number | null | undefined): string {
  return quantity(watts == null ? null : watts * 1e3);
}

export function nanojoules(joules: number | null | undefined): string {
  return quantity(joules == null ? null : joules * 1e9);
}
