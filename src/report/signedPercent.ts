/**
 * A relative change as the paper prints one: "+6.2%", "−22.6%" (a minus sign,
 * not a hyphen), and "0.0%" for anything that rounds to zero — never "-0.0%"
 * or "+0.0%", which would claim a direction the digits do not show.
 */
export function signedPercent(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return '—';
  const magnitude = (100 * Math.abs(x)).toFixed(digits);
  if (Number(magnitude) === 0) return `${magnitude}%`;
  return `${x > 0 ? '+' : '−'}${magnitude}%`;
}
