// orderHashRange writes orderHashStep out inline for speed: it must give the
// same bits as folding orderHashStep segment by segment, for any range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORDER_HASH_SEED, orderHashRange, orderHashStep } from '../../../src/net/tcp/orderHash.ts';

describe('orderHashRange', () => {
  it('equals orderHashStep folded over the range (small and beyond-32-bit sequence numbers)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 2 ** 32 - 40, max: 2 ** 32 + 40 }), fc.integer({ min: 2 ** 40, max: 2 ** 50 })),
        fc.integer({ min: 0, max: 80 }),
        (hash, from, n) => {
          let h = hash;
          for (let s = from; s < from + n; s++) h = orderHashStep(h, s);
          expect(orderHashRange(hash, from, from + n)).toBe(h);
        },
      ),
    );
    expect(orderHashRange(ORDER_HASH_SEED, 0, 0)).toBe(ORDER_HASH_SEED);
  });
});
