/**
 * Number formatting for cost reports. `toLocaleString` builds a new Intl formatter on every call, which
 * costs a report of a few hundred figures tens of milliseconds: formatters are made once and kept.
 */
const formatters = new Map<string, Intl.NumberFormat>();

export function formatNumber(value: number, maximumFractionDigits = 2, minimumFractionDigits = 0): string {
  const key = `${minimumFractionDigits}:${maximumFractionDigits}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', { minimumFractionDigits, maximumFractionDigits });
    formatters.set(key, formatter);
  }
  return formatter.format(value);
}
