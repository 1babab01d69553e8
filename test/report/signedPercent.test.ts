import { describe, expect, it } from 'vitest';
import { signedPercent } from '../../src/report/signedPercent.ts';

describe('signedPercent', () => {
  it('prints a gain with a plus and a loss with a minus sign, as the paper does', () => {
    expect(signedPercent(0.062)).toBe('+6.2%');
    expect(signedPercent(-0.226)).toBe('−22.6%');
    expect(signedPercent(-0.226)).not.toContain('-');
  });
  it('gives no direction to a change that rounds to zero', () => {
    expect(signedPercent(-0.00004)).toBe('0.0%');
    expect(signedPercent(0.00004)).toBe('0.0%');
    expect(signedPercent(0)).toBe('0.0%');
    expect(signedPercent(-0.004, 0)).toBe('0%');
    expect(signedPercent(-0.006, 0)).toBe('−1%');
  });
  it('marks a missing value instead of printing NaN%', () => {
    expect(signedPercent(Number.NaN)).toBe('—');
  });
});
